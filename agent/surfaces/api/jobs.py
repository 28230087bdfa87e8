"""Collection jobs: at most one runs at a time; asking for another returns the running one.

A job runs in a daemon thread, except in inline mode, the default inside AWS Lambda (`AWS_LAMBDA_FUNCTION_NAME`
is set): there the runtime freezes the execution environment once the response is returned, so a background
thread would stop mid-run. Inline, `start` runs the job to completion in the caller's thread and returns it
finished.
"""

from __future__ import annotations

import logging
import os
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Literal

from pydantic import BaseModel

from agent.analysis.report import with_savings
from tools.models import Report

log = logging.getLogger(__name__)

JobStatus = Literal["running", "succeeded", "partial", "failed"]
RunFn = Callable[[bool], Report]
"""Runs one whole collection and analysis; the argument is `refresh` (bypass the Cost Explorer cache)."""
MAX_JOBS_KEPT = 100


class JobSummary(BaseModel):
    total_monthly_cost: float
    total_savings: float
    """The report's savings total: each resource counted once, waste + pricing levers."""
    total_waste: float
    pricing_levers: float
    opportunities: int
    anomalies: int
    partial: bool


class Job(BaseModel):
    job_id: str
    status: JobStatus
    trigger: Literal["api", "refresh", "schedule", "cli"]
    refresh: bool = False
    started_at: datetime
    finished_at: datetime | None = None
    duration_s: float | None = None
    error: str | None = None
    summary: JobSummary | None = None


def in_lambda() -> bool:
    """Whether this process is an AWS Lambda execution environment (the runtime sets the variable)."""
    return bool(os.environ.get("AWS_LAMBDA_FUNCTION_NAME"))


class JobManager:
    """Runs `run_fn` in a daemon thread per job, or in the caller's thread when `inline` (default: in Lambda);
    thread-safe."""

    def __init__(self, run_fn: RunFn, on_finished: Callable[[Report, float], None] | None = None,
                 inline: bool | None = None) -> None:
        self.inline = in_lambda() if inline is None else inline
        self._run_fn = run_fn
        self._on_finished = on_finished
        self._lock = threading.Lock()
        self._jobs: OrderedDict[str, Job] = OrderedDict()
        self._running: str | None = None
        self._threads: dict[str, threading.Thread] = {}

    def start(self, trigger: Literal["api", "refresh", "schedule", "cli"] = "api",
              refresh: bool = False) -> tuple[Job, bool]:
        """Start a job, or return the running one. The flag says whether a new job was started; inline, the
        job returned has finished."""
        with self._lock:
            if self._running is not None:
                return self._jobs[self._running].model_copy(), False
            job = Job(job_id=uuid.uuid4().hex, status="running", trigger=trigger, refresh=refresh,
                      started_at=datetime.now(UTC))
            self._jobs[job.job_id] = job
            while len(self._jobs) > MAX_JOBS_KEPT:
                self._jobs.popitem(last=False)
            self._running = job.job_id
            thread = None if self.inline else threading.Thread(
                target=self._run, args=(job.job_id, refresh), name=f"job-{job.job_id[:8]}", daemon=True)
            if thread is not None:
                self._threads[job.job_id] = thread
        log.info("collection job %s started (trigger=%s, refresh=%s, inline=%s)", job.job_id, trigger, refresh,
                 thread is None)
        if thread is None:
            self._run(job.job_id, refresh)
            return self.get(job.job_id) or job.model_copy(), True
        started = job.model_copy()  # before the thread runs: a fast job must still read as just started
        thread.start()
        return started, True

    def get(self, job_id: str) -> Job | None:
        with self._lock:
            job = self._jobs.get(job_id)
            return job.model_copy() if job else None

    def running(self) -> Job | None:
        with self._lock:
            return self._jobs[self._running].model_copy() if self._running else None

    def wait(self, job_id: str, timeout: float | None = None) -> Job | None:
        """Block until the job finishes (tests, the CLI)."""
        thread = self._threads.get(job_id)
        if thread is not None:
            thread.join(timeout)
        return self.get(job_id)

    def _run(self, job_id: str, refresh: bool) -> None:
        began = time.monotonic()
        report: Report | None = None
        error: str | None = None
        try:
            report = self._run_fn(refresh)
        except Exception as exc:  # a failed job is a status, not a crash of the server
            error = f"{type(exc).__name__}: {exc}".splitlines()[0][:500]
            log.warning("collection job %s failed: %s", job_id, error)
        duration = time.monotonic() - began
        if report is not None and self._on_finished is not None:
            try:
                self._on_finished(report, duration)
            except Exception:
                log.exception("collection job %s: recording the results failed", job_id)
        self._finish(job_id, report, error, duration)

    def _finish(self, job_id: str, report: Report | None, error: str | None, duration: float) -> None:
        with self._lock:
            job = self._jobs.get(job_id)
            self._running = None
            self._threads.pop(job_id, None)
            if job is None:
                return
            job.finished_at = datetime.now(UTC)
            job.duration_s = round(duration, 3)
            job.error = error
            if report is None:
                job.status = "failed"
            else:
                job.status = "partial" if report.partial else "succeeded"
                savings = with_savings(report).savings
                job.summary = JobSummary(
                    total_monthly_cost=report.total_monthly_cost, total_savings=savings.total,
                    total_waste=savings.waste, pricing_levers=savings.pricing_levers,
                    opportunities=len(report.opportunities), anomalies=len(report.anomalies),
                    partial=report.partial,
                )
        log.info("collection job %s finished: %s in %.1f s", job_id, job.status, duration)
