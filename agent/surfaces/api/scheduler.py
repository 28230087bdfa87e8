"""`AWS_COLLECTION_SCHEDULE` inside `serve`: a cron expression that starts collection jobs.

A tick that finds a job still running is skipped and logged, never queued: collections do not overlap.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime

from croniter import croniter

from agent.surfaces.api.jobs import JobManager

log = logging.getLogger(__name__)


class CollectionScheduler:
    """One daemon thread sleeping until the next cron time; `stop()` wakes and ends it."""

    def __init__(self, schedule: str, jobs: JobManager, clock: Callable[[], datetime] | None = None) -> None:
        if not croniter.is_valid(schedule):
            raise ValueError(f"{schedule!r} is not a cron expression")
        self.schedule = schedule
        self.jobs = jobs
        self._clock = clock or (lambda: datetime.now(UTC))
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.fired = 0
        self.skipped = 0

    def next_run(self, after: datetime | None = None) -> datetime:
        return croniter(self.schedule, after or self._clock()).get_next(datetime)

    def tick(self) -> bool:
        """Start a collection unless one is running; True when one was started."""
        job, started = self.jobs.start(trigger="schedule")
        if started:
            self.fired += 1
            log.info("scheduled collection started: job %s (schedule %r)", job.job_id, self.schedule)
        else:
            self.skipped += 1
            log.warning("scheduled collection skipped: job %s is still running (started %s)",
                        job.job_id, job.started_at.isoformat())
        return started

    def _loop(self) -> None:
        while not self._stop.is_set():
            due = self.next_run()
            wait = max(0.0, (due - self._clock()).total_seconds())
            if self._stop.wait(wait):
                return
            self.tick()

    def start(self) -> None:
        if self._thread is not None:
            return
        self._thread = threading.Thread(target=self._loop, name="collection-scheduler", daemon=True)
        self._thread.start()
        log.info("collection schedule %r: next run at %s", self.schedule, self.next_run().isoformat())

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
