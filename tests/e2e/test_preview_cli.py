"""`herald preview` as installed, run as a user runs it: a subprocess with its exit code.

herald preview --facts F [--population P] [--profile PROFILE] [--channels email,sms,...]
               [--notice-date YYYY-MM-DD] [--strict] --out DIR
"""

from __future__ import annotations

import email
import email.policy
import json
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from email.message import EmailMessage
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from tests.conftest import EXAMPLES

FACTS = EXAMPLES / "facts.json"
PROFILE = EXAMPLES / "profile.yaml"
POPULATION = EXAMPLES / "population.csv"
# GDPR only: small, and complete once the profile supplies the contact point.
GERMAN_FACTS: dict[str, Any] = {
    "aware_at": "2026-03-02T09:15:00+01:00",
    "entity": {"name": "Example GmbH", "established_in": ["DE"], "timezone": "Europe/Berlin"},
    "title": "Customer table exported",
    "description": "An attacker exported the customer account table.",
    "remediation": "We revoked the token and reset every password.",
    "data_categories": ["name", "email", "account_credentials"],
    "affected": [{"jurisdiction": "DE", "count": 40}],
}
KINDS = {"email": ".eml", "letter": ".pdf", "voice": ".xml", "push": ".json", "sms": ".txt"}
KINDS |= {"report": ".txt", "web": ".html"}


def herald_executable() -> str:
    """The `herald` console script of this environment."""
    beside = Path(sys.executable).parent / "herald"
    found = str(beside) if beside.exists() else shutil.which("herald")
    assert found, "the herald console script is not installed"
    return found


@dataclass(frozen=True)
class Result:
    """What a run printed and how it ended."""

    code: int
    output: str

    @property
    def flat(self) -> str:
        """The output on one line, without the frame of an error box (it wraps words)."""
        return " ".join(self.output.replace("│", " ").split())


