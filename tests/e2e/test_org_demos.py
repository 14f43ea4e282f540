"""`herald demo --org SLUG` for each seed organisation, checked against its profile.

Each organisation's sample incident states what its privacy policy leads us to expect in
`profiles/samples/<slug>/expected.json`: the channels notices go out on, the languages of the
notices, the authorities reported to, the policy obligations created, and whether a public
announcement is posted. The demo runs the whole incident; this compares what happened.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from herald.profiles import SAMPLES_DIR, known_orgs, load_profile, sample_incident
from herald.temporal import free_port

SEED_ORGS = ["best-inc", "our-company", "bestcem", "beiye", "bestqi"]


def test_every_seed_organisation_has_a_profile_and_a_sample() -> None:
    assert sorted(SEED_ORGS) == sorted(known_orgs())
    for slug in SEED_ORGS:
        profile = load_profile(sample_incident(slug).profile)
        assert profile.slug == slug
        assert profile.commitments, f"{slug}: the policy's incident promises are missing"


@pytest.mark.parametrize("slug", SEED_ORGS)
def test_the_demo_follows_the_policy(slug: str, tmp_path: Path) -> None:
    expected: dict[str, Any] = json.loads((SAMPLES_DIR / slug / "expected.json").read_text())
    env = {
        **os.environ,
        "HERALD_HOME": str(tmp_path / "home"),
        "HERALD_TEMPORAL_PORT": str(free_port()),
    }
    run = subprocess.run(
        [sys.executable, "-m", "herald.cli", "demo", "--org", slug, "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    result = json.loads(run.stdout.strip().splitlines()[-1])
    assert result["phase"] == "closed"
    obligations = set(result["obligation_ids"])
    assert {o for o in obligations if o.startswith("policy-")} == set(
        expected["policy_obligations"]
    )
    assert sorted(r["id"] for r in result["reports"]) == sorted(expected["authorities"])
    sent = {d["channel"] for d in result["deliveries"] if d["sent"]}
    assert sent == set(expected["channels"])
    languages = {d["language"] for d in result["drafts"] if d["audience"] == "individuals"}
    assert languages == set(expected["languages"])
    public = any(d["audience"] == "public" for d in result["drafts"])
    assert public == expected["public_announcement"]
    outbox = Path(result["outbox"])
    assert outbox.is_dir()
    if expected["public_announcement"]:
        assert list((outbox / "public").glob("*.html"))
