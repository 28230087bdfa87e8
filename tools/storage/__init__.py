"""ClickHouse storage: embedded chDB by default, any ClickHouse server by `CLICKHOUSE_URL`."""

from tools.storage.connection import client_params_from_url, close_storage, get_storage, storage_target
from tools.storage.errors import (
    LOCKED_MESSAGE,
    SchemaTooNewError,
    StorageConfigError,
    StorageError,
    StorageLockedError,
    StorageQueryError,
    StorageUnreachableError,
)
from tools.storage.metrics_storage import AWSMetricsStorage
from tools.storage.reads import allocate_cents
from tools.storage.schema import SCHEMA_VERSION

__all__ = [
    "AWSMetricsStorage", "LOCKED_MESSAGE", "SCHEMA_VERSION", "SchemaTooNewError", "StorageConfigError",
    "StorageError", "StorageLockedError", "StorageQueryError", "StorageUnreachableError", "allocate_cents",
    "client_params_from_url",
    "close_storage", "get_storage", "storage_target",
]
