"""What the delivery benchmarks run against: a synthetic population, the local provider
peer, and provider settings that point the official SDKs at it (never off 127.0.0.1)."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from pydantic import SecretStr

from herald.channels.config import ProviderSettings
from herald.models import Channel

__all__ = ["LocalPeer", "peer_providers", "provider_env", "write_population"]

JURISDICTION = "US-CA"
# An Account SID the SDK and the specs accept (AC + 32 hex digits); not a real account.
ACCOUNT_SID = "AC" + "0" * 32


def write_population(path: Path, recipients: int) -> None:
    """A CSV of `recipients` people, each with an email, a mobile number and a push token,
    all distinct, so the peer can tell every recipient apart."""
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write("id,name,email,phone,push_token,jurisdiction,language\n")
        lines = []
        for n in range(recipients):
            # +1 415 2xx xxxx: valid US mobile-or-fixed numbers; 7 digits give 10 million.
            lines.append(
                f"P{n:08d},Person {n},person{n}@example.com,+1415{2000000 + n:07d},"
                f"tok{n:012d}{'x' * 140},{JURISDICTION},en\n"
            )
            if len(lines) >= 10_000:
                out.writelines(lines)
                lines.clear()
        out.writelines(lines)


class LocalPeer:
    """The fast provider peer (`herald.benchmarks.peer`) in a child process."""

    def __init__(self, *, keep_bodies: bool = False) -> None:
        """Prepare; `start` launches it."""
        self.keep_bodies = keep_bodies
        self.port = 0
        self._process: subprocess.Popen[bytes] | None = None
        self._dir = Path(tempfile.mkdtemp(prefix="herald-peer-"))

    @property
    def url(self) -> str:
        """http://127.0.0.1:<port>"""
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> LocalPeer:
        """Start the peer and wait until it listens."""
        ready = self._dir / "port"
        args = [sys.executable, "-m", "herald.benchmarks.peer", "--ready-file", str(ready)]
        if self.keep_bodies:
            args.append("--keep-bodies")
        self._process = subprocess.Popen(args, stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + 30
        while not ready.exists():
            if self._process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the local provider peer did not start")
            time.sleep(0.05)
        self.port = int(ready.read_text())
        return self

    def stats(self) -> dict[str, int]:
        """What the peer received so far."""
        return dict(httpx.get(f"{self.url}/_peer/stats", timeout=30).json())

    def reset(self) -> None:
        """Forget what the peer received."""
        httpx.post(f"{self.url}/_peer/reset", timeout=30)

    def stop(self) -> None:
        """Stop the peer (hard if it does not stop within a few seconds)."""
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()

    def __enter__(self) -> LocalPeer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def peer_providers(
    peer_url: str, home: Path, channel: Channel, rate: float | None
) -> ProviderSettings:
    """Provider settings that send `channel` through its real adapter to the peer."""
    account = home / "fcm-service-account.json"
    if not account.exists():
        home.mkdir(parents=True, exist_ok=True)
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode()
        account.write_text(
            json.dumps(
                {
                    "type": "service_account",
                    "project_id": "herald-bench",
                    "private_key_id": "bench",
                    "private_key": pem,
                    "client_email": "bench@herald-bench.iam.gserviceaccount.com",
                    "token_uri": f"{peer_url}/token",
                }
            )
        )
    settings = ProviderSettings(
        email_provider="sendgrid" if channel is Channel.EMAIL else "outbox",
        sms_provider="twilio" if channel is Channel.SMS else "outbox",
        voice_provider="twilio" if channel is Channel.VOICE else "outbox",
        push_provider="fcm" if channel is Channel.PUSH else "outbox",
        sender_email="notices@herald-bench.example",
        sendgrid_api_key=SecretStr("SG.bench"),
        sendgrid_host=peer_url,
        twilio_account_sid=ACCOUNT_SID,
        twilio_auth_token=SecretStr("bench-token"),
        twilio_base_url=peer_url,
        twilio_from="+14155550100",
        fcm_project_id="herald-bench",
        fcm_service_account_file=account,
        fcm_base_url=peer_url,
        fcm_token_url=f"{peer_url}/token",
    )
    return settings.model_copy(update={f"rate_{channel.value}": rate})


def provider_env(providers: ProviderSettings) -> dict[str, str]:
    """`providers` as the HERALD_* environment variables `ProviderSettings()` reads back, for
    a worker in another process (the chaos benchmark's). Unset values are left out."""
    env: dict[str, str] = {}
    for name in ProviderSettings.model_fields:
        value = getattr(providers, name)
        if value is None:
            continue
        if isinstance(value, SecretStr):
            value = value.get_secret_value()
        env[f"HERALD_{name.upper()}"] = str(value)
    return env
