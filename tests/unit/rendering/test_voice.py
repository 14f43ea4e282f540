"""Call scripts become TwiML that Twilio reads twice, in the notice's language."""

from __future__ import annotations

from xml.etree import ElementTree

from herald.rendering.voice import say_language, sentences, twiml


def test_each_block_is_said_then_the_message_repeats() -> None:
    script = "Hello [[recipient_name]].\n\nWhat happened\n-------------\nA breach.\n\n  - one\n"
    assert sentences(script) == ["Hello [[recipient_name]].", "What happened", "A breach.", "one"]
    root = ElementTree.fromstring(twiml(script, "de", recipient_name="Jana"))
    said = [element.text for element in root if element.tag == "Say"]
    assert said == ["Hello Jana.", "What happened", "A breach.", "one"] * 2
    assert {element.get("language") for element in root if element.tag == "Say"} == {"de-DE"}
    assert {element.tag for element in root} == {"Say", "Pause"}


def test_text_cannot_add_verbs() -> None:
    document = twiml("Call </Say><Dial>+15550100</Dial> now", "en", recipient_name="<Hangup/>")
    root = ElementTree.fromstring(document)
    assert {element.tag for element in root} == {"Say", "Pause"}
    assert "<Dial>" not in document


def test_voice_languages() -> None:
    assert say_language("zh-Hans") == "cmn-CN"
    assert say_language("pt-BR") == "pt-BR"
    assert say_language("en-GB") == "en-GB"
    assert say_language("tlh") == "en-US"
