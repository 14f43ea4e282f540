"""`herald bench chaos`: a campaign whose worker is killed again and again, and whose Temporal
server is killed once, must still reach everyone exactly once.

The campaign is the one `herald bench delivery` runs (`start_campaign`), sent through the real
adapter to the local provider peer. The worker is `herald worker` in its own OS process: it is
killed with SIGKILL `kills` times and started again each time, as a supervisor would. The
Temporal dev server is killed once (SIGKILL) and started again on the same SQLite file and
port; the worker and this process reconnect by themselves. The peer, the receiving side, then
counts who got the notice: `missed` never received it, `duplicates` counts every message
beyond the first to a person.

Kill points are drawn from a seeded RNG as numbers of recipients the peer must have received
first (between 2% and 95% of the population), not as clock times: a SIGKILL stalls the
campaign until Temporal notices the dead worker's batches (their one-minute heartbeat timeout),
and a kill drawn on the clock would mostly land in such a stall, on a worker with nothing to
lose. Drawn on progress, every kill interrupts a worker that is sending. The next kill also
waits until the restarted worker has sent something.

Why SMS is the default channel: a worker killed mid-request leaves rows in `sending`, and the
retry asks the provider whether it has those messages (`ChannelAdapter.lookup`). Twilio can
answer (the message list, which the peer serves with `keep_bodies`), so such rows become sent
or are sent once more, and the goal "0 missed, 0 duplicates" holds. SendGrid and FCM cannot
answer, so those rows are held `unknown` for a person to decide (`herald deliveries resend`):
never sent twice, but not sent either, so `--channel email` reports them as missed and in
`unknown`. That is Herald's promise (at most once, and say so when unsure), not a failure to
hide.
"""

from __future__ import annotations

import asyncio
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import asdict, dataclass, field
from datetime import timedelta
from pathlib import Path
from types import FrameType
from typing import Any

from temporalio.client import WorkflowExecutionStatus, WorkflowHandle
from temporalio.service import RPCError

from herald.benchmarks.delivery import INCIDENT, start_campaign
from herald.benchmarks.setup import LocalPeer, peer_providers, provider_env, write_population
from herald.channels.config import ProviderSettings
from herald.models import Channel
from herald.settings import Settings
from herald.store.db import make_engine
from herald.store.ledger import Ledger
from herald.temporal import EmbeddedTemporal, connect, free_port

__all__ = ["CHAOS_CHANNELS", "ChaosBenchResult", "ChaosPlan", "WorkerProcess", "run_chaos_bench"]

CHAOS_CHANNELS = (Channel.SMS, Channel.EMAIL, Channel.PUSH)
POLL_S = 0.1
# A worker that ends on its own is started again, but one that cannot start at all (a broken
# install) would be started again forever: past this many exits the run fails instead.
MAX_WORKER_EXITS = 5
# Kill points lie in this share of the population: not before the campaign got going, and
# not so late that the last batch could end before the kill.
_FIRST, _LAST = 0.02, 0.95


@dataclass
class ChaosBenchResult:
    """What one run found (the `--json` keys of design.md's contract come first).

    `kills` and `server_restarts` count the strikes made: fewer than asked means the campaign
    ended before the peer's count reached a strike point.
    """

    recipients: int
    kills: int
    missed: int
    duplicates: int
    completed: bool
    channel: str
    seconds: float
    server_restarts: int
    unknown: int
    ledger_sent: int
    kill_times: list[float]
    kill_points: list[int]
    server_restart_times: list[float]
    worker_exits: int
    workflow_status: str
    rate_limit: float | None
    seed: int
    home: str  # the run's HERALD_HOME: chaos.log (timeline), worker.log, temporal.log

    def as_dict(self) -> dict[str, Any]:
        """The JSON object `--json` prints."""
        return asdict(self)


@dataclass
class ChaosPlan:
    """When to strike, as numbers of recipients the peer has received (ascending)."""

    kill_at: list[int]
    restart_at: list[int] = field(default_factory=list)

    @classmethod
    def draw(cls, recipients: int, kills: int, seed: int, *, server_restarts: int = 1) -> ChaosPlan:
        """Distinct kill points and the server restart point(s), from a seeded RNG."""
        rng = random.Random(seed)
        low = max(1, int(recipients * _FIRST))
        high = max(low + 1, int(recipients * _LAST))
        if kills > high - low:
            raise ValueError(f"{kills} kills need a population of at least {kills * 2} people")
        kill_at = sorted(rng.sample(range(low, high), kills))
        restart_at = sorted(rng.randrange(low, high) for _ in range(server_restarts))
        return cls(kill_at=kill_at, restart_at=restart_at)


