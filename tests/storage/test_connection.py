"""One engine per process, one process per directory, versioned schema."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from tools.settings import get_settings, load_settings
from tools.storage import (
    LOCKED_MESSAGE,
    SCHEMA_VERSION,
    AWSMetricsStorage,
    SchemaTooNewError,
    StorageError,
    get_storage,
)
from tools.storage.schema import current_version, migrate, set_raw_retention

ROOT = Path(__file__).resolve().parents[2]
ON_SERVER = bool(os.environ.get("CLICKHOUSE_URL"))  # read before the autouse fixture clears it
chdb_only = pytest.mark.skipif(ON_SERVER, reason="chDB directory locking; not applicable to a server")


def test_get_storage_returns_the_shared_instance(db: AWSMetricsStorage) -> None:
    assert get_storage() is db
    assert get_storage(get_settings()) is db
    seen: list[AWSMetricsStorage] = []
    threads = [threading.Thread(target=lambda: seen.append(get_storage())) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(seen) == 8 and all(s is db for s in seen)


@chdb_only
def test_another_chdb_path_in_the_same_process_is_a_clear_error(db: AWSMetricsStorage, tmp_path: Path) -> None:
    with pytest.raises(StorageError) as err:
        get_storage(load_settings(data_dir=tmp_path))
    assert str(err.value) == (
        f"chDB allows one engine per process: storage is already open at {db.location}, cannot also open "
        f"{(tmp_path / 'clickhouse').resolve()} (use the same data directory, or close_storage() first)")


@chdb_only
def test_second_process_on_the_same_directory_gets_one_line(db: AWSMetricsStorage) -> None:
    env = {**os.environ, "DATA_DIR": str(db.data_dir)}
    env.pop("CLICKHOUSE_URL", None)
    done = subprocess.run([sys.executable, "-m", "tools.storage", "info"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr == f"error: {LOCKED_MESSAGE}: {db.location}\n"
    assert LOCKED_MESSAGE == "data directory in use by another process; use a ClickHouse server for concurrent access"


def test_migrations_are_applied_once(db: AWSMetricsStorage) -> None:
    assert db.schema_version == SCHEMA_VERSION == 2
    assert migrate(db.client, raw_retention_days=400) == 2
    rows = db.client.query("SELECT version, count() FROM schema_version GROUP BY version ORDER BY version").result_rows
    assert rows == [(1, 1), (2, 1)]


def test_a_newer_schema_is_refused(db: AWSMetricsStorage) -> None:
    db.client.command("INSERT INTO schema_version VALUES (99, 'from the future', now())")
    try:
        with pytest.raises(SchemaTooNewError) as err:
            AWSMetricsStorage(db.client)
        assert str(err.value) == (
            "database schema version 99 is newer than this program supports (2); upgrade optiinfra-cost-agent "
            "or point CLICKHOUSE_URL / DATA_DIR at another database")
    finally:
        db.client.command("DELETE FROM schema_version WHERE version = 99")
    assert current_version(db.client) == 2


def test_raw_retention_follows_the_setting(db: AWSMetricsStorage) -> None:
    def ttl() -> str:
        return db.client.query("SELECT create_table_query FROM system.tables "
                               "WHERE database = currentDatabase() AND name = 'raw_responses'").result_rows[0][0]

    assert "toIntervalDay(400)" in ttl() or "INTERVAL 400 DAY" in ttl()
    set_raw_retention(db.client, 30)
    try:
        assert "toIntervalDay(30)" in ttl() or "INTERVAL 30 DAY" in ttl()
    finally:
        set_raw_retention(db.client, 400)
    assert "toIntervalDay(400)" in ttl() or "INTERVAL 400 DAY" in ttl()


_LAZY_OPEN = """
import sys, threading
from tools.settings import load_settings
from tools.storage import close_storage, get_storage
first, second = sys.argv[1], sys.argv[2]
seen = []
threads = [threading.Thread(target=lambda: seen.append(get_storage(load_settings(data_dir=first))))
           for _ in range(8)]
for t in threads: t.start()
for t in threads: t.join()
print(len(seen), len({id(s) for s in seen}), seen[0].schema_version)
close_storage()
print(get_storage(load_settings(data_dir=second)).location)
"""


@chdb_only
def test_lazy_open_from_threads_and_reopen_elsewhere(tmp_path: Path) -> None:
    """In a fresh process: eight threads share one lazily opened engine; after close_storage() another
    directory can be opened."""
    env = {k: v for k, v in os.environ.items() if k not in ("CLICKHOUSE_URL", "DATA_DIR")}
    done = subprocess.run([sys.executable, "-c", _LAZY_OPEN, str(tmp_path / "a"), str(tmp_path / "b")], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["8 1 2", str((tmp_path / "b" / "clickhouse").resolve())]
