"""EBS, VPC, RDS, Lambda and S3 evidence as sentences."""

from __future__ import annotations

from agent.analysis.money import usd
from agent.surfaces.report.evidence_format import Evidence, count, num, pct, sentence, share


def volume(kind: str, e: Evidence) -> list[str]:
    size = f"{num(e['size_gb'])} GB"
    if "volume_type" not in e:
        return [f"{size} snapshot." if kind == "old_snapshot" else f"{size}."]
    iops = e.get("iops")
    return [f"{size} {e['volume_type']}" + (f" with {count(iops)} IOPS." if iops else ".")]


def volume_type(_: str, e: Evidence) -> list[str]:
    return [f"Volume type {e['volume_type']}."]


def gp3(_: str, e: Evidence) -> list[str]:
    parts = [f"{count(e['gp3_iops'])} IOPS"]
    if "gp3_throughput_mibs" in e:
        parts.append(f"{num(e['gp3_throughput_mibs'])} MiB/s")
    return [f"As gp3: {' and '.join(parts)}."]


def age(_: str, e: Evidence) -> list[str]:
    limit = f"; the limit is {e['max_age_days']} days" if "max_age_days" in e else ""
    return [f"{e['age_days']} days old{limit}."]


def address(_: str, e: Evidence) -> list[str]:
    who = f"Address {e['public_ip']}" if "public_ip" in e else "The address"
    linked = e.get("association_id")
    return [f"{who} is associated with {linked}." if linked else f"{who} is not associated with anything."]


def traffic(_: str, e: Evidence) -> list[str]:
    days = f" in {e['days']} days" if "days" in e else ""
    return [f"{count(e['bytes_total'])} bytes through the gateway{days}."]


def connections(_: str, e: Evidence) -> list[str]:
    days = f" over {e['days']} days" if "days" in e else ""
    return [f"Peak {count(e['connections_max'])} database connections{days}."]


def db_cost(_: str, e: Evidence) -> list[str]:
    parts = [f"{name} {usd(e[key])} a month" for key, name in (("instance_monthly", "instance"),
                                                               ("storage_monthly", "storage")) if key in e]
    return [sentence(", ".join(parts))]


def multi_az(_: str, e: Evidence) -> list[str]:
    return ["Multi-AZ: a standby in a second zone doubles the instance and storage cost." if e["multi_az"]
            else "Single-AZ."]


def env(_: str, e: Evidence) -> list[str]:
    tag = str(e["env"])
    return ["No environment tag." if tag == "untagged" else f"Tagged {tag}."]


def lambda_memory(_: str, e: Evidence) -> list[str]:
    text = f"Used at most {num(e['memory_used_max_mb'])} MB"
    if "configured_mb" in e:
        text += f" of the {count(e['configured_mb'])} MB configured"
    if "days" in e:
        text += f" over {e['days']} days"
    if "recommended_mb" in e:
        text += f"; {count(e['recommended_mb'])} MB is enough"
    return [text + "."]


def errors(_: str, e: Evidence) -> list[str]:
    text = count(e["errors"])
    text += f" of {count(e['invocations'])} invocations failed" if "invocations" in e else " invocations failed"
    if "lookback_error_rate_pct" in e:
        text += f" ({pct(e['lookback_error_rate_pct'])} %)"
    return [text + (f" over {e['days']} days." if "days" in e else ".")]


def worst_day(_: str, e: Evidence) -> list[str]:
    rate = f": {pct(e['worst_day_error_rate_pct'])} % failed" if "worst_day_error_rate_pct" in e else ""
    return [f"Worst day {e['worst_day']}{rate}."]


def standard(_: str, e: Evidence) -> list[str]:
    rules = e.get("lifecycle_rules")
    tail = "" if rules is None else " and no lifecycle rule" if not rules else f" and {rules} lifecycle rule(s)"
    return [f"{num(e['standard_gb'])} GB in S3 Standard{tail}."]


def objects(_: str, e: Evidence) -> list[str]:
    if e["objects"] is None:
        return []
    size = f" averaging {num(e['average_object_kb'])} KB" if e.get("average_object_kb") is not None else ""
    return [f"{count(e['objects'])} objects{size}."]


def cold(_: str, e: Evidence) -> list[str]:
    return [f"Assumes {share(e['cold_fraction'])} % of the data is cold enough for Standard-IA."]


def uploads(_: str, e: Evidence) -> list[str]:
    text = f"{e['incomplete_uploads']} incomplete multipart upload(s)"
    if e.get("oldest"):
        text += f", the oldest started {str(e['oldest'])[:10]}"
    if "parts_gb" in e:
        text += f", holding {num(e['parts_gb'])} GB of parts"
    return [text + "."]