class WorkerProcess:
    """Herald's standalone worker (`python -m worker`, the `worker.py` of deployments) in a
    child process, to be killed and started again.

    Not `herald worker`: that command also loads the HTTP API's modules, which a worker does
    not use and which would only slow each restart down.
    """

    def __init__(self, env: dict[str, str], home: Path) -> None:
        """Prepare; `start` launches it. Its output goes to `home`/worker.log."""
        self.env = env
        self.home = home
        self.exits = 0
        self._process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        """Start a fresh worker process (the previous one must have ended)."""
        with (self.home / "worker.log").open("ab") as log:
            self._process = subprocess.Popen(
                [sys.executable, "-m", "worker"],
                env=self.env,
                # A folder of its own: no stray .env file is read, the environment is all.
                cwd=self.home,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=log,
            )

    def kill(self) -> None:
        """SIGKILL: no shutdown, no `finally`, whatever was in flight is left as it was."""
        if self._process is not None and self._process.poll() is None:
            self._process.kill()
            self._process.wait()

    def ensure_running(self) -> bool:
        """Start the worker again if it ended on its own (a supervisor's job), counting it;
        True if it had to."""
        if self._process is not None and self._process.poll() is not None:
            self.exits += 1
            if self.exits > MAX_WORKER_EXITS:
                raise RuntimeError(
                    f"the worker keeps exiting on its own: see {self.home / 'worker.log'}"
                )
            self.start()
            return True
        return False

    def stop(self) -> None:
        """Stop gracefully (SIGTERM), hard after a grace period."""
        if self._process is None or self._process.poll() is not None:
            return
        self._process.terminate()
        try:
            self._process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.kill()


class CrashableTemporal(EmbeddedTemporal):
    """The embedded dev server, which can also be killed outright."""

    def crash(self) -> None:
        """SIGKILL the server; `start` brings it back on the same database file and port."""
        process = self._process
        if process is not None and process.poll() is None:
            process.kill()
            process.wait()


def run_chaos_bench(
    recipients: int,
    kills: int,
    channel: Channel = Channel.SMS,
    seed: int = 0,
    *,
    rate: float | None = None,
    timeout_s: float | None = None,
    workdir: Path | None = None,
) -> ChaosBenchResult:
    """Run the campaign under fire in a fresh HERALD_HOME (a temporary folder unless `workdir`).

    Args:
        recipients: people in the synthetic population.
        kills: how many times the worker is killed (SIGKILL) and started again.
        channel: sms (default: its provider answers lookups, see the module doc), email, push.
        seed: seeds the kill points, so a run can be repeated.
        rate: messages per second on the channel (slows a small campaign down enough to be
            killed mid-send); None: as fast as it goes.
        timeout_s: give up (`completed: false`) after this long; default grows with the size.
        workdir: HERALD_HOME to use; kept afterwards, with worker.log and temporal.log.

    Every process started here (peer, Temporal, worker) is stopped on return, on error and
    on Ctrl-C or SIGTERM.
    """
    plan = ChaosPlan.draw(recipients, kills, seed)
    if timeout_s is None:
        # Each kill costs about a heartbeat timeout (60 s) plus backoff; sending itself is
        # quick unless rate-limited.
        sending = recipients / rate if rate else recipients / 500
        timeout_s = 300 + 150 * (kills + 1) + 2 * sending
    home = workdir or Path(tempfile.mkdtemp(prefix="herald-chaos-"))
    settings = Settings(home=home)
    settings.ensure_home()
    population = home / "population.csv"
    write_population(population, recipients)
    with ExitStack() as stack:
        stack.enter_context(_sigterm_raises())
        peer = stack.enter_context(LocalPeer(keep_bodies=True))
        providers = peer_providers(peer.url, home, channel, rate)
        server = CrashableTemporal(settings, port=free_port(), ui_port=None)
        stack.callback(server.stop)
        server.start()
        settings.temporal_port = server.port
        queue = f"chaos-{time.time_ns()}"
        worker = WorkerProcess(_worker_env(settings, server, providers, queue), home)
        stack.callback(worker.stop)
        run = _Run(settings, server, worker, peer, plan, time.monotonic() + timeout_s)
        asyncio.run(run.drive(population, channel, queue))
        worker.stop()
        received = peer.stats()
    engine = make_engine(settings.db_url)
    counts = Ledger(engine).counts(INCIDENT, channel)
    engine.dispose()
    return ChaosBenchResult(
        recipients=recipients,
        kills=len(run.kill_times),
        missed=recipients - received["unique"],
        duplicates=received["duplicates"],
        completed=run.status is WorkflowExecutionStatus.COMPLETED,
        channel=channel.value,
        seconds=round(run.seconds, 3),
        server_restarts=len(run.restart_times),
        unknown=counts["unknown"],
        ledger_sent=counts["sent"],
        kill_times=run.kill_times,
        kill_points=run.kill_points,
        server_restart_times=run.restart_times,
        worker_exits=worker.exits,
        workflow_status=run.status.name.lower() if run.status else "unknown",
        rate_limit=rate,
        seed=seed,
        home=str(home),
    )


