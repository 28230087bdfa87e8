"""Where the data lives: embedded chDB under the data directory, or a ClickHouse server by URL.

chDB runs one engine per process and one process per data directory, so the process shares one
`AWSMetricsStorage` (graph, API server and command line alike). A second process on the same directory
gets `StorageLockedError` with one clear line instead of the engine's stack trace.
"""

from __future__ import annotations

import fcntl
import os
import threading
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import clickhouse_connect
from clickhouse_connect.driver.exceptions import OperationalError

from tools.settings import Settings, get_settings
from tools.storage.errors import StorageConfigError, StorageError, StorageLockedError, StorageUnreachableError
from tools.storage.metrics_storage import AWSMetricsStorage

_LOCK = threading.Lock()
_INSTANCE: AWSMetricsStorage | None = None
_TARGET: tuple[str, str] | None = None
"""('chdb', absolute path) or ('server', URL) of the open instance."""


def client_params_from_url(url: str) -> dict[str, Any]:
    """Map `http(s)://user:password@host:port/database` to `clickhouse_connect.get_client` arguments."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise StorageConfigError("CLICKHOUSE_URL: expected http(s)://user:password@host:port/database")
    if not parts.hostname:
        raise StorageConfigError("CLICKHOUSE_URL: the URL names no host")
    secure = parts.scheme == "https"
    try:
        port = parts.port or (8443 if secure else 8123)
    except ValueError:
        raise StorageConfigError("CLICKHOUSE_URL: the port is not a number") from None
    database = unquote(parts.path.strip("/")) or "default"
    if "/" in database:
        raise StorageConfigError("CLICKHOUSE_URL: the path must be a single database name")
    return {
        "host": parts.hostname,
        "port": port,
        "username": unquote(parts.username) if parts.username else "default",
        "password": unquote(parts.password) if parts.password else "",
        "database": database,
        "secure": secure,
    }


def storage_target(settings: Settings) -> tuple[str, str]:
    """('chdb', path) or ('server', url) for these settings."""
    url = settings.clickhouse_url.get_secret_value() if settings.clickhouse_url else ""
    if url.startswith("chdb://"):
        return "chdb", str(Path(url.removeprefix("chdb://")).resolve())
    if url:
        return "server", url
    return "chdb", str((Path(settings.data_dir) / "clickhouse").resolve())


def ensure_unlocked(path: Path | str) -> None:
    """Raise `StorageLockedError` when another process's chDB engine holds `path`."""
    status = Path(path) / "status"
    try:
        fd = os.open(status, os.O_RDWR)
    except FileNotFoundError:
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        fcntl.flock(fd, fcntl.LOCK_UN)
    except BlockingIOError:
        raise StorageLockedError(path) from None
    finally:
        os.close(fd)


def _short(reason: str) -> str:
    for marker in ("Connection refused", "timed out", "Name or service not known", "certificate", "401", "403"):
        if marker.lower() in reason.lower():
            return marker.lower()
    return "no answer"


def open_client(kind: str, where: str) -> Any:
    """A clickhouse-connect client for a chDB directory or a server URL (credentials never logged)."""
    if kind == "server":
        params = client_params_from_url(where)
        try:
            return clickhouse_connect.get_client(**params)
        except OperationalError as exc:
            scheme = "https" if params.get("secure") else "http"
            where_safe = f"{scheme}://{params['host']}:{params['port']}"
            raise StorageUnreachableError(where_safe, _short(str(exc))) from None
    Path(where).mkdir(parents=True, exist_ok=True)
    ensure_unlocked(where)
    try:
        return clickhouse_connect.get_client(dsn=f"chdb://{where}")
    except Exception as exc:
        ensure_unlocked(where)  # lost a race with another process: say so plainly
        if "already initialized" in str(exc):
            raise StorageError(
                f"a chDB engine is already open in this process on another path; cannot open {where}"
            ) from exc
        raise StorageError(f"cannot open the chDB engine at {where}: {str(exc).splitlines()[0]}") from exc


def get_storage(settings: Settings | None = None) -> AWSMetricsStorage:
    """The one shared storage of this process, opened (and migrated) on first use."""
    global _INSTANCE, _TARGET
    settings = settings or get_settings()
    target = storage_target(settings)
    with _LOCK:
        if _INSTANCE is not None and _TARGET is not None:
            if target == _TARGET:
                return _INSTANCE
            raise StorageError(_mismatch(_TARGET, target))
        client = open_client(*target)
        try:
            storage = AWSMetricsStorage(client, raw_retention_days=settings.raw_retention_days,
                                        location=target[1] if target[0] == "chdb" else "ClickHouse server",
                                        data_dir=Path(settings.data_dir))
        except BaseException:
            client.close()
            raise
        _INSTANCE, _TARGET = storage, target
        return storage


def close_storage() -> None:
    """Close the shared storage (tests, CLI shutdown); the next `get_storage` opens it again."""
    global _INSTANCE, _TARGET
    with _LOCK:
        if _INSTANCE is not None:
            _INSTANCE.close()
        _INSTANCE, _TARGET = None, None


def _mismatch(open_target: tuple[str, str], wanted: tuple[str, str]) -> str:
    if open_target[0] == "chdb" and wanted[0] == "chdb":
        return (f"chDB allows one engine per process: storage is already open at {open_target[1]}, "
                f"cannot also open {wanted[1]} (use the same data directory, or close_storage() first)")
    return "storage is already open for another target in this process; close_storage() first"
