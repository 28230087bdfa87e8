"""A token bucket shared by every Cost Explorer call: it waits, and says so, rather than failing."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

log = logging.getLogger(__name__)


class TokenBucket:
    """`rate_per_hour` tokens an hour, refilled continuously, holding at most `capacity` (default: the rate)."""

    def __init__(self, rate_per_hour: float, capacity: float | None = None,
                 clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep,
                 name: str = "Cost Explorer") -> None:
        if rate_per_hour <= 0:
            raise ValueError("rate_per_hour must be positive")
        self.rate_per_second = rate_per_hour / 3600.0
        self.capacity = float(capacity if capacity is not None else rate_per_hour)
        self._tokens = self.capacity
        self._clock = clock
        self._sleep = sleep
        self._updated = clock()
        self._lock = threading.Lock()
        self.name = name
        self.waited_seconds = 0.0

    def _refill(self) -> None:
        now = self._clock()
        self._tokens = min(self.capacity, self._tokens + (now - self._updated) * self.rate_per_second)
        self._updated = now

    def acquire(self) -> float:
        """Take one token, sleeping until one is available. Returns the seconds waited."""
        waited = 0.0
        while True:
            with self._lock:
                self._refill()
                if self._tokens >= 1:
                    self._tokens -= 1
                    self.waited_seconds += waited
                    return waited
                wait = (1 - self._tokens) / self.rate_per_second
            log.warning("%s rate limit reached: waiting %.1f s for the next request slot", self.name, wait)
            self._sleep(wait)
            waited += wait
