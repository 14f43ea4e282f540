"""`herald bench chaos`: a campaign survives its worker being SIGKILLed and Temporal being
killed and restarted, with nobody missed and nobody notified twice (counted at the peer).

Real processes throughout: the provider peer, the Temporal dev server and the worker. One
worker kill costs about a minute, the campaign's heartbeat timeout: only then does Temporal
give the dead worker's batch to the restarted one, so the end-to-end test kills once.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from herald.benchmarks.chaos import ChaosPlan
from herald.benchmarks.delivery import campaign_input
from herald.benchmarks.setup import LocalPeer, peer_providers, provider_env, write_population
from herald.channels.config import ProviderSettings
from herald.channels.registry import build_adapters
from herald.cli import app
from herald.delivery import personalise, pick_message
from herald.models import Channel, Person
from herald.settings import Settings


def test_chaos_cli_campaign_survives_kills_and_a_server_restart() -> None:
    # 3,000 people take a second or more to send, so the kill (drawn by seed 0 at 1,637
    # received) and the server restart (at 1,782) both land while the worker is sending.
    result = CliRunner().invoke(
        app, ["bench", "chaos", "--recipients", "3000", "--kills", "1", "--json"]
    )
    assert result.exit_code == 0, result.output
    figures = json.loads(result.output.strip().splitlines()[-1])
    assert list(figures)[:5] == ["recipients", "kills", "missed", "duplicates", "completed"]
    assert figures["recipients"] == 3000
    assert figures["kills"] == 1
    assert figures["server_restarts"] == 1
    assert figures["completed"] is True
    assert figures["missed"] == 0
    assert figures["duplicates"] == 0
    assert figures["unknown"] == 0
    assert figures["ledger_sent"] == 3000


def test_plan_is_seeded_distinct_and_within_the_campaign() -> None:
    plan = ChaosPlan.draw(100_000, 10, seed=7)
    assert plan == ChaosPlan.draw(100_000, 10, seed=7)
    assert plan != ChaosPlan.draw(100_000, 10, seed=8)
    assert len(set(plan.kill_at)) == 10 and plan.kill_at == sorted(plan.kill_at)
    assert all(2_000 <= point < 95_000 for point in [*plan.kill_at, *plan.restart_at])
    with pytest.raises(ValueError, match="population"):
        ChaosPlan.draw(10, 10, seed=0)


def test_cli_refuses_more_kills_than_people_and_unknown_channels() -> None:
    runner = CliRunner()
    too_many = runner.invoke(app, ["bench", "chaos", "--recipients", "10", "--kills", "10"])
    assert too_many.exit_code == 2 and "--kills" in too_many.output
    letter = runner.invoke(app, ["bench", "chaos", "--recipients", "10", "--channel", "letter"])
    assert letter.exit_code == 2 and "--channel" in letter.output


def test_provider_env_reads_back_as_the_same_settings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    providers = peer_providers("http://127.0.0.1:9", tmp_path, Channel.SMS, 12.5)
    for name, value in provider_env(providers).items():
        monkeypatch.setenv(name, value)
    monkeypatch.chdir(tmp_path)  # no stray .env
    assert ProviderSettings() == providers


@pytest.fixture(scope="module")
def remembering_peer() -> Iterator[LocalPeer]:
    with LocalPeer(keep_bodies=True) as peer:
        yield peer


def test_peer_answers_twilio_lookups_of_what_it_received(
    remembering_peer: LocalPeer, settings: Settings
) -> None:
    # Crash recovery asks Twilio whether an interrupted SMS exists: the peer must say yes for
    # what it received and no for the rest, or the chaos bench would count duplicates.
    providers = peer_providers(remembering_peer.url, settings.home, Channel.SMS, None)
    adapter = build_adapters(settings, providers)[Channel.SMS]
    population = settings.ensure_home() / "population.csv"
    write_population(population, 1)
    spec = campaign_input(population, Channel.SMS).spec
    people = [
        Person(row=n, id=f"P{n}", jurisdiction="US-CA", name=f"Person {n}", phone=phone)
        for n, phone in enumerate(["+14152000001", "+14152000002"], start=1)
    ]
    sent, unsent = (personalise(pick_message(spec, "en"), p, spec) for p in people)
    assert adapter.send_batch([sent])[0].accepted
    assert adapter.lookup([sent, unsent]) == [True, False]
