"""The agent's own bill: what each query cost in Bedrock tokens, Redshift RPU time, Lambda GB-seconds and
paid AWS requests, accumulated per session and per UTC day (the seed's `CostTracker`).

Arithmetic (the seed's, with its configuration keys):
- Bedrock: input_tokens / 1000 x input price + output_tokens / 1000 x output price, per-model prices from
  `bedrock_model_prices` overriding the defaults;
- Redshift Serverless: RPUs x hours x price per RPU-hour, with the 60-second minimum charge;
- Lambda: memory GB (MB / 1024) x seconds x price per GB-second.

Money is `Decimal` inside; `Cost` carries unrounded floats, and output (summaries, the log) is rounded to
`USD_PLACES` decimals, never to the cent before summing.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from tools.settings import CostSettings

USD_PLACES = 8
"""Decimals kept in output: enough for one millisecond of a 128 MB Lambda (about $2e-8)."""
REDSHIFT_MINIMUM_SECONDS = Decimal(60)
_GEO_PREFIXES = ("us.", "eu.", "apac.", "jp.", "au.", "ca.", "us-gov.", "global.")
_ZERO = Decimal(0)


def to_decimal(value: Decimal | float | int | str) -> Decimal:
    """A float's shortest repr, not its binary expansion: Decimal(0.1) would be 0.1000000000000000055..."""
    return value if isinstance(value, Decimal) else Decimal(str(value))


def usd(value: Decimal | float | int | str, places: int = USD_PLACES) -> float:
    """Round half-up to `places` decimals for output (the seed's log shows 4; tiny Lambda bills need more)."""
    return float(to_decimal(value).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))


@dataclass
class TokenUsage:
    """Bedrock tokens of one call or one query."""

    input_tokens: int = 0
    output_tokens: int = 0

    @property
    def total_tokens(self) -> int:
        return self.input_tokens + self.output_tokens

    def __add__(self, other: TokenUsage) -> TokenUsage:
        return TokenUsage(self.input_tokens + other.input_tokens, self.output_tokens + other.output_tokens)


@dataclass
class Cost:
    """What one query (or a sum of queries) cost, in USD; `total_cost` includes `aws_api_cost`."""

    bedrock_cost: float = 0.0
    redshift_cost: float = 0.0
    lambda_cost: float = 0.0
    total_cost: float = 0.0
    tokens_used: TokenUsage = field(default_factory=TokenUsage)
    aws_api_cost: float = 0.0

    def __add__(self, other: Cost) -> Cost:
        def add(a: float, b: float) -> Decimal:
            return to_decimal(a) + to_decimal(b)

        return _cost_from(add(self.bedrock_cost, other.bedrock_cost), add(self.redshift_cost, other.redshift_cost),
                          add(self.lambda_cost, other.lambda_cost), add(self.aws_api_cost, other.aws_api_cost),
                          self.tokens_used + other.tokens_used)

    def to_dict(self) -> dict[str, Any]:
        """Rounded for output; the seed's keys plus `aws_api_cost` and `total_tokens`."""
        return {
            "bedrock_cost": usd(self.bedrock_cost),
            "redshift_cost": usd(self.redshift_cost),
            "lambda_cost": usd(self.lambda_cost),
            "aws_api_cost": usd(self.aws_api_cost),
            "total_cost": usd(self.total_cost),
            "tokens_used": {
                "input_tokens": self.tokens_used.input_tokens,
                "output_tokens": self.tokens_used.output_tokens,
                "total_tokens": self.tokens_used.total_tokens,
            },
        }


def _cost_from(bedrock: Decimal, redshift: Decimal, lambda_: Decimal, aws_api: Decimal,
               tokens: TokenUsage | None = None) -> Cost:
    total = bedrock + redshift + lambda_ + aws_api
    return Cost(float(bedrock), float(redshift), float(lambda_), float(total),
                TokenUsage(tokens.input_tokens, tokens.output_tokens) if tokens else TokenUsage(), float(aws_api))


