"""`python tests/surfaces/seed_store.py DATA_DIR`: the chat tests' stored data (tests/chat_data.py's spend and a
10-instance report) in a fresh data directory, written by a process of its own and released when it exits, so
that a server subprocess can own the directory (chDB admits one process per directory). Prints the period."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from agent_fixtures import make_report
from chat_data import seed

from agent.graphs.chat.tools import today
from tools.settings import load_settings
from tools.storage import close_storage, get_storage

if __name__ == "__main__":
    storage = get_storage(load_settings(data_dir=Path(sys.argv[1])))
    start, end = seed(storage, make_report(10), today())
    close_storage()
    print(json.dumps({"start": start.isoformat(), "end": end.isoformat()}))
