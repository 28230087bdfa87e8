"""Shards on threads of this process: at most EXECUTOR_CONCURRENCY at once, EXECUTOR_SHARDS_PER_ACCOUNT of one
account at once, and AWS_CALLS_IN_FLIGHT requests per API of one account and region (tools/aws/org/limits.py)."""

from __future__ import annotations

from collections import Counter, deque
from collections.abc import Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from datetime import date

from tools.aws.org.limits import CallLimits, shared_limits
from tools.aws.org.sessions import AccountSessions, shared_sessions
from tools.aws.shard import Shard, ShardResult, collect_shard
from tools.executors.base import Progress, Specs, failed
from tools.pricing.book import PriceBook
from tools.settings import Settings


class InProcessExecutor:
    def __init__(self, settings: Settings, *, sessions: AccountSessions | None = None,
                 limits: CallLimits | None = None, prices: PriceBook | None = None) -> None:
        self.settings = settings
        self.sessions = sessions or shared_sessions(settings)
        self.limits = limits or shared_limits(settings.aws_calls_in_flight)
        self.prices = prices
        self.peak_per_account: Counter[str] = Counter()
        """The most shards of each account that ran at once (what EXECUTOR_SHARDS_PER_ACCOUNT bounds)."""

    def run(self, shards: Sequence[Shard], run_id: str, *, today: date | None = None, specs: Specs | None = None,
            progress: Progress | None = None) -> list[ShardResult]:
        results: list[ShardResult | None] = [None] * len(shards)
        pending = deque(enumerate(shards))
        running: Counter[str] = Counter()
        workers = max(1, min(self.settings.executor_concurrency, len(shards)))
        per_account = self.settings.executor_shards_per_account
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="shard") as pool:
            in_flight: dict[Future[ShardResult], tuple[int, Shard]] = {}

            def start_what_may_start() -> None:
                waiting: deque[tuple[int, Shard]] = deque()
                while pending and len(in_flight) < workers:
                    index, shard = pending.popleft()
                    if running[shard.account_id] >= per_account:
                        waiting.append((index, shard))
                        continue
                    running[shard.account_id] += 1
                    self.peak_per_account[shard.account_id] = max(self.peak_per_account[shard.account_id],
                                                                  running[shard.account_id])
                    future = pool.submit(collect_shard, shard, self.settings, run_id, today=today, specs=specs,
                                         prices=self.prices, sessions=self.sessions, limits=self.limits)
                    in_flight[future] = (index, shard)
                pending.extendleft(reversed(waiting))

            start_what_may_start()
            while in_flight:
                done, _ = wait(in_flight, return_when=FIRST_COMPLETED)
                for future in done:
                    index, shard = in_flight.pop(future)
                    running[shard.account_id] -= 1
                    try:  # as JSON and back, as a worker's answer: the same values, of the same types
                        results[index] = ShardResult.model_validate_json(future.result().model_dump_json())
                    except Exception as exc:  # collect_shard isolates AWS's failures; this is anything else
                        results[index] = failed(shard, run_id, exc)
                    if progress:
                        progress("shards", sum(r is not None for r in results), len(shards))
                start_what_may_start()
        return [r for r in results if r is not None]