@dataclass
class _Tally:
    """Decimal running totals behind one session or one day."""

    bedrock: Decimal = _ZERO
    redshift: Decimal = _ZERO
    lambda_: Decimal = _ZERO
    aws_api: Decimal = _ZERO
    input_tokens: int = 0
    output_tokens: int = 0
    query_count: int = 0

    def add(self, cost: Cost) -> None:
        self.bedrock += to_decimal(cost.bedrock_cost)
        self.redshift += to_decimal(cost.redshift_cost)
        self.lambda_ += to_decimal(cost.lambda_cost)
        self.aws_api += to_decimal(cost.aws_api_cost)
        self.input_tokens += cost.tokens_used.input_tokens
        self.output_tokens += cost.tokens_used.output_tokens
        self.query_count += 1

    @property
    def total(self) -> Decimal:
        return self.bedrock + self.redshift + self.lambda_ + self.aws_api

    def as_cost(self) -> Cost:
        return _cost_from(self.bedrock, self.redshift, self.lambda_, self.aws_api,
                          TokenUsage(self.input_tokens, self.output_tokens))

    def as_dict(self) -> dict[str, Any]:
        return {
            "bedrock": usd(self.bedrock), "redshift": usd(self.redshift), "lambda": usd(self.lambda_),
            "aws_api": usd(self.aws_api), "total": usd(self.total), "query_count": self.query_count,
            "input_tokens": self.input_tokens, "output_tokens": self.output_tokens,
        }


def _settings_from(config: Mapping[str, Any] | CostSettings | None) -> CostSettings:
    if config is None:
        return CostSettings()
    if isinstance(config, CostSettings):
        return config
    return CostSettings.model_validate(dict(config))


