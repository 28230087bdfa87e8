"""`AWSMetricsStorage`: the seed's storage class over one clickhouse-connect client (chDB or server)."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from tools.storage.reads import CostReads
from tools.storage.reads_findings import FindingReads
from tools.storage.schema import DATA_TABLES, SCHEMA_VERSION, migrate
from tools.storage.writes import StorageWrites, columns_of


class AWSMetricsStorage(StorageWrites, CostReads, FindingReads):
    """Cost history, inventory, utilization, findings and the agent's own spend in ClickHouse.

    Build it with `get_storage()` (one per process); the constructor takes any clickhouse-connect client
    and applies the schema migrations the database lacks.
    """

    def __init__(self, client: Any, *, raw_retention_days: int = 400, location: str = "",
                 data_dir: Path | None = None) -> None:
        self.client = client
        self.location = location
        """The chDB directory, or 'ClickHouse server' (never the URL: it may hold a password)."""
        self.data_dir = data_dir
        """The settings' data directory this storage was opened for (None when built directly)."""
        self._lock = threading.RLock()
        self.schema_version = migrate(client, raw_retention_days=raw_retention_days)

    def __repr__(self) -> str:
        return f"AWSMetricsStorage({self.location or 'client'}, schema {self.schema_version})"

    def _insert(self, table: str, rows: list[dict[str, Any]]) -> int:
        """One columnar bulk insert."""
        if not rows:
            return 0
        columns = columns_of(rows)
        with self._lock:
            self.client.insert(table, list(columns.values()), column_names=list(columns), column_oriented=True)
        return len(rows)

    def _command(self, sql: str, params: dict[str, Any]) -> None:
        with self._lock:
            self.client.command(sql, parameters=params)

    def _rows(self, sql: str, params: dict[str, Any] | None = None) -> list[tuple]:
        with self._lock:
            return list(self.client.query(sql, parameters=params or {}).result_rows)

    def insert_arrow(self, table: str, data: Any) -> None:
        """Bulk insert of a pyarrow Table whose columns match `table` (benchmarks, imports)."""
        if table not in DATA_TABLES:
            raise ValueError(f"unknown table {table!r}")
        with self._lock:
            self.client.insert_arrow(table, data)
        if table == "resource_costs" and data.num_rows:
            import pyarrow.compute as pc  # pyarrow is not a dependency: only callers handing in a Table have it

            bounds = pc.min_max(data.column("timestamp")).as_py()
            self.refresh_resource_rollup(bounds["min"].date(), bounds["max"].date())

    def truncate_all(self) -> None:
        """Empty every data table, keeping the schema (tests)."""
        with self._lock:
            for table in DATA_TABLES:
                self.client.command(f"TRUNCATE TABLE IF EXISTS {table}")

    def count(self, table: str) -> int:
        """Rows in a table after deduplication."""
        if table not in DATA_TABLES:
            raise ValueError(f"unknown table {table!r}")
        return int(self._rows(f"SELECT count() FROM {table} FINAL")[0][0])

    def close(self) -> None:
        with self._lock:
            self.client.close()


__all__ = ["AWSMetricsStorage", "SCHEMA_VERSION"]
