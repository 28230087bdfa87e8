"""Typed storage errors; the command line and the API turn them into one line at the edge."""

from __future__ import annotations

from pathlib import Path

LOCKED_MESSAGE = "data directory in use by another process; use a ClickHouse server for concurrent access"


class StorageError(RuntimeError):
    """Base class for every storage failure."""


class StorageConfigError(StorageError, ValueError):
    """The storage target (URL, data directory) cannot be used as given."""


class StorageQueryError(StorageError, ValueError):
    """A query argument (service, region, date, limit ...) is not acceptable."""


class StorageLockedError(StorageError):
    """Another process holds the embedded chDB engine on this data directory."""

    def __init__(self, path: Path | str) -> None:
        self.path = str(path)
        super().__init__(f"{LOCKED_MESSAGE}: {self.path}")


class StorageUnreachableError(StorageError):
    """The configured ClickHouse server did not answer; the message names where, never the credentials."""

    def __init__(self, where: str, reason: str) -> None:
        super().__init__(f"cannot reach the ClickHouse server at {where} ({reason}): check CLICKHOUSE_URL, "
                         "or unset it to use the embedded store")


class SchemaTooNewError(StorageError):
    """The database was migrated by a newer version of this program."""

    def __init__(self, found: int, known: int) -> None:
        self.found = found
        self.known = known
        super().__init__(
            f"database schema version {found} is newer than this program supports ({known}); "
            "upgrade optiinfra-cost-agent or point CLICKHOUSE_URL / DATA_DIR at another database"
        )