class _Run:
    """Watches the peer's count and the workflow, striking at the plan's points."""

    def __init__(
        self,
        settings: Settings,
        server: CrashableTemporal,
        worker: WorkerProcess,
        peer: LocalPeer,
        plan: ChaosPlan,
        deadline: float,
    ) -> None:
        self.settings = settings
        self.server = server
        self.worker = worker
        self.peer = peer
        self.kill_at = list(plan.kill_at)
        self.restart_at = list(plan.restart_at)
        self.deadline = deadline
        self.kill_times: list[float] = []
        self.kill_points: list[int] = []
        self.restart_times: list[float] = []
        self.status: WorkflowExecutionStatus | None = None
        self.seconds = 0.0
        self._started = 0.0
        # The next strike waits until the peer's count passes this: the worker (re)started
        # after the last strike has sent something, so no strike hits an idle worker.
        self._floor = -1
        self._log = settings.home / "chaos.log"

    def note(self, event: str, unique: int) -> None:
        """One line of the run's timeline in HERALD_HOME/chaos.log (counts only, no people)."""
        at = time.monotonic() - self._started if self._started else 0.0
        with self._log.open("a", encoding="utf-8") as log:
            log.write(f"{at:9.3f}s  received {unique:>9}  {event}\n")

    async def drive(self, population: Path, channel: Channel, queue: str) -> None:
        # Connecting first writes the codec key file the worker then reads.
        client = await connect(self.settings)
        self.worker.start()
        handle = await start_campaign(client, queue, population, channel)
        self._started = time.monotonic()
        self.note("campaign started", 0)
        reported = -1
        while time.monotonic() < self.deadline:
            unique = self.peer.stats()["unique"]
            if unique // 1000 != reported // 1000 or (unique and reported <= 0):
                self.note("progress", unique)
                reported = unique
            if self.worker.ensure_running():
                self.note("worker had exited on its own; started again", unique)
            if self.kill_at and unique >= self.kill_at[0] and unique > self._floor:
                self._kill_worker(unique)
            if self.restart_at and unique >= self.restart_at[0] and unique > self._floor:
                self._restart_server(unique)
            self.status = await _status(handle)
            if self.status not in (None, WorkflowExecutionStatus.RUNNING):
                break
            await asyncio.sleep(POLL_S)
        self.seconds = time.monotonic() - self._started
        status = self.status.name.lower() if self.status else "unknown"
        self.note(f"stopped watching: workflow {status}", self.peer.stats()["unique"])

    def _kill_worker(self, unique: int) -> None:
        self.worker.kill()
        self.kill_at.pop(0)
        self.kill_times.append(round(time.monotonic() - self._started, 3))
        self.kill_points.append(unique)
        self.worker.start()
        self._floor = self.peer.stats()["unique"]
        self.note(f"worker killed (SIGKILL, kill {len(self.kill_times)}) and started again", unique)

    def _restart_server(self, unique: int) -> None:
        self.server.crash()
        self.restart_at.pop(0)
        self.restart_times.append(round(time.monotonic() - self._started, 3))
        self.server.start()
        self._floor = max(self._floor, unique)
        self.note("Temporal server killed (SIGKILL) and started again", unique)


async def _status(handle: WorkflowHandle[Any, Any]) -> WorkflowExecutionStatus | None:
    """The campaign's status (its latest run), or None while the server does not answer."""
    try:
        description = await handle.describe(rpc_timeout=timedelta(seconds=5))
    except RPCError:
        return None
    return description.status


def _worker_env(
    settings: Settings, server: EmbeddedTemporal, providers: ProviderSettings, queue: str
) -> dict[str, str]:
    """The environment of `herald worker`: this run's home, server, queue and providers, and
    none of the caller's own HERALD_* settings."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("HERALD_")}
    env.update(provider_env(providers))
    env.update(
        HERALD_HOME=str(settings.home),
        HERALD_TEMPORAL_ADDRESS=server.address,
        HERALD_TEMPORAL_NAMESPACE=settings.temporal_namespace,
        HERALD_TASK_QUEUE=queue,
        HERALD_DATABASE_URL=settings.db_url,
    )
    if settings.codec_keys:
        env["HERALD_CODEC_KEYS"] = settings.codec_keys.get_secret_value()
    return env


@contextmanager
def _sigterm_raises() -> Iterator[None]:
    """Make SIGTERM unwind like Ctrl-C, so the child processes are stopped on the way out."""

    def raise_exit(signum: int, _frame: FrameType | None) -> None:
        raise SystemExit(128 + signum)

    try:
        previous = signal.signal(signal.SIGTERM, raise_exit)
    except ValueError:  # not the main thread: leave signals alone
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
