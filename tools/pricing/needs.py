"""Which list prices a run may need, worked out from its inventory before the analysis runs (docs/money.md).

Collection asks them all at once (Pricing API, cached; else the book), so the analysis prices from data and never
calls out. Pure: the inventory and the book's catalogue in, price calls out.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from tools.models import Resource
from tools.pricing.billed import LINUX, instance_operation
from tools.pricing.book import PriceBook, PriceNotFound

Call = tuple[Any, ...]
VOLUME_TYPES = ("gp2", "gp3", "io1", "io2", "st1", "sc1", "standard")


def _instance_types(book: PriceBook, instance_type: str) -> set[str]:
    """The type, its smaller sizes, its current-generation twin and every current type of the same size."""
    try:
        spec = book.instance_specs(instance_type)
        family = book.family_types(spec.family)
        newer = book.current_generation(instance_type)
    except PriceNotFound:
        return {instance_type}
    out = {instance_type} | ({newer} if newer else set())
    if instance_type in family:
        out |= set(family[: family.index(instance_type)])
    for name in book.instance_types():
        other = book.instance_specs(name)
        if other.vcpus == spec.vcpus and other.memory_gib == spec.memory_gib and other.generation == "current":
            out.add(name)
    return out


def price_calls(resources: Iterable[Resource], book: PriceBook) -> set[Call]:
    """Every (method, args...) price call the rules may make for these resources."""
    calls: set[Call] = set()
    catalogue: dict[str, set[str]] = {}
    for r in resources:
        region = r.region
        if r.kind == "ec2_instance" and r.resource_type:
            types = catalogue.setdefault(r.resource_type, _instance_types(book, r.resource_type))
            operation = instance_operation(r)
            for operation_asked in {LINUX, operation}:
                calls |= {("ec2_hourly", region, t, operation_asked) for t in types}
        elif r.kind == "ebs_volume":
            calls |= {("ebs_gb_month", region, t) for t in VOLUME_TYPES}
            calls |= {("ebs_iops_month", region, t) for t in ("gp3", "io1", "io2")}
            calls.add(("ebs_throughput_month", region, "gp3"))
        elif r.kind == "ebs_snapshot":
            calls.add(("snapshot_gb_month", region))
        elif r.kind == "rds_instance":
            engine = str(r.attributes.get("engine") or "")
            multi_az = bool(r.attributes.get("multi_az"))
            storage = str(r.attributes.get("storage_type") or "gp2")
            calls |= {("rds_hourly", region, r.resource_type, engine, multi_az),
                      ("rds_storage_gb_month", region, storage, multi_az)}
        elif r.kind == "rds_snapshot":
            calls.add(("rds_snapshot_gb_month", region))
        elif r.kind == "lambda_function":
            calls |= {("lambda_gb_second", region, "x86_64"), ("lambda_gb_second", region, "arm64"),
                      ("lambda_request", region)}
        elif r.kind == "s3_bucket":
            calls |= {("s3_gb_month", region, "STANDARD"), ("s3_gb_month", region, "STANDARD_IA"),
                      ("s3_transition_per_1000", region, "STANDARD_IA")}
        elif r.kind == "elastic_ip":
            calls.add(("eip_hourly", region))
        elif r.kind == "nat_gateway":
            calls |= {("nat_hourly", region), ("nat_gb", region)}
    return calls
