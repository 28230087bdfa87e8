"""The run's list-price quotes as a pure price book: `QuoteSheet(book, snapshot)`.

Collection asks the AWS Pricing API (`tools.aws.live_prices.LivePriceBook`) for every list price the run may need
and keeps each quote it gave, API or book, in a JSON snapshot (`LivePriceBook.snapshot()`):

    {"status": "ok" | "down" | "off" | "unknown", "reason": "<error code when down>",
     "quotes": {"<price key>": <PriceQuote as JSON>, ...}}

A `QuoteSheet` built from the book and that snapshot answers every `PriceBook` method from the snapshot's quotes
first and the book second. It does no I/O and imports no AWS client, so the analysis can be handed one freely.

Price keys name the `PriceBook` method and its arguments, normalised: `price_key("ec2_hourly", "us-east-1",
"m5.large", "RunInstances")` -> `"ec2_hourly|us-east-1|m5.large|RunInstances"`. `key_of(method, *args)` builds
the key a method call answers from, so a key can be asked ahead of time (`LivePriceBook.prefetch`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from tools.models import PriceQuote
from tools.pricing.book import LINUX, PriceBook, PriceNotFound, lambda_architecture

SEPARATOR = "|"
PRICED_METHODS = (
    "ec2_hourly", "ebs_gb_month", "ebs_iops_month", "ebs_throughput_month", "snapshot_gb_month", "rds_hourly",
    "rds_storage_gb_month", "rds_snapshot_gb_month", "lambda_gb_second", "lambda_request", "s3_gb_month",
    "eip_hourly", "nat_hourly", "nat_gb", "s3_transition_per_1000",
)
"""The `PriceBook` methods that return a quote (the others are the catalogue: types, families, specs)."""


def price_key(method: str, *args: str) -> str:
    """'ec2_hourly', 'us-east-1', 'm5.large', 'RunInstances' -> 'ec2_hourly|us-east-1|m5.large|RunInstances'."""
    if method not in PRICED_METHODS:
        raise PriceNotFound(f"{method!r} is not a priced method ({', '.join(PRICED_METHODS)})")
    return SEPARATOR.join((method, *args))


def split_key(key: str) -> tuple[str, list[str]]:
    """'ebs_gb_month|us-east-1|gp3' -> ('ebs_gb_month', ['us-east-1', 'gp3'])."""
    method, *args = key.split(SEPARATOR)
    return method, args


def key_of(method: str, *args: Any) -> str:
    """The key of a `PriceBook` call, its arguments normalised as the methods read them (defaults filled in)."""
    region = str(args[0])
    rest = list(args[1:])
    if method == "ec2_hourly":
        instance_type, *more = rest
        return price_key(method, region, str(instance_type), str(more[0]) if more else LINUX)
    if method in ("ebs_gb_month", "ebs_iops_month"):
        return price_key(method, region, str(rest[0]))
    if method == "ebs_throughput_month":
        return price_key(method, region, str(rest[0]) if rest else "gp3")
    if method == "snapshot_gb_month":
        return price_key(method, region, str(rest[0]) if rest else "standard")
    if method == "rds_hourly":
        instance_class, engine, *more = rest
        return price_key(method, region, str(instance_class), str(engine).lower(), _az(more[0] if more else False))
    if method == "rds_storage_gb_month":
        storage_type, *more = rest
        return price_key(method, region, str(storage_type), _az(more[0] if more else False))
    if method == "lambda_gb_second":
        return price_key(method, region, lambda_architecture(str(rest[0]) if rest else "x86_64"))
    if method == "s3_gb_month":
        return price_key(method, region, (str(rest[0]) if rest else "STANDARD").upper())
    if method == "s3_transition_per_1000":
        return price_key(method, region, (str(rest[0]) if rest else "STANDARD_IA").upper())
    if method == "eip_hourly":
        return price_key(method, region, str(rest[0]) if rest else "idle")
    return price_key(method, region)


def call_of(key: str) -> tuple[str, tuple[Any, ...]]:
    """The `PriceBook` call a key stands for: 'rds_hourly|r|db.m5.large|mysql|multi-az' -> ('rds_hourly',
    ('r', 'db.m5.large', 'mysql', True))."""
    method, args = split_key(key)
    if method not in PRICED_METHODS:
        raise PriceNotFound(f"{key!r} does not name a priced method")
    if method == "rds_hourly":
        return method, (args[0], args[1], args[2], args[3] == "multi-az")
    if method == "rds_storage_gb_month":
        return method, (args[0], args[1], args[2] == "multi-az")
    return method, tuple(args)


def _az(multi_az: Any) -> str:
    return "multi-az" if multi_az is True or str(multi_az).lower() in ("true", "multi-az") else "single-az"


def _legacy_key(key: str) -> str:
    """State written before price keys named their method: 'us-east-1|m5.large' (Linux EC2)."""
    parts = key.split(SEPARATOR)
    if len(parts) == 2 and parts[0] not in PRICED_METHODS:
        return price_key("ec2_hourly", parts[0], parts[1], LINUX)
    return key


class QuoteSheet(PriceBook):
    """A `PriceBook` answering from a run's quotes first, the packaged book second. Pure: no I/O.

    `ec2_hourly(region, type, operation)` is platform-aware: a quote for that operation when the run has one,
    else the book's, which has Linux prices only (another operation raises `PriceNotFound`, never a Linux price).
    """

    def __init__(self, book: PriceBook, snapshot: Mapping[str, Any] | None = None) -> None:
        vars(self).update(vars(book))  # the book's own data: every catalogue method answers exactly as it does
        self.book = book
        snapshot = snapshot or {}
        self.status: str = str(snapshot.get("status") or "off")
        """'unknown' (not asked yet), 'ok' (it answered), 'down' (it failed: book from then on), 'off' (setting)."""
        self.reason: str = str(snapshot.get("reason") or "")
        self._quotes: dict[str, PriceQuote] = {
            _legacy_key(key): PriceQuote.model_validate(raw) for key, raw in (snapshot.get("quotes") or {}).items()}

    # ------------------------------------------------------------ the sheet itself

    def quote(self, key: str) -> PriceQuote | None:
        """The run's quote for a price key, or None."""
        return self._quotes.get(key)

    def keys(self) -> list[str]:
        return sorted(self._quotes)

    def snapshot(self) -> dict[str, Any]:
        """The sheet as JSON (graph state), for `QuoteSheet(book, snapshot)` or `LivePriceBook(..., state=)`."""
        quotes = dict(self._quotes)
        return {"status": self.status, "reason": self.reason,
                "quotes": {key: q.model_dump(mode="json") for key, q in sorted(quotes.items())}}

    def notes(self) -> list[str]:
        """What the report's `missing` should say: the Pricing API failed, so list prices are the book's."""
        if self.status != "down":
            return []
        return [f"pricing_api: {self.reason}; list prices from the {self.book.label}"]

    def _answer(self, key: str, fallback: Callable[[], PriceQuote]) -> PriceQuote:
        known = self._quotes.get(key)
        return known if known is not None else fallback()

    # ------------------------------------------------------------ every priced PriceBook method

    def ec2_hourly(self, region: str, instance_type: str, operation: str = LINUX) -> PriceQuote:
        return self._answer(key_of("ec2_hourly", region, instance_type, operation),
                            lambda: self.book.ec2_hourly(region, instance_type, operation))

    def ebs_gb_month(self, region: str, volume_type: str) -> PriceQuote:
        return self._answer(key_of("ebs_gb_month", region, volume_type),
                            lambda: self.book.ebs_gb_month(region, volume_type))

    def ebs_iops_month(self, region: str, volume_type: str) -> PriceQuote:
        return self._answer(key_of("ebs_iops_month", region, volume_type),
                            lambda: self.book.ebs_iops_month(region, volume_type))

    def ebs_throughput_month(self, region: str, volume_type: str = "gp3") -> PriceQuote:
        return self._answer(key_of("ebs_throughput_month", region, volume_type),
                            lambda: self.book.ebs_throughput_month(region, volume_type))

    def snapshot_gb_month(self, region: str, tier: str = "standard") -> PriceQuote:
        return self._answer(key_of("snapshot_gb_month", region, tier),
                            lambda: self.book.snapshot_gb_month(region, tier))

    def rds_hourly(self, region: str, instance_class: str, engine: str, multi_az: bool = False) -> PriceQuote:
        return self._answer(key_of("rds_hourly", region, instance_class, engine, multi_az),
                            lambda: self.book.rds_hourly(region, instance_class, engine, multi_az))

    def rds_storage_gb_month(self, region: str, storage_type: str, multi_az: bool = False) -> PriceQuote:
        return self._answer(key_of("rds_storage_gb_month", region, storage_type, multi_az),
                            lambda: self.book.rds_storage_gb_month(region, storage_type, multi_az))

    def rds_snapshot_gb_month(self, region: str) -> PriceQuote:
        return self._answer(key_of("rds_snapshot_gb_month", region), lambda: self.book.rds_snapshot_gb_month(region))

    def lambda_gb_second(self, region: str, architecture: str = "x86_64") -> PriceQuote:
        return self._answer(key_of("lambda_gb_second", region, architecture),
                            lambda: self.book.lambda_gb_second(region, architecture))

    def lambda_request(self, region: str) -> PriceQuote:
        return self._answer(key_of("lambda_request", region), lambda: self.book.lambda_request(region))

    def s3_gb_month(self, region: str, storage_class: str = "STANDARD") -> PriceQuote:
        return self._answer(key_of("s3_gb_month", region, storage_class),
                            lambda: self.book.s3_gb_month(region, storage_class))

    def s3_transition_per_1000(self, region: str, storage_class: str = "STANDARD_IA") -> PriceQuote:
        return self._answer(key_of("s3_transition_per_1000", region, storage_class),
                            lambda: self.book.s3_transition_per_1000(region, storage_class))

    def eip_hourly(self, region: str, state: str = "idle") -> PriceQuote:
        return self._answer(key_of("eip_hourly", region, state), lambda: self.book.eip_hourly(region, state))

    def nat_hourly(self, region: str) -> PriceQuote:
        return self._answer(key_of("nat_hourly", region), lambda: self.book.nat_hourly(region))

    def nat_gb(self, region: str) -> PriceQuote:
        return self._answer(key_of("nat_gb", region), lambda: self.book.nat_gb(region))
