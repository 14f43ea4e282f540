"""The outbox channel writes readable, atomic, idempotent files."""

from __future__ import annotations

import json
import os
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import parseaddr
from pathlib import Path

import pytest

from herald.channels import ChannelAdapter, OutboxChannel, OutgoingMessage, make_idempotency_key
from herald.models import Channel, content_hash

SENDER = "Example Ltd Privacy <privacy@example.com>"


def message(channel: Channel = Channel.EMAIL, **overrides: object) -> OutgoingMessage:
    to = {
        Channel.EMAIL: "zoe.martin@example.org",
        Channel.SMS: "+33639980012",
        Channel.VOICE: "+33639980012",
        Channel.PUSH: "fcm-token-123",
        Channel.LETTER: "12 rue de l'Exemple\n75011 Paris\nFrance",
    }[channel]
    subject = "Notification de violation de données"
    body = "Bonjour Zoé,\n\nNous vous informons d'un incident.\n\nL'équipe\n"
    fields: dict[str, object] = {
        "incident_id": "INC-2026-001",
        "person_id": "P0042",
        "channel": channel,
        "to": to,
        "recipient_name": "Zoé Martin",
        "subject": subject,
        "body": body,
        "content_hash": content_hash(subject, body),
        "idempotency_key": make_idempotency_key("INC-2026-001", "P0042", channel),
    }
    fields.update(overrides)
    return OutgoingMessage.model_validate(fields)


def parse(path: Path) -> EmailMessage:
    parsed = message_from_bytes(path.read_bytes(), policy=policy.default)
    assert isinstance(parsed, EmailMessage)
    return parsed


def test_outbox_is_a_channel_adapter(tmp_path: Path) -> None:
    assert isinstance(OutboxChannel(tmp_path), ChannelAdapter)


def test_email_is_an_eml_that_parses_back(tmp_path: Path) -> None:
    outbox = OutboxChannel(tmp_path, sender=SENDER)
    msg = message()
    result = outbox.send(msg)
    assert result.accepted and result.permanent_error is None
    path = tmp_path / str(result.provider_message_id)
    assert path == outbox.path_for(msg)
    assert path.parent == tmp_path / "INC-2026-001" / "email"
    assert path.suffix == ".eml"

    parsed = parse(path)
    assert parsed["From"] == SENDER
    assert parseaddr(str(parsed["To"])) == ("Zoé Martin", "zoe.martin@example.org")
    assert parsed["Subject"] == "Notification de violation de données"
    assert parsed["Date"] is not None and parsed["Date"].datetime.tzinfo is not None
    assert parsed["Message-ID"].endswith("@example.com>")
    assert parsed["X-Herald-Incident"] == "INC-2026-001"
    assert parsed["X-Herald-Content-Hash"] == msg.content_hash
    assert parsed.get_content() == msg.body
    # Readable in an editor: the body is not base64.
    assert "Nous vous informons" in path.read_text(encoding="utf-8")


def test_file_names_carry_no_personal_data(tmp_path: Path) -> None:
    outbox = OutboxChannel(tmp_path)
    for channel in (Channel.EMAIL, Channel.SMS, Channel.PUSH, Channel.VOICE, Channel.LETTER):
        outbox.send(message(channel))
    names = [p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file()]
    assert len(names) == 5
    for name in names:
        for secret in ("P0042", "zoe", "Zo", "Martin", "+33", "fcm-token"):
            assert secret not in name


def test_same_idempotency_key_twice_leaves_one_unchanged_file(tmp_path: Path) -> None:
    outbox = OutboxChannel(tmp_path)
    first = outbox.send(message())
    path = tmp_path / str(first.provider_message_id)
    before = path.read_bytes()
    second = outbox.send(message(body="A different body"))
    assert second == first
    assert path.read_bytes() == before
    assert [p.name for p in path.parent.iterdir()] == [path.name]


def test_message_id_is_derived_from_the_idempotency_key(tmp_path: Path) -> None:
    one, two = OutboxChannel(tmp_path / "a"), OutboxChannel(tmp_path / "b")
    path_one = one.root / str(one.send(message()).provider_message_id)
    path_two = two.root / str(two.send(message()).provider_message_id)
    assert parse(path_one)["Message-ID"] == parse(path_two)["Message-ID"]
    other = one.send(message(idempotency_key="another-key"))
    assert (
        parse(one.root / str(other.provider_message_id))["Message-ID"]
        != parse(path_one)["Message-ID"]
    )


def test_exists_and_has_for_reconciliation(tmp_path: Path) -> None:
    outbox = OutboxChannel(tmp_path)
    msg = message(Channel.SMS)
    assert not outbox.exists(msg)
    assert not outbox.has(msg.incident_id, msg.channel, msg.idempotency_key)
    outbox.send(msg)
    assert outbox.exists(msg)
    assert outbox.has(msg.incident_id, msg.channel, msg.idempotency_key)