def run(*args: str | Path) -> Result:
    """Run `herald preview ARGS` and capture stdout and stderr together."""
    env = dict(os.environ, COLUMNS="200", NO_COLOR="1", TERM="dumb")
    done = subprocess.run(
        [herald_executable(), "preview", *map(str, args)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    return Result(done.returncode, done.stdout + done.stderr)


def index_of(out: Path) -> dict[str, Any]:
    """The index.json a run wrote."""
    data: dict[str, Any] = json.loads((out / "index.json").read_text(encoding="utf-8"))
    return data


def german_facts(tmp_path: Path) -> Path:
    """The GDPR-only facts, written to a file."""
    path = tmp_path / "facts.json"
    path.write_text(json.dumps(GERMAN_FACTS), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> tuple[Result, Path]:
    """The documented example, with a fixed notice date, run once for the module."""
    out = tmp_path_factory.mktemp("preview-cli") / "drafts"
    result = run(
        "--facts", FACTS, "--population", POPULATION, "--profile", PROFILE,
        "--notice-date", "2026-03-20", "--out", out,
    )  # fmt: skip
    return result, out


def test_the_example_renders_every_draft_into_the_folder(example: tuple[Result, Path]) -> None:
    """Exit 0; one file per draft, of its channel's kind; the summary names the index."""
    result, out = example
    assert result.code == 0, result.output
    index = index_of(out)
    assert index["notice_date"] == "2026-03-20"
    drafts = index["drafts"]
    assert drafts and {d["obligation"] for d in drafts} == set(index["obligations"])
    assert f"{len(drafts)} drafts for {len(index['obligations'])} obligations" in result.flat
    assert str(out / "index.json") in result.flat
    assert {p.name for p in out.iterdir()} == {d["path"] for d in drafts} | {"index.json"}
    for draft in drafts:
        path = out / draft["path"]
        assert path.suffix == KINDS[draft["channel"]], draft["path"]
        assert draft["path"] in result.output  # the table lists every file
        data = path.read_bytes()
        if draft["channel"] == "letter":
            assert data.startswith(b"%PDF-")
        elif draft["channel"] == "email":
            message = email.message_from_bytes(data, policy=email.policy.default)
            assert isinstance(message, EmailMessage)
            types = {part.get_content_type() for part in message.walk()}
            assert {"text/plain", "text/html"} <= types, draft["path"]
        elif draft["channel"] == "voice":
            assert ET.fromstring(data).tag == "Response"
        elif draft["channel"] == "push":
            assert json.loads(data)["message"]["notification"]["title"] == draft["subject"]
        else:
            assert data.decode("utf-8").strip()
    individuals = [d for d in drafts if d["audience"] == "individuals"]
    assert sum(d["recipients"] for d in individuals) == 55  # 58 rows, 2 rejected, 1 unreachable
    assert index["rejected_rows"] == 2 and index["unreachable"] == 1


def test_the_notice_date_is_printed_on_the_letters(example: tuple[Result, Path]) -> None:
    """--notice-date reaches the PDF, formatted for the letter's reader."""
    _, out = example
    printed = {
        "us-ca-individuals.letter.en.pdf": "March 20, 2026",
        "gdpr-individuals.letter.de.pdf": "20. März 2026",
    }
    for name, date_text in printed.items():
        reader = PdfReader(BytesIO((out / name).read_bytes()))
        text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
        assert date_text in text, name


def test_strict_fails_when_a_draft_misses_content(tmp_path: Path) -> None:
    """No contact point anywhere (no profile): --strict exits 1, the drafts are still written."""
    out = tmp_path / "drafts"
    result = run("--facts", german_facts(tmp_path), "--channels", "sms", "--strict", "--out", out)
    assert result.code == 1, result.output
    drafts = index_of(out)["drafts"]
    assert drafts and all("dpo_contact" in d["missing_elements"] for d in drafts)
    assert all((out / d["path"]).is_file() for d in drafts)
    assert f"({len(drafts)} incomplete)" in result.flat
    # Without --strict the same preview is a success: incomplete drafts are for review.
    assert run("--facts", german_facts(tmp_path), "--channels", "sms", "--out", out).code == 0


def test_strict_passes_when_every_draft_is_complete(tmp_path: Path) -> None:
    """The profile supplies the contact point: --strict exits 0."""
    out = tmp_path / "drafts"
    result = run(
        "--facts", german_facts(tmp_path), "--profile", PROFILE,
        "--channels", "email,sms", "--strict", "--out", out,
    )  # fmt: skip
    assert result.code == 0, result.output
    drafts = index_of(out)["drafts"]
    assert all(not d["missing_elements"] and not d["problems"] for d in drafts)
    assert "(0 incomplete)" in result.flat
    # --channels is the order of individuals channels: no letter was asked for.
    assert {d["channel"] for d in drafts} == {"email", "sms", "report"}


@pytest.mark.parametrize(
    ("channels", "named"),
    [("email,fax", "'fax'"), ("sms,report", "'report'")],
)
def test_a_bad_channel_exits_2_naming_it(tmp_path: Path, channels: str, named: str) -> None:
    """--channels takes personal channels only; the message names the bad one."""
    out = tmp_path / "drafts"
    result = run("--facts", FACTS, "--channels", channels, "--out", out)
    assert result.code == 2, result.output
    assert f"{named} is not a personal channel" in result.flat
    assert not (out / "index.json").exists()


def test_a_missing_population_exits_2_naming_it(tmp_path: Path) -> None:
    """A population path that does not exist is refused before anything is written."""
    missing = tmp_path / "nobody.csv"
    out = tmp_path / "drafts"
    result = run("--facts", FACTS, "--population", missing, "--out", out)
    assert result.code == 2, result.output
    assert f"{missing}: no such file" in result.flat
    assert not out.exists()


def test_a_population_without_ids_exits_2(tmp_path: Path) -> None:
    """A file that is not a population (no id column) is refused with the reason."""
    population = tmp_path / "people.csv"
    population.write_text("name,email\nAnn,ann@example.org\n", encoding="utf-8")
    result = run("--facts", FACTS, "--population", population, "--out", tmp_path / "drafts")
    assert result.code == 2, result.output
    assert "id" in result.flat and "Traceback" not in result.output


@pytest.mark.parametrize("bad", ["2026-13-01", "20.03.2026"])
def test_a_bad_notice_date_exits_2(tmp_path: Path, bad: str) -> None:
    """--notice-date must be YYYY-MM-DD."""
    result = run("--facts", FACTS, "--notice-date", bad, "--out", tmp_path / "drafts")
    assert result.code == 2, result.output
    assert f"--notice-date: {bad!r} is not a date (YYYY-MM-DD)" in result.flat


def test_missing_facts_exit_2(tmp_path: Path) -> None:
    """Facts that cannot be read are refused with the path in the message."""
    missing = tmp_path / "nothing.json"
    result = run("--facts", missing, "--out", tmp_path / "drafts")
    assert result.code == 2, result.output
    assert str(missing) in result.flat and "Traceback" not in result.output
