"""The send pacer: a provider's rate over any window, large batches, several threads.

Most tests run the bucket on a fake clock whose `sleep` advances time, so rates are checked
exactly and instantly; the thread tests use the real clock and assert lower bounds only.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest

from herald.channels.pacing import RateLimiter


class FakeTime:
    """A monotonic clock that only moves when someone sleeps."""

    def __init__(self) -> None:
        self.now = 1_000.0
        self.naps: list[float] = []
        self.on_sleep: Callable[[], None] | None = None

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        assert seconds > 0
        self.naps.append(seconds)
        self.now += seconds
        if self.on_sleep is not None:
            self.on_sleep()


def _limiter(fake: FakeTime, rate: float, burst: float | None = None) -> RateLimiter:
    return RateLimiter(rate, burst=burst, clock=fake.clock, sleep=fake.sleep)


def _most_in_any_window(times: list[float], window: float) -> int:
    """The largest number of `times` (sorted) inside one half-open window of `window` s."""
    most, first = 0, 0
    for last, moment in enumerate(times):
        while moment - times[first] >= window - 1e-9:
            first += 1
        most = max(most, last - first + 1)
    return most


def test_rate_must_be_positive() -> None:
    for rate in (0.0, -1.0):
        with pytest.raises(ValueError, match="positive"):
            RateLimiter(rate)


def test_default_burst_is_a_tenth_of_a_second_and_at_least_one_message() -> None:
    assert RateLimiter(100.0).burst == 10.0
    assert RateLimiter(2.0).burst == 1.0


def test_rate_is_respected_over_any_window() -> None:
    fake = FakeTime()
    rate = 100.0
    limiter = _limiter(fake, rate)
    start = fake.now
    granted: list[float] = []

    for _ in range(2_000):
        limiter.acquire()
        granted.append(fake.now)

    # The first burst goes at once; after it, exactly one message per 1/rate seconds.
    assert granted[: int(limiter.burst)] == [start] * int(limiter.burst)
    elapsed = granted[-1] - start
    assert elapsed == pytest.approx((2_000 - limiter.burst) / rate)
    assert 2_000 / elapsed == pytest.approx(rate, rel=0.01)
    # Any one-second window: at most a second's worth plus the burst, and once the burst is
    # spent, the rate itself (the +1 is the message at the window's closing instant).
    assert _most_in_any_window(granted, 1.0) <= rate + limiter.burst
    assert _most_in_any_window(granted[int(limiter.burst) :], 1.0) <= rate + 1
    # Over ten seconds the burst is within a few percent of what the rate allows.
    assert _most_in_any_window(granted, 10.0) <= 10 * rate * 1.02


def test_an_idle_bucket_refills_to_the_burst_only() -> None:
    fake = FakeTime()
    limiter = _limiter(fake, 50.0, burst=5)
    for _ in range(5):
        assert limiter.acquire() == 0.0
    fake.now += 60  # a minute without sends saves up no more than the burst

    waits = [limiter.acquire() for _ in range(8)]

    assert waits[:5] == [0.0] * 5
    assert waits[5:] == pytest.approx([1 / 50] * 3)


def test_a_batch_larger_than_the_burst_goes_at_once_after_waiting_for_all_of_it() -> None:
    fake = FakeTime()
    limiter = _limiter(fake, 100.0)  # burst 10
    beats: list[float] = []

    waited = limiter.acquire(1_000, idle=lambda: beats.append(fake.now))

    assert waited == pytest.approx((1_000 - 10) / 100)
    # Short naps, with a heartbeat after each, rather than one ten-second sleep.
    assert max(fake.naps) <= 0.5
    assert len(beats) == len(fake.naps) >= 20
    # The batch used up the budget: the next message waits its own share.
    assert limiter.acquire() == pytest.approx(1 / 100)


def test_a_large_batch_is_not_starved_by_single_messages_of_other_threads() -> None:
    fake = FakeTime()
    limiter = _limiter(fake, 100.0, burst=10)
    singles = 0
    inside = False

    def another_thread_sends() -> None:
        # Runs whenever the batch's thread naps, as another activity thread sending one
        # message at a time would; without fairness this goes on for ever.
        nonlocal singles, inside
        if inside:
            return
        inside = True
        try:
            singles += 1
            if singles > 1_000:
                raise AssertionError("the batch never got its turn")
            limiter.acquire()
        finally:
            inside = False

    fake.on_sleep = another_thread_sends
    start = fake.now

    waited = limiter.acquire(50)

    assert waited == pytest.approx(0.4)  # (50 - 10) / 100: single messages did not delay it
    assert singles == 1
    # The single message that asked while the batch waited went after it, at the rate.
    assert fake.now - start == pytest.approx(0.41)


def test_threads_share_one_rate() -> None:
    rate, threads, each = 200.0, 4, 25
    limiter = RateLimiter(rate)  # burst 20
    granted: list[float] = []
    lock = threading.Lock()

    def send() -> None:
        for _ in range(each):
            limiter.acquire()
            with lock:
                granted.append(time.monotonic())

    workers = [threading.Thread(target=send) for _ in range(threads)]
    start = time.monotonic()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()

    assert len(granted) == threads * each
    # Lower bound only: together the threads never beat the rate (beyond the first burst).
    assert max(granted) - start >= (threads * each - limiter.burst) / rate * 0.98


def test_a_batch_thread_gets_its_turn_among_single_message_threads() -> None:
    rate = 200.0
    limiter = RateLimiter(rate)  # burst 20
    done: dict[str, float] = {}
    asked = threading.Event()

    def batch() -> None:
        asked.set()
        limiter.acquire(60)
        done["batch"] = time.monotonic()

    def singles(name: str) -> None:
        asked.wait()
        for _ in range(40):
            limiter.acquire()
        done[name] = time.monotonic()

    workers = [threading.Thread(target=batch)] + [
        threading.Thread(target=singles, args=(f"singles-{i}",)) for i in range(3)
    ]
    start = time.monotonic()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()

    assert len(done) == 4
    # The batch went while the single-message threads were still sending: they did not
    # keep it waiting until they were done (ordering, not timing).
    assert done["batch"] < max(v for k, v in done.items() if k != "batch")
    assert max(done.values()) - start >= (60 + 120 - limiter.burst) / rate * 0.98
