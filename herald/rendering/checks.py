"""What a channel demands of a draft beyond its required content: lengths, segments, links.

A problem found here blocks approval exactly like a missing element: an SMS over the
configured segment maximum, a push title a phone would cut off, a push with nowhere to
go, a call script that would read a web address out loud. The same check runs on every
rendered draft and on every revision a person writes.
"""

from __future__ import annotations

import re

from herald.content import check_required_content
from herald.models.drafts import ChannelLimits
from herald.models.vocabulary import Channel
from herald.rendering.sms import sms_segments

_URL = re.compile(r"https?://|www\.", re.IGNORECASE)


def channel_problems(
    channel: Channel, subject: str | None, body: str, link: str | None, limits: ChannelLimits
) -> list[str]:
    """Problems that keep this draft from being sent on its channel, in words."""
    problems: list[str] = []
    if not body.strip():
        problems.append(f"the {channel} text is empty")
    if channel == Channel.SMS:
        encoding, segments = sms_segments(body)
        if segments > limits.sms_max_segments:
            problems.append(
                f"the SMS needs {segments} {encoding} segments; the maximum is "
                f"{limits.sms_max_segments}: shorten it"
            )
    elif channel == Channel.PUSH:
        title = subject or ""
        if len(title) > limits.push_title_max:
            problems.append(
                f"the push title has {len(title)} characters; phones show {limits.push_title_max}"
            )
        if len(body) > limits.push_body_max:
            problems.append(
                f"the push text has {len(body)} characters; phones show {limits.push_body_max}"
            )
        if not link:
            problems.append(
                "the push has no link to the full notice: give the contact point a website"
            )
    elif channel == Channel.VOICE and _URL.search(body):
        problems.append("the call script contains a web address, which cannot be read out clearly")
    elif channel == Channel.EMAIL and not (subject or "").strip():
        problems.append("the email has no subject")
    return problems


def check_draft(
    *,
    channel: Channel,
    subject: str | None,
    body: str,
    link: str | None,
    required: list[str],
    language: str,
    limits: ChannelLimits,
) -> tuple[list[str], list[str]]:
    """(missing required elements, channel problems) of one draft text."""
    missing = check_required_content(body, subject, required, language, channel)
    return missing, channel_problems(channel, subject, body, link, limits)
