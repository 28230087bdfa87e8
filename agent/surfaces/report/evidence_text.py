"""A finding's evidence as sentences people read, one per fact; a key nothing here knows stays as "key: value".

The keys in `APART` are not turned into sentences: the report shows the arithmetic, the price basis and the price
sources (cited from one numbered list) and the resource's name in their own places.
"""

from __future__ import annotations

from agent.surfaces.report import evidence_ec2 as ec2
from agent.surfaces.report import evidence_services as svc
from agent.surfaces.report.evidence_format import Evidence, Reader, raw, sentence, share

APART = frozenset({"arithmetic", "price_basis", "price_source", "target_price_source", "transition_fee_source",
                   "resource"})
PRICE_SOURCES = ("price_source", "target_price_source", "transition_fee_source")
"""The evidence keys that name where a price came from, in the order the report cites them."""


def _note(key: str, prefix: str = "") -> Reader:
    """A key whose value is already a sentence (a note, a reason), with `prefix` before it."""
    def read(_: str, e: Evidence) -> list[str]:
        return [sentence(prefix + str(e[key]))]
    return read


def _covered_share(_: str, e: Evidence) -> list[str]:
    return [f"Commitments cover {share(e['covered_share'])} % of this usage type's hours."]


def _days(_: str, e: Evidence) -> list[str]:
    return [f"Based on {e['days']} days of data."]


READERS: tuple[tuple[tuple[str, ...], tuple[str, ...], Reader], ...] = (
    # (keys that trigger the reader, keys it also reads, the reader); the first reader to take a key owns it
    (("cpu_avg",), ("cpu_max", "cpu_peak", "cpu_peak_statistic", "days"), ec2.cpu),
    (("network_mb_day",), (), ec2.network),
    (("thresholds",), (), ec2.thresholds),
    (("running", "hours_per_month"), (), ec2.running),
    (("threshold_pct", "target_cpu_pct"), (), ec2.cpu_limits),
    (("current_type", "target_type"), ("current_vcpus", "target_vcpus", "target_reason"), ec2.types),
    (("memory", "memory_needed_gib"), (), ec2.memory),
    (("graviton_option",), (), ec2.graviton),
    (("members", "managed_by", "group"), ("covered_resources",), ec2.group),
    (("state",), ("stopped_days",), ec2.state),
    (("covered_resources", "volume_gb"), (), ec2.covered),
    (("reason", "spot_savings_pct"), (), ec2.spot),
    (("running_fraction",), ("days",), ec2.running_share),
    (("discount_pct",), (), ec2.discount),
    (("size_gb",), ("volume_type", "iops"), svc.volume),
    (("volume_type",), (), svc.volume_type),
    (("gp3_iops",), ("gp3_throughput_mibs",), svc.gp3),
    (("age_days",), ("max_age_days",), svc.age),
    (("association_id", "public_ip"), (), svc.address),
    (("bytes_total",), ("days",), svc.traffic),
    (("connections_max",), ("days",), svc.connections),
    (("instance_monthly", "storage_monthly"), (), svc.db_cost),
    (("multi_az",), (), svc.multi_az),
    (("env",), (), svc.env),
    (("memory_used_max_mb",), ("configured_mb", "recommended_mb", "days"), svc.lambda_memory),
    (("errors",), ("invocations", "lookback_error_rate_pct", "days"), svc.errors),
    (("worst_day",), ("worst_day_error_rate_pct",), svc.worst_day),
    (("standard_gb",), ("lifecycle_rules",), svc.standard),
    (("objects",), ("average_object_kb",), svc.objects),
    (("cold_fraction",), (), svc.cold),
    (("incomplete_uploads",), ("oldest", "parts_gb"), svc.uploads),
    (("hourly_price", "target_hourly_price"), (), ec2.prices),
    (("aws_recommendation",), (), ec2.aws_advice),
    (("aws_purchase_recommendation",), (), ec2.purchase),
    (("monthly_cost_arithmetic",), (), _note("monthly_cost_arithmetic", "Monthly cost: ")),
    (("price_note",), ("covered_share",), _note("price_note")),
    (("covered_share",), (), _covered_share),
    (("note",), (), _note("note")),
    (("objects_note",), (), _note("objects_note")),
    (("capped",), (), _note("capped", "Capped: ")),
    (("unpriced_reason",), (), _note("unpriced_reason", "Unpriced: ")),
    (("days",), (), _days),
)


def sentences(finding_type: str, evidence: Evidence) -> list[str]:
    """Every evidence key outside `APART`, as sentences in a fixed order, then unknown keys as 'key: value'."""
    taken = set(APART)
    out: list[str] = []
    for triggers, reads, reader in READERS:
        if any(k in evidence and k not in taken for k in triggers):
            out.extend(reader(finding_type, evidence))
            taken.update(k for k in (*triggers, *reads) if k in evidence)
    out.extend(f"{key}: {raw(value)}" for key, value in evidence.items() if key not in taken)
    return out
