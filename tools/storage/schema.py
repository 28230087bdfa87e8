"""Versioned DDL applied at start-up. The same statements serve chDB and a ClickHouse server.

Every analyzed table is a ReplacingMergeTree whose sorting key is the row's identity and whose version
is the collection (or generation) time: writing the same period again replaces rows, and reads use
FINAL so an unmerged duplicate is never counted.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from tools.storage.errors import SchemaTooNewError

MONEY = "Decimal(18, 6)"
VERSION = "version DateTime64(3, 'UTC')"

_V1 = [
    f"""CREATE TABLE IF NOT EXISTS cost_metrics (
        timestamp DateTime('UTC'),
        granularity LowCardinality(String),
        breakdown LowCardinality(String),
        account_id LowCardinality(String),
        service LowCardinality(String),
        region LowCardinality(String),
        usage_type LowCardinality(String),
        cost {MONEY},
        amortized_cost Nullable({MONEY}),
        currency LowCardinality(String),
        run_id String,
        {VERSION}
    ) ENGINE = ReplacingMergeTree(version)
    PARTITION BY toYYYYMM(timestamp)
    ORDER BY (granularity, breakdown, account_id, service, region, usage_type, timestamp)""",
    # Slim on purpose: a year of daily rows for every resource. Kind, type, name and tags come from
    # `resources`; LowCardinality resource_id makes the per-resource GROUP BY cheap.
    f"""CREATE TABLE IF NOT EXISTS resource_costs (
        timestamp DateTime('UTC'),
        resource_id LowCardinality(String),
        account_id LowCardinality(String),
        service LowCardinality(String),
        region LowCardinality(String),
        cost {MONEY},
        run_id LowCardinality(String),
        {VERSION}
    ) ENGINE = ReplacingMergeTree(version)
    PARTITION BY toYYYYMM(timestamp)
    ORDER BY (resource_id, timestamp)""",
    # Monthly per-resource totals recomputed from deduplicated daily rows after each write, so "top
    # resources over a year" reads 12 rows per resource instead of 365.
    f"""CREATE TABLE IF NOT EXISTS resource_costs_monthly (
        month Date,
        resource_id LowCardinality(String),
        service LowCardinality(String),
        region LowCardinality(String),
        cost {MONEY},
        days UInt32,
        {VERSION}
    ) ENGINE = ReplacingMergeTree(version)
    ORDER BY (resource_id, month)""",
    f"""CREATE TABLE IF NOT EXISTS resource_metrics (
        timestamp DateTime('UTC'),
        resource_id String,
        metric LowCardinality(String),
        statistic LowCardinality(String),
        value Float64,
        kind LowCardinality(String),
        service LowCardinality(String),
        region LowCardinality(String),
        run_id String,
        {VERSION}
    ) ENGINE = ReplacingMergeTree(version)
    PARTITION BY toYYYYMM(timestamp)
    ORDER BY (resource_id, metric, timestamp)""",
    f"""CREATE TABLE IF NOT EXISTS resources (
        snapshot_date Date,
        collected_at DateTime('UTC'),
        resource_id String,
        account_id LowCardinality(String),
        kind LowCardinality(String),
        service LowCardinality(String),
        region LowCardinality(String),
        resource_type LowCardinality(String),
        state LowCardinality(String),
        name String,
        tags Map(String, String),
        monthly_cost {MONEY},
        payload String,
        run_id String,
        {VERSION}
    ) ENGINE = ReplacingMergeTree(version)
    ORDER BY (resource_id, snapshot_date)""",
    f"""CREATE TABLE IF NOT EXISTS optimization_opportunities (
        timestamp DateTime('UTC'),
        run_id String,
        opportunity_index UInt32,
        finding_index UInt32,
        type LowCardinality(String),
        service LowCardinality(String),
        priority LowCardinality(String),
        opportunity_savings {MONEY},
        confidence Float64,
        resource_count UInt32,
        description String,
        resource_id String,
        region LowCardinality(String),
        monthly_cost {MONEY},
        savings {MONEY},
        recommendation String,
        finding String,
        {VERSION}
    ) ENGINE = ReplacingMergeTree(version)
    ORDER BY (run_id, opportunity_index, finding_index)""",
    f"""CREATE TABLE IF NOT EXISTS anomalies (
        date Date,
        service LowCardinality(String),
        region LowCardinality(String),
        metric LowCardinality(String),
        expected_cost {MONEY},
        actual_cost {MONEY},
        change_percentage Float64,
        drivers String,
        baseline String,
        run_id String,
        {VERSION}
    ) ENGINE = ReplacingMergeTree(version)
    ORDER BY (service, region, metric, date)""",
    f"""CREATE TABLE IF NOT EXISTS agent_costs (
        timestamp DateTime64(3, 'UTC'),
        record_id String,
        run_id String,
        session_id String,
        component LowCardinality(String),
        model LowCardinality(String),
        input_tokens UInt64,
        output_tokens UInt64,
        cost Decimal(18, 9),
        details String,
        {VERSION}
    ) ENGINE = ReplacingMergeTree(version)
    ORDER BY (component, timestamp, record_id)""",
    f"""CREATE TABLE IF NOT EXISTS reports (
        run_id String,
        generated_at DateTime64(3, 'UTC'),
        report String,
        {VERSION}
    ) ENGINE = ReplacingMergeTree(version)
    ORDER BY run_id""",
    f"""CREATE TABLE IF NOT EXISTS runs (
        run_id String,
        kind LowCardinality(String),
        at DateTime64(3, 'UTC'),
        {VERSION}
    ) ENGINE = ReplacingMergeTree(version)
    ORDER BY (kind, run_id)""",
    f"""CREATE TABLE IF NOT EXISTS raw_responses (
        collected_at DateTime('UTC'),
        run_id String,
        kind LowCardinality(String),
        payload_hash String,
        payload String,
        {VERSION}
    ) ENGINE = ReplacingMergeTree(version)
    PARTITION BY toYYYYMM(collected_at)
    ORDER BY (kind, run_id, collected_at, payload_hash)
    TTL collected_at + INTERVAL 400 DAY""",
]

_V2 = [
    # 1 on the finding that carries its resource in the deduplicated savings total (agent.analysis.savings);
    # rows written before this column existed read as counted, which is what they were summed as.
    "ALTER TABLE optimization_opportunities ADD COLUMN IF NOT EXISTS counted UInt8 DEFAULT 1 AFTER savings",
]

MIGRATIONS: list[tuple[int, str, list[str]]] = [
    (1, "cost, resource, opportunity, anomaly, agent cost, report and raw tables", _V1),
    (2, "optimization_opportunities.counted: the finding counted in the deduplicated savings total", _V2),
]
SCHEMA_VERSION = MIGRATIONS[-1][0]

DATA_TABLES = ("cost_metrics", "resource_costs", "resource_costs_monthly", "resource_metrics", "resources",
               "optimization_opportunities", "anomalies", "agent_costs", "reports", "runs", "raw_responses")

_VERSION_TABLE = """CREATE TABLE IF NOT EXISTS schema_version (
    version UInt32, description String, applied_at DateTime('UTC')
) ENGINE = MergeTree ORDER BY version"""


def current_version(client: Any) -> int:
    """The highest applied migration, 0 for an empty database."""
    client.command(_VERSION_TABLE)
    return int(client.query("SELECT max(version) FROM schema_version").result_rows[0][0] or 0)


def migrate(client: Any, *, raw_retention_days: int) -> int:
    """Apply the migrations the database lacks; refuse a database newer than this code."""
    found = current_version(client)
    if found > SCHEMA_VERSION:
        raise SchemaTooNewError(found, SCHEMA_VERSION)
    for version, description, statements in MIGRATIONS:
        if version <= found:
            continue
        for statement in statements:
            client.command(statement)
        client.insert("schema_version", [[version, description, _now()]],
                      column_names=["version", "description", "applied_at"])
    set_raw_retention(client, raw_retention_days)
    return SCHEMA_VERSION


def set_raw_retention(client: Any, days: int) -> None:
    """Keep raw responses `days` days (settings.raw_retention_days); analyzed rows have no TTL."""
    days = int(days)
    if days < 1:
        raise ValueError("raw_retention_days must be at least 1")
    ddl = client.query(
        "SELECT create_table_query FROM system.tables WHERE database = currentDatabase() AND name = 'raw_responses'"
    ).result_rows[0][0]
    match = re.search(r"toIntervalDay\((\d+)\)|INTERVAL (\d+) DAY", ddl)
    current = int(next(g for g in match.groups() if g)) if match else None
    if current != days:
        # An int from validated settings: no user text reaches the DDL.
        client.command(f"ALTER TABLE raw_responses MODIFY TTL collected_at + INTERVAL {days} DAY")


def _now() -> datetime:
    return datetime.now(UTC)