class CostTracker:
    """Calculates query costs and accumulates them per session and per UTC day. Thread-safe."""

    def __init__(self, config: Mapping[str, Any] | CostSettings | None = None,
                 clock: Callable[[], datetime] | None = None) -> None:
        self.settings = _settings_from(config)
        self.enabled = self.settings.enabled
        self._clock = clock or (lambda: datetime.now(UTC))
        self._lock = threading.Lock()
        self._sessions: dict[str, _Tally] = defaultdict(_Tally)
        self._daily: dict[date, _Tally] = defaultdict(_Tally)

    # ------------------------------------------------------------------ prices

    def bedrock_prices(self, model_id: str | None = None) -> tuple[Decimal, Decimal]:
        """(input, output) USD per 1,000 tokens for `model_id`; a geo inference profile ('us.') maps to its model."""
        s = self.settings
        prices = s.bedrock_model_prices.get(model_id or "") if model_id else None
        if prices is None and model_id:
            for prefix in _GEO_PREFIXES:
                if model_id.startswith(prefix):
                    prices = s.bedrock_model_prices.get(model_id[len(prefix):])
                    break
        prices = prices or {}
        inp = prices.get("input", prices.get("input_cost_per_1k", s.bedrock_input_cost_per_1k))
        out = prices.get("output", prices.get("output_cost_per_1k", s.bedrock_output_cost_per_1k))
        return to_decimal(inp), to_decimal(out)

    def bedrock_cost(self, tokens: TokenUsage | None, model_id: str | None = None) -> Decimal:
        if not tokens:
            return _ZERO
        inp, out = self.bedrock_prices(model_id)
        return Decimal(tokens.input_tokens) / 1000 * inp + Decimal(tokens.output_tokens) / 1000 * out

    def redshift_cost(self, execution_time_s: float | Decimal, rpus: int | None = None) -> Decimal:
        """RPUs x hours x price; any statement that ran is billed at least 60 seconds."""
        seconds = to_decimal(execution_time_s)
        if seconds <= 0:
            return _ZERO
        billed = max(seconds, REDSHIFT_MINIMUM_SECONDS)
        units = Decimal(rpus if rpus is not None else self.settings.redshift_base_rpus)
        return units * billed / 3600 * to_decimal(self.settings.redshift_rpu_cost_per_hour)

    def lambda_cost(self, duration_ms: float | Decimal, memory_mb: int | float = 512) -> Decimal:
        ms = to_decimal(duration_ms)
        if ms <= 0:
            return _ZERO
        gb = to_decimal(memory_mb) / 1024
        return gb * ms / 1000 * to_decimal(self.settings.lambda_cost_per_gb_second)

    # ------------------------------------------------------------------ the seed's API

    def calculate_query_cost(self, bedrock_tokens: TokenUsage | None = None, redshift_execution_time: float = 0.0,
                             lambda_duration_ms: float = 0.0, lambda_memory_mb: int | float = 512,
                             model_id: str | None = None, aws_api_cost: float | Decimal = 0.0,
                             redshift_rpus: int | None = None) -> Cost:
        """The cost of one query; all zeros (tokens kept) when tracking is disabled."""
        tokens = bedrock_tokens or TokenUsage()
        if not self.enabled:
            return _cost_from(_ZERO, _ZERO, _ZERO, _ZERO, tokens)
        return _cost_from(
            self.bedrock_cost(tokens, model_id),
            self.redshift_cost(redshift_execution_time, redshift_rpus),
            self.lambda_cost(lambda_duration_ms, lambda_memory_mb),
            to_decimal(aws_api_cost),
            tokens,
        )

    def add_query_cost(self, session_id: str, cost: Cost, at: datetime | None = None) -> None:
        """Add to the session's and the (UTC) day's totals; ignored when tracking is disabled."""
        if not self.enabled:
            return
        day = (at or self._clock()).astimezone(UTC).date()
        with self._lock:
            self._sessions[session_id].add(cost)
            self._daily[day].add(cost)

    def get_session_cost(self, session_id: str) -> Cost:
        with self._lock:
            tally = self._sessions.get(session_id)
            return tally.as_cost() if tally else Cost()

    def get_daily_cost(self, target_date: date | None = None) -> Cost:
        """Totals of one UTC day (today by default) as a `Cost`."""
        day = target_date or self._clock().astimezone(UTC).date()
        with self._lock:
            tally = self._daily.get(day)
            return tally.as_cost() if tally else Cost()

    def get_all_daily_costs(self) -> dict[str, dict[str, Any]]:
        """ISO day -> {bedrock, redshift, lambda, aws_api, total, query_count, input_tokens, output_tokens}."""
        with self._lock:
            return {day.isoformat(): tally.as_dict() for day, tally in sorted(self._daily.items())}

    def get_cost_summary(self, session_id: str | None = None) -> dict[str, Any]:
        """One session's totals, or everything tracked (sessions, days, services) when no session is named."""
        with self._lock:
            if session_id is not None:
                tally = self._sessions.get(session_id) or _Tally()
                return {"session_id": session_id, **_summary(tally)}
            overall = _Tally()
            for tally in self._sessions.values():
                _merge(overall, tally)
            return {"sessions": len(self._sessions), "days": len(self._daily), **_summary(overall)}

    def estimate_monthly_cost(self, days_in_month: int = 30) -> dict[str, Any]:
        """Average daily cost over the days tracked, times `days_in_month`, by service."""
        with self._lock:
            days = len(self._daily)
            overall = _Tally()
            for tally in self._daily.values():
                _merge(overall, tally)
        factor = Decimal(days_in_month) / days if days else _ZERO
        by_service = {"bedrock": overall.bedrock, "redshift": overall.redshift,
                      "lambda": overall.lambda_, "aws_api": overall.aws_api}
        return {
            "days_tracked": days,
            "average_daily_cost": usd(overall.total / days) if days else 0.0,
            "estimated_monthly_cost": usd(overall.total * factor),
            "by_service": {name: usd(value * factor) for name, value in by_service.items()},
            "queries_per_day": float(Decimal(overall.query_count) / days) if days else 0.0,
        }

    @property
    def sessions(self) -> list[str]:
        with self._lock:
            return sorted(self._sessions)

    def reset(self) -> None:
        with self._lock:
            self._sessions.clear()
            self._daily.clear()


def _merge(into: _Tally, other: _Tally) -> None:
    into.bedrock += other.bedrock
    into.redshift += other.redshift
    into.lambda_ += other.lambda_
    into.aws_api += other.aws_api
    into.input_tokens += other.input_tokens
    into.output_tokens += other.output_tokens
    into.query_count += other.query_count


def _summary(tally: _Tally) -> dict[str, Any]:
    d = tally.as_dict()
    return {
        "query_count": tally.query_count,
        "total_cost": d["total"],
        "breakdown": {k: d[k] for k in ("bedrock", "redshift", "lambda", "aws_api")},
        "tokens": {"input": tally.input_tokens, "output": tally.output_tokens,
                   "total": tally.input_tokens + tally.output_tokens},
        "average_cost_per_query": usd(tally.total / tally.query_count) if tally.query_count else 0.0,
    }
