"""The SMTP adapter against a real SMTP server on 127.0.0.1 (tests/unit/channels/smtp_server)."""

from __future__ import annotations

import datetime as dt
import ipaddress
import socket
import ssl
import threading
from collections.abc import Iterator
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import parseaddr
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from pydantic import SecretStr

from herald.channels.base import (
    ChannelAdapter,
    OutgoingMessage,
    ProviderConfigError,
    TransientSendError,
    make_idempotency_key,
)
from herald.channels.config import ProviderSettings
from herald.channels.smtp import SmtpEmail
from herald.models import Channel, content_hash
from herald.rendering import layout
from tests.unit.channels.smtp_server import SmtpServer

NAME = 'Zoé <b>Martin</b> & "Co"'
SUBJECT = "Notification de violation de données"
BODY = (
    "Notification de violation de données\n====================================\n\n"
    "Bonjour [[recipient_name]],\n\nNous vous informons d'un incident.\n.\n"
    ".leading dot line\n\nL'équipe\n"
)
HTML = layout.email_html(
    subject=SUBJECT, body=BODY, language="fr", entity_name="Exemple SA", incident_id="INC-7"
)


def message(to: str = "zoe.martin@example.org", **overrides: object) -> OutgoingMessage:
    person = str(overrides.pop("person_id", "P0042"))
    fields: dict[str, object] = {
        "incident_id": "INC-7",
        "person_id": person,
        "channel": Channel.EMAIL,
        "to": to,
        "recipient_name": NAME,
        "greeting_name": NAME,
        "subject": SUBJECT,
        "body": BODY,
        "html": HTML,
        "language": "fr",
        "content_hash": content_hash(SUBJECT, BODY),
        "idempotency_key": make_idempotency_key("INC-7", person, Channel.EMAIL),
    }
    fields.update(overrides)
    return OutgoingMessage.model_validate(fields)


def provider_settings(port: int, **overrides: object) -> ProviderSettings:
    values: dict[str, object] = {
        "email_provider": "smtp",
        "smtp_host": "127.0.0.1",
        "smtp_port": port,
        "smtp_starttls": False,
        "sender_email": "privacy@example.com",
        "sender_name": "Exemple SA Privacy",
        "provider_timeout_seconds": 5.0,
    }
    values.update(overrides)
    # model_validate: exactly these values, nothing from HERALD_* or a .env file.
    return ProviderSettings.model_validate(values)


def parse(data: bytes) -> EmailMessage:
    """The message as a mail client reads it (line ends as a receiving relay stores them)."""
    parsed = message_from_bytes(data.replace(b"\r\n", b"\n"), policy=policy.default)
    assert isinstance(parsed, EmailMessage)
    return parsed


@pytest.fixture
def server() -> Iterator[SmtpServer]:
    with SmtpServer() as running:
        yield running


@pytest.fixture
def adapter(server: SmtpServer) -> Iterator[SmtpEmail]:
    smtp = SmtpEmail(provider_settings(server.port), local_hostname="herald.test")
    yield smtp
    smtp.close()


