"""Where threads persist outside the LangGraph server: SQLite under the data directory by default,
PostgreSQL when `DATABASE_URL` is set. (The server brings its own checkpointer; graphs compiled for it have none.)"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.checkpoint.sqlite import SqliteSaver

from tools.settings import Settings

SQLITE_FILE = "threads.sqlite"


def sqlite_path(settings: Settings) -> Path:
    return settings.data_dir / SQLITE_FILE


@contextmanager
def open_checkpointer(settings: Settings) -> Iterator[BaseCheckpointSaver]:
    """A ready checkpointer (tables created) for the duration of the block."""
    if settings.database_url is not None:
        # Lazy on purpose: the PostgreSQL saver and psycopg are an optional extra, needed only with DATABASE_URL.
        from langgraph.checkpoint.postgres import PostgresSaver

        with PostgresSaver.from_conn_string(settings.database_url.get_secret_value()) as postgres:
            postgres.setup()
            yield postgres
        return
    path = sqlite_path(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    # The graph runs nodes on worker threads; SqliteSaver serialises access with its own lock.
    conn = sqlite3.connect(str(path), check_same_thread=False)
    try:
        sqlite = SqliteSaver(conn)
        sqlite.setup()
        yield sqlite
    finally:
        conn.close()
