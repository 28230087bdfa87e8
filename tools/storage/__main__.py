"""`python -m tools.storage [info]`: open the configured storage, print where it is, its schema version
and row counts. Any storage or configuration failure is one line on stderr and exit code 2."""

from __future__ import annotations

import sys

from tools.settings import ConfigError, load_settings
from tools.storage.connection import close_storage, get_storage
from tools.storage.errors import StorageError
from tools.storage.schema import DATA_TABLES


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args not in ([], ["info"]):
        print("usage: python -m tools.storage [info]", file=sys.stderr)
        return 2
    try:
        storage = get_storage(load_settings())
    except (StorageError, ConfigError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    try:
        print(f"storage: {storage.location}")
        print(f"schema version: {storage.schema_version}")
        for table in DATA_TABLES:
            print(f"{table}: {storage.count(table)} rows")
    finally:
        close_storage()
    return 0


if __name__ == "__main__":
    sys.exit(main())
