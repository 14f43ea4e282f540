"""`herald bench …`: measure Herald's speed on synthetic work (the contract is in design.md).

`herald bench rules` times the rules engine alone: one set of incident facts touching many
jurisdictions, evaluated under every regime again and again. It measures and reports; it
asserts nothing about speed, so a slow machine never fails a test.
"""

from __future__ import annotations

import json
import time
from itertools import chain, zip_longest
from typing import Annotated, Any

import pycountry
import typer

from herald import rules
from herald.impact import judge
from herald.jurisdictions import EEA_STATES
from herald.models import IncidentFacts

app = typer.Typer(
    help="Measure Herald's speed on synthetic work; prints figures, never judges them.",
    no_args_is_help=True,
)

DEFAULT_JURISDICTIONS = 60
DEFAULT_ROUNDS = 200

# The jurisdictions a large multinational breach typically touches. Round-robin over the three
# groups (see `_pool`) so that even a small --jurisdictions N mixes EU/EEA, US and elsewhere.
_EEA = sorted(EEA_STATES)
_US = [
    "US-CA", "US-NY", "US-TX", "US-FL", "US-MA", "US-WA", "US-CO", "US-IL", "US-NJ", "US-PA",
    "US-GA", "US-OH", "US-VA", "US-MI", "US-AZ", "US-OR", "US-NC", "US-MN", "US-CT", "US-DC",
]  # fmt: skip
_ELSEWHERE = [
    "GB", "CN-SH", "SG", "AU-NSW", "CA-ON", "CA-QC", "BR-SP", "JP-13", "KR-11", "IN-MH",
]  # fmt: skip

# Categories that trigger notices almost everywhere: a name with a government id or an
# account number (US state laws), credentials on their own (California), health data
# (HIPAA), and enough of them together for a high risk (GDPR Art. 34).
_CATEGORIES = [
    "name",
    "email",
    "account_credentials",
    "government_id",
    "financial_account",
    "health",
]


def _pool() -> list[str]:
    """Every jurisdiction the benchmark can use, the default 60 first.

    Beyond the curated 60, the remaining US states and then every other country follow, so a
    larger --jurisdictions N still means N distinct, valid codes.
    """
    curated = [
        code for code in chain.from_iterable(zip_longest(_EEA, _US, _ELSEWHERE)) if code is not None
    ]
    seen = set(curated)
    states = sorted(
        s.code
        for s in pycountry.subdivisions.get(country_code="US")
        if s.type in {"State", "District"}
    )
    countries = sorted(c.alpha_2 for c in pycountry.countries)
    return curated + [code for code in chain(states, countries) if code not in seen]


def bench_facts(jurisdictions: int = DEFAULT_JURISDICTIONS) -> IncidentFacts:
    """Incident facts with one affected group in each of the first ``jurisdictions`` codes.

    Args:
        jurisdictions: how many distinct jurisdictions the incident touches.

    Returns:
        Validated facts (validation is done here, outside any timed loop).

    Raises:
        ValueError: if ``jurisdictions`` is below 1 or above the pool's size.
    """
    pool = _pool()
    if not 1 <= jurisdictions <= len(pool):
        raise ValueError(f"jurisdictions must be between 1 and {len(pool)}, got {jurisdictions}")
    # Counts above 500 cross the usual regulator thresholds (California's AG: more than 500);
    # varying them keeps every group distinct without randomness, so runs are comparable.
    affected = [
        {"jurisdiction": code, "count": 600 + 37 * index}
        for index, code in enumerate(pool[:jurisdictions])
    ]
    data: dict[str, Any] = {
        "aware_at": "2026-03-02T09:15:00-05:00",
        "discovered_at": "2026-03-01T22:00:00-05:00",
        "determined_at": "2026-03-02T09:15:00-05:00",
        # A US controller outside the EEA: the GDPR then reaches each EEA group on its own
        # (Art. 3(2)), the heaviest case for the engine, and the sector regimes join in.
        "entity": {
            "name": "Bench Holdings Inc.",
            "established_in": ["US-DE"],
            "sectors": ["sec_registrant", "hipaa_covered_entity"],
            "timezone": "America/New_York",
        },
        "data_categories": _CATEGORIES,
        "encryption": {"encrypted": False, "key_compromised": False},
        "affected": affected,
        "title": "Benchmark incident",
    }
    return IncidentFacts.model_validate(data)


@app.command("rules")
def bench_rules(
    as_json: Annotated[bool, typer.Option("--json", help="print one JSON object")] = False,
    jurisdictions: Annotated[
        int,
        typer.Option("--jurisdictions", min=1, help="distinct jurisdictions the incident touches"),
    ] = DEFAULT_JURISDICTIONS,
    rounds: Annotated[
        int, typer.Option("--rounds", min=1, help="timed evaluations")
    ] = DEFAULT_ROUNDS,
) -> None:
    """Time the rules engine: evaluate every regime for one many-jurisdiction incident."""
    try:
        facts = bench_facts(jurisdictions)
    except ValueError as err:
        raise typer.BadParameter(str(err), param_hint="--jurisdictions") from err
    # Warm-up through the production path: it loads every regime's data once and yields the
    # population-folded facts and assessment the workflow hands to the engine, so the timed
    # loop measures evaluation only, not first-use loading or input validation.
    judged, assessment, evaluation = judge(facts)
    started = time.perf_counter()
    for _ in range(rounds):
        evaluation = rules.evaluate(judged, assessment)
    elapsed = time.perf_counter() - started
    figures = {
        "jurisdictions": jurisdictions,
        "evaluations": rounds,
        "ms_per_evaluation": round(elapsed * 1000 / rounds, 6),
        "obligations": len(evaluation.obligations),
        "regimes": len(evaluation.decisions),
    }
    if as_json:
        typer.echo(json.dumps(figures))
        return
    typer.echo(
        f"rules: {figures['ms_per_evaluation']:.3f} ms per evaluation "
        f"({rounds} evaluations, {jurisdictions} jurisdictions, "
        f"{figures['regimes']} regimes, {figures['obligations']} obligations)"
    )


