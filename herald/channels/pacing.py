"""Pacing sends to a provider's rate: a token bucket shared by a worker's activity threads.

Temporal's `max_task_queue_activities_per_second` limits how often batch activities start
across every worker of a channel's queue; inside one batch, this bucket spaces the messages
themselves, so a batch never bursts above the rate a provider enforces (which would only earn
HTTP 429s and retries).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

__all__ = ["RateLimiter"]

# Never sleep longer than this at once, so the caller can heartbeat in between.
_MAX_NAP = 0.5


class RateLimiter:
    """At most `rate` messages per second on average, with bursts of up to `burst`."""

    def __init__(
        self,
        rate: float,
        *,
        burst: float | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        """A bucket that refills at `rate` tokens per second and holds at most `burst`.

        The default burst is a tenth of a second's worth (at least one message): any window
        of `w` seconds carries at most `burst + rate * w` messages, so 10% above the rate
        over one second and 1% over ten. `clock` and `sleep` are for tests (a fake clock).
        """
        if rate <= 0:
            raise ValueError("rate must be positive")
        self.rate = rate
        self.burst = burst if burst is not None else max(1.0, rate / 10)
        self._clock = clock
        self._sleep = sleep
        self._tokens = self.burst
        self._stamp = clock()
        self._lock = threading.Lock()

    def acquire(self, count: int = 1, *, idle: Callable[[], None] | None = None) -> float:
        """Wait until `count` messages may go; return the seconds waited.

        A batch larger than the burst is let through as one request once enough time has
        passed for all of it (a SendGrid request carries up to 1,000 recipients at once).
        Callers are served in arrival order: each takes its tokens at once, running the
        bucket into debt, and waits until the debt is repaid. (Waiting for the tokens to be
        there instead lets a stream of single messages from other threads starve a large
        batch for good.) `idle` is called between naps (a heartbeat).
        """
        with self._lock:
            now = self._clock()
            self._tokens = min(self.burst, self._tokens + (now - self._stamp) * self.rate)
            self._stamp = now
            self._tokens -= count
            ready_at = now - min(self._tokens, 0.0) / self.rate
        waited = 0.0
        while (left := ready_at - self._clock()) > 0:
            nap = min(left, _MAX_NAP)
            self._sleep(nap)
            waited += nap
            if idle is not None:
                idle()
        return waited