def test_sms_push_and_voice_are_json(tmp_path: Path) -> None:
    outbox = OutboxChannel(tmp_path)
    sms_path = tmp_path / str(outbox.send(message(Channel.SMS)).provider_message_id)
    sms = json.loads(sms_path.read_text(encoding="utf-8"))
    assert sms_path.suffix == ".json"
    assert sms["to"] == "+33639980012" and sms["body"].startswith("Bonjour")
    assert sms["content_hash"] == message().content_hash

    push_path = tmp_path / str(outbox.send(message(Channel.PUSH)).provider_message_id)
    push = json.loads(push_path.read_text(encoding="utf-8"))
    assert push["to"] == "fcm-token-123" and push["title"].startswith("Notification")

    voice_path = tmp_path / str(outbox.send(message(Channel.VOICE)).provider_message_id)
    voice = json.loads(voice_path.read_text(encoding="utf-8"))
    assert voice["script"] == ["Bonjour Zoé,", "Nous vous informons d'un incident.", "L'équipe"]


def test_letter_has_the_address_block_on_top(tmp_path: Path) -> None:
    outbox = OutboxChannel(tmp_path)
    path = tmp_path / str(outbox.send(message(Channel.LETTER)).provider_message_id)
    assert path.suffix == ".txt"
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[:4] == ["Zoé Martin", "12 rue de l'Exemple", "75011 Paris", "France"]
    assert "Notification de violation de données" in lines
    assert "Nous vous informons d'un incident." in lines


def test_a_crash_while_writing_leaves_no_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    outbox = OutboxChannel(tmp_path, fsync=True)
    msg = message()

    def crash(src: str, dst: str) -> None:
        raise OSError("disk went away")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError):
        outbox.send(msg)
    assert not outbox.exists(msg)
    assert list(outbox.path_for(msg).parent.iterdir()) == []  # no temp file left behind
    monkeypatch.undo()
    assert outbox.send(msg).accepted and outbox.exists(msg)


def test_header_injection_is_a_permanent_error(tmp_path: Path) -> None:
    result = OutboxChannel(tmp_path).send(message(subject="Hello\nBcc: victim@example.com"))
    assert not result.accepted
    assert result.permanent_error is not None


def test_encoded_words_cannot_add_headers(tmp_path: Path) -> None:
    # CVE-2024-6923: Python < 3.11.10 decodes "=?...?=" and writes the decoded CR/LF raw.
    evil = "=?utf-8?q?x=0D=0ABcc=3A_victim=40evil=2Eexample?="
    outbox = OutboxChannel(tmp_path)
    result = outbox.send(message(recipient_name=evil, subject=evil))

    parsed = parse(tmp_path / str(result.provider_message_id))
    assert parsed["Bcc"] is None
    assert parseaddr(str(parsed["To"]))[1] == message().to
    assert "victim@evil.example" not in (tmp_path / str(result.provider_message_id)).read_text()


def test_unsafe_incident_id_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        OutboxChannel(tmp_path).send(message(incident_id="../../etc"))


def test_write_document_for_authorities_and_reminders(tmp_path: Path) -> None:
    outbox = OutboxChannel(tmp_path, sender=SENDER)
    path = outbox.write_document(
        "INC-2026-001",
        folder="reports",
        name="cnil/initial 2026-03-04T09:15:00+00:00",
        to=["notifications@cnil.example", "dpo@example.com"],
        subject="Notification initiale",
        body="Rapport initial.\n",
    )
    assert path.parent == tmp_path / "INC-2026-001" / "reports"
    assert path.name == "cnil-initial-2026-03-04T09-15-00-00-00.eml"
    parsed = parse(path)
    assert [a.addr_spec for a in parsed["To"].addresses] == [
        "notifications@cnil.example",
        "dpo@example.com",
    ]
    assert parsed["X-Herald-Content-Hash"] == content_hash(
        "Notification initiale", "Rapport initial.\n"
    )
    assert parsed.get_content() == "Rapport initial.\n"

    again = outbox.write_document(
        "INC-2026-001",
        folder="reports",
        name="cnil/initial 2026-03-04T09:15:00+00:00",
        to=["notifications@cnil.example"],
        subject="Notification initiale",
        body="Rapport corrigé.\n",
    )
    assert again == path
    assert parse(path).get_content() == "Rapport corrigé.\n"
    assert len(list(path.parent.iterdir())) == 1
    with pytest.raises(ValueError):
        outbox.write_document("INC-1", folder="../x", name="a", to=[], subject="s", body="b")