@app.command("delivery")
def bench_delivery(
    recipients: Annotated[
        int, typer.Option("--recipients", min=1, help="people in the synthetic population")
    ] = 100_000,
    channel: Annotated[
        str, typer.Option("--channel", help="email (SendGrid), sms (Twilio) or push (FCM)")
    ] = "email",
    rate: Annotated[
        float | None,
        typer.Option("--rate", min=0.001, help="messages per second allowed on the channel"),
    ] = None,
    baseline: Annotated[
        str | None,
        typer.Option("--baseline", help="also run 'naive': one SDK call per person in a loop"),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print one JSON object")] = False,
) -> None:
    """Run one real campaign through Temporal against a fast local provider peer.

    The official SDKs send to a peer on 127.0.0.1 that counts every recipient it receives;
    duplicates and missed are its counts, not the ledger's.
    """
    from herald.benchmarks.delivery import BENCH_CHANNELS, run_delivery_bench
    from herald.models import Channel

    try:
        chosen = Channel(channel)
    except ValueError:
        chosen = None
    if chosen not in BENCH_CHANNELS:
        raise typer.BadParameter("choose email, sms or push", param_hint="--channel")
    assert chosen is not None
    if baseline not in (None, "naive"):
        raise typer.BadParameter("the only baseline is 'naive'", param_hint="--baseline")
    result = run_delivery_bench(recipients, chosen, rate=rate, baseline=baseline)
    if as_json:
        typer.echo(json.dumps(result.as_dict()))
        return
    typer.echo(
        f"delivery ({result.channel}): {result.recipients} recipients in {result.seconds:.1f} s "
        f"= {result.per_second:.0f}/s; peak RSS {result.peak_rss_mb:.0f} MB; largest history "
        f"{result.max_history_events} events over {result.campaign_runs} runs; "
        f"duplicates {result.duplicates}, missed {result.missed}"
        + (f"; rate limit {result.rate_limit:g}/s" if result.rate_limit else "")
    )
    if result.baseline:
        b = result.baseline
        typer.echo(
            f"naive loop: {b['recipients']} recipients in {b['seconds']:.1f} s "
            f"= {b['per_second']:.0f}/s (peer received {b['received']})"
        )


@app.command("chaos")
def bench_chaos(
    recipients: Annotated[
        int, typer.Option("--recipients", min=2, help="people in the synthetic population")
    ] = 100_000,
    kills: Annotated[
        int, typer.Option("--kills", min=0, help="times the worker is killed (SIGKILL)")
    ] = 10,
    channel: Annotated[
        str,
        typer.Option(
            "--channel",
            help="sms (Twilio, default: it can say after a crash what it has), email, push",
        ),
    ] = "sms",
    seed: Annotated[int, typer.Option("--seed", help="seeds the kill points")] = 0,
    rate: Annotated[
        float | None,
        typer.Option("--rate", min=0.001, help="messages per second allowed on the channel"),
    ] = None,
    timeout: Annotated[
        float | None,
        typer.Option("--timeout", min=1, help="seconds before giving up (completed: false)"),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print one JSON object")] = False,
) -> None:
    """Run a campaign while its worker is killed --kills times and Temporal once.

    The worker runs in its own process and is started again after each SIGKILL; the Temporal
    dev server is killed once and started again on the same database. The local provider
    peer then counts who got the notice: missed and duplicates are its counts. On email and
    push, a send interrupted mid-request is held `unknown` (the provider cannot say whether it
    took it), which shows as missed; SMS can be asked, hence the default.
    """
    from herald.benchmarks.chaos import CHAOS_CHANNELS, ChaosPlan, run_chaos_bench
    from herald.models import Channel

    try:
        chosen = Channel(channel)
    except ValueError:
        chosen = None
    if chosen not in CHAOS_CHANNELS:
        raise typer.BadParameter("choose sms, email or push", param_hint="--channel")
    assert chosen is not None
    try:
        ChaosPlan.draw(recipients, kills, seed)
    except ValueError as err:
        raise typer.BadParameter(str(err), param_hint="--kills") from err
    result = run_chaos_bench(recipients, kills, chosen, seed, rate=rate, timeout_s=timeout)
    if as_json:
        typer.echo(json.dumps(result.as_dict()))
        return
    typer.echo(
        f"chaos ({result.channel}): {result.recipients} recipients, {result.kills} worker kills, "
        f"{result.server_restarts} Temporal restart(s) in {result.seconds:.1f} s; "
        f"missed {result.missed}, duplicates {result.duplicates}, unknown {result.unknown}; "
        f"campaign {'completed' if result.completed else 'NOT completed'} "
        f"({result.workflow_status}); timeline and logs in {result.home}"
    )
