"""Channel limits: SMS segments, push lengths and link, call scripts without addresses."""

from __future__ import annotations

from herald.models.drafts import ChannelLimits
from herald.models.vocabulary import Channel
from herald.rendering.checks import channel_problems, check_draft

LIMITS = ChannelLimits(sms_max_segments=2)


def test_sms_over_the_configured_maximum_is_a_problem() -> None:
    assert channel_problems(Channel.SMS, None, "x" * 306, None, LIMITS) == []
    problems = channel_problems(Channel.SMS, None, "x" * 307, None, LIMITS)
    assert problems == ["the SMS needs 3 GSM-7 segments; the maximum is 2: shorten it"]
    # One Chinese character makes the whole message UCS-2 (67 per concatenated segment).
    assert channel_problems(Channel.SMS, None, "通" * 135, None, LIMITS) == [
        "the SMS needs 3 UCS-2 segments; the maximum is 2: shorten it"
    ]


def test_push_title_body_and_link() -> None:
    ok = channel_problems(Channel.PUSH, "T" * 65, "b" * 240, "https://x.example", LIMITS)
    assert ok == []
    problems = channel_problems(Channel.PUSH, "T" * 66, "b" * 241, None, LIMITS)
    assert problems == [
        "the push title has 66 characters; phones show 65",
        "the push text has 241 characters; phones show 240",
        "the push has no link to the full notice: give the contact point a website",
    ]


def test_voice_script_with_an_address_and_empty_texts() -> None:
    assert channel_problems(Channel.VOICE, None, "Visit www.example.com", None, LIMITS) == [
        "the call script contains a web address, which cannot be read out clearly"
    ]
    assert channel_problems(Channel.EMAIL, "", " ", None, LIMITS) == [
        "the email text is empty",
        "the email has no subject",
    ]


def test_check_draft_reports_missing_content_and_problems_together() -> None:
    missing, problems = check_draft(
        channel=Channel.SMS,
        subject=None,
        body="x" * 400,
        link=None,
        required=["contact_info", "nature_of_breach"],
        language="en",
        limits=LIMITS,
    )
    # An SMS pointer is only held to the contact point.
    assert missing == ["contact_info"]
    assert problems and "segments" in problems[0]
