"""`herald dev` as its own process for the end-to-end tests: started on the ports given,
waited for, and stopped with everything it started."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping

from herald.temporal import port_open


@contextlib.contextmanager
def herald_dev(
    env: Mapping[str, str], *, port: int, ui_port: int, api_port: int | None = None
) -> Iterator[subprocess.Popen[str]]:
    """Run `herald dev` with `env` until the block ends; ready once Temporal (and, when
    `api_port` is given, the API) listens."""
    args = ["--temporal-port", str(port), "--temporal-ui-port", str(ui_port)]
    if api_port is not None:
        args += ["--port", str(api_port)]
    process = subprocess.Popen(
        [sys.executable, "-m", "herald.cli", "dev", *args],
        env=dict(env),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        # Its own process group: the teardown stops the Temporal server it started too.
        start_new_session=True,
    )
    ports = [port] if api_port is None else [port, api_port]
    deadline = time.monotonic() + 60
    while not all(port_open("127.0.0.1", p) for p in ports):
        assert process.poll() is None, process.stdout.read() if process.stdout else ""
        assert time.monotonic() < deadline, "herald dev did not start"
        time.sleep(0.2)
    try:
        yield process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)  # herald dev stops its Temporal server on Ctrl-C
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=30)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)  # whatever of the group is left
        process.wait()