@pytest.fixture(scope="module")
def tls(tmp_path_factory: pytest.TempPathFactory) -> tuple[ssl.SSLContext, Path]:
    """A server context with a fresh self-signed certificate for 127.0.0.1, and its file."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "relay.test")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    folder = tmp_path_factory.mktemp("tls")
    cert_file, key_file = folder / "cert.pem", folder / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_file, key_file)
    return context, cert_file


# ---- the message ----------------------------------------------------------------------------


def test_smtp_is_a_channel_adapter_that_cannot_look_up(adapter: SmtpEmail) -> None:
    assert isinstance(adapter, ChannelAdapter)
    assert adapter.max_batch == 1
    assert adapter.lookup([message()]) is None


def test_sends_a_multipart_email_the_relay_receives(adapter: SmtpEmail, server: SmtpServer) -> None:
    msg = message()
    [result] = adapter.send_batch([msg])
    assert result.accepted and result.permanent_error is None
    [received] = server.received
    assert received.mail_from == "privacy@example.com"
    assert received.rcpt_to == ["zoe.martin@example.org"]
    assert "BODY=8BITMIME" in received.mail_options

    email = parse(received.data)
    assert email["From"] == "Exemple SA Privacy <privacy@example.com>"
    assert parseaddr(str(email["To"])) == (NAME, "zoe.martin@example.org")
    assert email["Subject"] == SUBJECT
    assert email["Date"].datetime.tzinfo is not None
    assert email["Message-ID"] == result.provider_message_id
    assert str(email["Message-ID"]).endswith("@example.com>")
    assert email["X-Herald-Incident"] == "INC-7"
    assert email["X-Herald-Content-Hash"] == msg.content_hash
    assert email["Content-Language"] == "fr"
    assert email.get_content_type() == "multipart/alternative"

    text = email.get_body(("plain",))
    html = email.get_body(("html",))
    assert text is not None and html is not None
    # The text part is the approved text with the name, including the dot-only lines
    # SMTP has to stuff.
    assert text.get_content() == msg.text()
    assert 'Bonjour Zoé <b>Martin</b> & "Co",\n' in text.get_content()
    content = html.get_content()
    assert "Zoé &lt;b&gt;Martin&lt;/b&gt; &amp; &quot;Co&quot;" in content
    assert "<b>Martin</b>" not in content
    assert content.rstrip("\n") == str(msg.html_text()).rstrip("\n")


def test_message_id_is_stable_on_resend(adapter: SmtpEmail, server: SmtpServer) -> None:
    first = adapter.send(message())
    again = adapter.send(message())
    other = adapter.send(message(person_id="P0043"))
    ids = [parse(r.data)["Message-ID"] for r in server.received]
    assert ids[0] == ids[1] == first.provider_message_id == again.provider_message_id
    assert ids[2] == other.provider_message_id != ids[0]


@pytest.mark.parametrize(
    "name",
    [
        "Zoé\r\nBcc: victim@evil.example",
        "Zoé\nBcc: victim@evil.example",
        'Mallory <mallory@evil.example>, "x" <y@evil.example>',
        # Encoded words that decode to a line break (CVE-2024-6923 in Python < 3.11.10).
        "=?utf-8?q?evil=0D=0ABcc=3A_victim=40evil=2Eexample?=",
        "Ann =?utf-8?b?ZXZpbA0KQmNjOiB2aWN0aW1AZXZpbC5leGFtcGxl?= Lee",
    ],
)
def test_a_name_can_neither_inject_headers_nor_change_the_address(
    adapter: SmtpEmail, server: SmtpServer, name: str
) -> None:
    assert adapter.send(message(recipient_name=name, greeting_name=name)).accepted
    [received] = server.received
    assert received.rcpt_to == ["zoe.martin@example.org"]
    email = parse(received.data)
    assert email["Bcc"] is None
    addresses = email["To"].addresses
    assert [a.addr_spec for a in addresses] == ["zoe.martin@example.org"]
    header_block = received.data.split(b"\r\n\r\n", 1)[0]
    assert b"\r\nBcc:" not in header_block and b"\nBcc:" not in header_block


def test_a_subject_that_would_break_its_header_is_refused(
    adapter: SmtpEmail, server: SmtpServer
) -> None:
    subject = "=?utf-8?q?Notice=0D=0ABcc=3A_victim=40evil=2Eexample?="
    result = adapter.send(message(subject=subject))
    assert not result.accepted
    assert result.permanent_error == "email: a header value has a line break"
    assert server.received == []


def test_idn_domain_goes_out_in_idna_form(adapter: SmtpEmail, server: SmtpServer) -> None:
    assert adapter.send(message("zoe@bücher.de")).accepted
    [received] = server.received
    assert received.rcpt_to == ["zoe@xn--bcher-kva.de"]
    assert "SMTPUTF8" not in received.mail_options
    assert parse(received.data)["To"].addresses[0].addr_spec == "zoe@xn--bcher-kva.de"


def test_non_ascii_local_part_uses_smtputf8(adapter: SmtpEmail, server: SmtpServer) -> None:
    assert adapter.send(message("用户@例子.广告")).accepted
    [received] = server.received
    assert received.rcpt_to == ["用户@例子.广告"]
    assert "SMTPUTF8" in received.mail_options
    email = message_from_bytes(received.data, policy=policy.SMTPUTF8)
    assert "用户@例子.广告" in received.data.decode("utf-8").split("\r\n\r\n")[0]
    assert email["Subject"] == SUBJECT


def test_relay_without_8bitmime_gets_a_7bit_message(server: SmtpServer) -> None:
    server.behaviour.eight_bit = False
    server.behaviour.smtputf8 = False
    adapter = SmtpEmail(provider_settings(server.port), local_hostname="herald.test")
    try:
        msg = message()
        assert adapter.send(msg).accepted
        refused = adapter.send(message("用户@例子.广告", person_id="P2"))
    finally:
        adapter.close()
    assert not refused.accepted
    assert refused.permanent_error == "email: the relay takes no non-ASCII address (no SMTPUTF8)"
    [received] = server.received
    assert received.mail_options == []
    assert received.data.isascii()
    email = parse(received.data)
    text = email.get_body(("plain",))
    # Base64 of the canonical (CRLF) text, as MIME defines it for 7-bit transports.
    assert text is not None and text.get_content().replace("\r\n", "\n") == msg.text()


def test_an_invalid_message_never_reaches_the_relay(adapter: SmtpEmail, server: SmtpServer) -> None:
    bad_address = adapter.send(message("zoe.martin@example.org."))
    bad_body = adapter.send(message(body="  \n"))
    assert bad_address.permanent_error == "email: not a valid address (it ends with a dot)"
    assert bad_body.permanent_error == "body: empty"
    assert server.sessions == 0


# ---- connections ----------------------------------------------------------------------------


def test_one_connection_is_reused_and_reopened_when_dropped(
    adapter: SmtpEmail, server: SmtpServer
) -> None:
    for n in range(3):
        assert adapter.send(message(person_id=f"P{n}")).accepted
    assert server.sessions == 1
    server.drop_connections()
    assert adapter.send(message(person_id="P3")).accepted
    assert server.sessions == 2
    # Each message arrived exactly once, the one after the drop included.
    assert [r.session for r in server.received] == [1, 1, 1, 2]
    assert len({parse(r.data)["Message-ID"] for r in server.received}) == 4


def test_a_relay_closing_with_421_gets_a_new_connection(
    adapter: SmtpEmail, server: SmtpServer
) -> None:
    server.behaviour.messages_per_session = 2
    for n in range(5):
        assert adapter.send(message(person_id=f"P{n}")).accepted
    assert [r.session for r in server.received] == [1, 1, 2, 2, 3]


def test_one_connection_per_thread(adapter: SmtpEmail, server: SmtpServer) -> None:
    errors: list[BaseException] = []

    def work(worker: int) -> None:
        try:
            for n in range(3):
                assert adapter.send(message(person_id=f"W{worker}-{n}")).accepted
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(w,)) for w in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert server.sessions == 3
    assert len(server.received) == 9
    per_session: dict[int, int] = {}
    for received in server.received:
        per_session[received.session] = per_session.get(received.session, 0) + 1
    assert sorted(per_session.values()) == [3, 3, 3]


def test_unreachable_relay_is_transient() -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    adapter = SmtpEmail(provider_settings(port))
    with pytest.raises(TransientSendError, match="cannot reach the relay"):
        adapter.send(message())
    adapter.close()


def test_silent_relay_times_out_as_transient() -> None:
    with socket.socket() as silent:  # accepts connections (backlog), never greets
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        adapter = SmtpEmail(
            provider_settings(silent.getsockname()[1], provider_timeout_seconds=0.3)
        )
        with pytest.raises(TransientSendError, match="timed out"):
            adapter.send(message())
        adapter.close()


# ---- refusals -------------------------------------------------------------------------------


def test_refused_recipient_is_a_permanent_failure_without_the_address(
    adapter: SmtpEmail, server: SmtpServer
) -> None:
    server.behaviour.refuse.add("zoe.martin@example.org")
    result = adapter.send(message())
    assert not result.accepted
    error = str(result.permanent_error)
    assert error == "smtp 550: 5.1.1 <address>: Recipient address rejected: address unknown"
    for secret in ("zoe.martin", "example.org", "Zoé", "Martin"):
        assert secret not in error
    # The connection is reset and carries the next message.
    assert adapter.send(message("other@example.net", person_id="P2")).accepted
    assert server.sessions == 1
    assert [r.rcpt_to for r in server.received] == [["other@example.net"]]


def test_deferred_recipient_is_transient_without_the_address(
    adapter: SmtpEmail, server: SmtpServer
) -> None:
    server.behaviour.defer.add("zoe.martin@example.org")
    with pytest.raises(TransientSendError) as raised:
        adapter.send(message())
    assert str(raised.value) == "smtp 451 on RCPT: 4.7.1 <address>: greylisted, try again later"
    assert "zoe" not in str(raised.value)
    server.behaviour.defer.clear()
    assert adapter.send(message()).accepted
    assert server.sessions == 1


def test_relay_refusal_stops_the_campaign(adapter: SmtpEmail, server: SmtpServer) -> None:
    server.behaviour.relay_denied = True
    with pytest.raises(ProviderConfigError, match="554") as raised:
        adapter.send(message())
    assert "zoe" not in str(raised.value)


def test_rejected_data_is_a_permanent_failure(adapter: SmtpEmail, server: SmtpServer) -> None:
    server.behaviour.data_reply = "554 5.7.1 message refused as spam"
    result = adapter.send(message())
    assert result == result.model_copy(
        update={"accepted": False, "permanent_error": "smtp 554: 5.7.1 message refused as spam"}
    )
    server.behaviour.data_reply = None
    assert adapter.send(message()).accepted


# ---- authentication and TLS -----------------------------------------------------------------


def test_auth_with_the_right_credentials(server: SmtpServer) -> None:
    server.behaviour.credentials = ("herald", "s3cret")
    settings = provider_settings(
        server.port, smtp_username="herald", smtp_password=SecretStr("s3cret")
    )
    adapter = SmtpEmail(settings, local_hostname="herald.test")
    try:
        assert adapter.send(message()).accepted
    finally:
        adapter.close()
    assert server.received[0].user == "herald"


def test_wrong_password_is_a_config_error_that_names_no_secret(server: SmtpServer) -> None:
    server.behaviour.credentials = ("herald", "s3cret")
    settings = provider_settings(
        server.port, smtp_username="herald", smtp_password=SecretStr("wrong-pass")
    )
    adapter = SmtpEmail(settings)
    with pytest.raises(ProviderConfigError, match="535") as raised:
        adapter.send(message())
    adapter.close()
    assert "wrong-pass" not in str(raised.value)
    assert server.received == []


def test_missing_credentials_are_a_config_error(server: SmtpServer) -> None:
    server.behaviour.credentials = ("herald", "s3cret")
    adapter = SmtpEmail(provider_settings(server.port))
    with pytest.raises(ProviderConfigError, match="530 on MAIL FROM"):
        adapter.send(message())
    adapter.close()


def test_starttls_then_auth(server: SmtpServer, tls: tuple[ssl.SSLContext, Path]) -> None:
    server_context, cert_file = tls
    server.behaviour.tls = server_context
    server.behaviour.credentials = ("herald", "s3cret")
    settings = provider_settings(
        server.port,
        smtp_starttls=True,
        smtp_username="herald",
        smtp_password=SecretStr("s3cret"),
    )
    adapter = SmtpEmail(
        settings, tls_context=ssl.create_default_context(cafile=cert_file), local_hostname="h"
    )
    try:
        assert adapter.send(message()).accepted
    finally:
        adapter.close()
    [received] = server.received
    assert received.tls and received.user == "herald"
    assert server.commands[:3] == ["EHLO", "STARTTLS", "EHLO"]


def test_untrusted_certificate_is_a_config_error(
    server: SmtpServer, tls: tuple[ssl.SSLContext, Path]
) -> None:
    server.behaviour.tls = tls[0]
    adapter = SmtpEmail(provider_settings(server.port, smtp_starttls=True))
    with pytest.raises(ProviderConfigError, match="certificate did not verify"):
        adapter.send(message())
    adapter.close()
    assert server.received == []


def test_starttls_required_but_not_offered(server: SmtpServer) -> None:
    adapter = SmtpEmail(provider_settings(server.port, smtp_starttls=True))
    with pytest.raises(ProviderConfigError, match="STARTTLS"):
        adapter.send(message())
    adapter.close()
    assert server.received == []


def test_settings_without_a_host_or_with_a_bad_sender() -> None:
    with pytest.raises(ProviderConfigError, match="SMTP_HOST"):
        SmtpEmail(provider_settings(25, smtp_host=None))
    with pytest.raises(ProviderConfigError, match="SENDER_EMAIL"):
        SmtpEmail(provider_settings(25, sender_email="not an address"))
