"""The analysis does no I/O: importing it loads no AWS client, network or storage module (docs/money.md)."""

from __future__ import annotations

import json
import subprocess
import sys

FORBIDDEN = ("boto3", "urllib3", "requests", "httpx", "clickhouse_connect", "chdb", "redis", "psycopg",
             "langchain_aws")
FORBIDDEN_PREFIXES = ("tools.aws", "tools.storage", "botocore.")

PROBE = f"""
import json, sys
import agent.analysis, agent.analysis.costs, tools.pricing.billed, tools.pricing.quotes
bad = sorted(m for m in sys.modules
             if m.split('.')[0] in {FORBIDDEN!r} or m.startswith({FORBIDDEN_PREFIXES!r}))
print(json.dumps(bad))
"""


def test_the_analysis_imports_no_client_network_or_storage_module():
    # A fresh interpreter: this test process has boto3 loaded by other tests.
    out = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == []
