"""CostLogger: the seed's JSON-lines format, daily summaries, reading with filters, report and export."""

from __future__ import annotations

import csv
import json
import threading
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from tools.billing import CostLogger, CostTracker, TokenUsage

PRICES = {"bedrock_input_cost_per_1k": 0.003, "bedrock_output_cost_per_1k": 0.015,
          "redshift_rpu_cost_per_hour": 0.36, "redshift_base_rpus": 8, "lambda_cost_per_gb_second": 0.0000166667}


@pytest.fixture
def tracker() -> CostTracker:
    return CostTracker(PRICES)


def test_query_line_is_the_seed_format(tmp_path: Path, tracker: CostTracker) -> None:
    logger = CostLogger(tmp_path / "logs" / "cost_tracking.log")
    cost = tracker.calculate_query_cost(TokenUsage(1000, 500), redshift_execution_time=2.5,
                                        lambda_duration_ms=300, lambda_memory_mb=512)
    logger.log_query_cost(session_id="user123", persona="Warehouse Manager", query="Show me low stock products",
                          cost=cost, execution_time=2.5, cached=False, query_type="SQL_QUERY")
    line = (tmp_path / "logs" / "cost_tracking.log").read_text().splitlines()[0]
    entry = json.loads(line)
    assert list(entry) == ["timestamp", "session_id", "persona", "query", "query_type", "cached",
                           "execution_time", "costs", "tokens"]
    assert list(entry["costs"]) == ["bedrock", "redshift", "lambda", "total", "aws_api"]
    stamp = datetime.fromisoformat(entry["timestamp"])
    assert stamp.tzinfo is None and len(entry["timestamp"]) == 26  # 2024-01-15T10:30:45.123456
    assert abs(stamp.replace(tzinfo=UTC) - datetime.now(UTC)) < timedelta(seconds=5)
    del entry["timestamp"]
    assert entry == {
        "session_id": "user123", "persona": "Warehouse Manager", "query": "Show me low stock products",
        "query_type": "SQL_QUERY", "cached": False, "execution_time": 2.5,
        "costs": {"bedrock": 0.0105, "redshift": 0.048, "lambda": 0.0000025, "total": 0.0585025, "aws_api": 0.0},
        "tokens": {"input": 1000, "output": 500, "total": 1500},
    }


def test_credential_shaped_text_is_redacted(tmp_path: Path, tracker: CostTracker,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
    logger = CostLogger(tmp_path / "c.log")
    query = "why AKIAIOSFODNN7EXAMPLE and wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY? spend on EC2 last month"
    logger.log_query_cost("s", "p", query, tracker.calculate_query_cost(), 0.1)
    text = (tmp_path / "c.log").read_text()
    assert "AKIAIOSFODNN7EXAMPLE" not in text and "bPxRfiCYEXAMPLEKEY" not in text
    assert json.loads(text)["query"] == "why <access-key-id> and <redacted>? spend on EC2 last month"


def test_disabled_logger_writes_nothing(tmp_path: Path, tracker: CostTracker) -> None:
    logger = CostLogger(tmp_path / "c.log", enabled=False)
    assert logger.log_query_cost("s", "p", "q", tracker.calculate_query_cost(), 0.0) is None
    assert logger.log_daily_summary(date(2026, 11, 1), 1.0, 3) is None
    assert not (tmp_path / "c.log").exists()
    assert logger.read_log_entries() == []


def _write(path: Path, entries: list[dict]) -> None:
    path.write_text("".join(json.dumps(e) + "\n" for e in entries) + "not json\n")


def test_read_and_filter(tmp_path: Path, tracker: CostTracker) -> None:
    path = tmp_path / "c.log"
    base = {"persona": "p", "query": "q", "cached": False, "execution_time": 1.0,
            "costs": {"bedrock": 0.01, "redshift": 0.0, "lambda": 0.0, "total": 0.01, "aws_api": 0.0},
            "tokens": {"input": 1, "output": 1, "total": 2}}
    _write(path, [
        {"timestamp": "2026-11-01T10:00:00.000000", "session_id": "a", "query_type": "LLM_CALL", **base},
        {"timestamp": "2026-11-02T23:59:59.999999", "session_id": "b", "query_type": "REDSHIFT_QUERY", **base},
        {"timestamp": "2026-11-03T00:00:00.000000", "session_id": "a", "query_type": "LLM_CALL", **base},
        {"timestamp": "2026-11-03T00:00:01.000000", "query_type": "DAILY_SUMMARY", "date": "2026-11-02",
         "total_cost": 0.01, "query_count": 1, "average_cost_per_query": 0.01},
    ])
    logger = CostLogger(path)
    assert [e["timestamp"][:10] for e in logger.read_log_entries()] == ["2026-11-01", "2026-11-02", "2026-11-03"]
    assert len(logger.read_log_entries(include_summaries=True)) == 4
    assert [e["session_id"] for e in logger.read_log_entries(start=date(2026, 11, 2), end=date(2026, 11, 2))] == ["b"]
    assert len(logger.read_log_entries(start=datetime(2026, 11, 2, 12, tzinfo=UTC))) == 2
    assert len(logger.read_log_entries(session_id="a")) == 2
    assert len(logger.read_log_entries(session_id="a", query_type="LLM_CALL", end=date(2026, 11, 1))) == 1
    assert [e["date"] for e in logger.read_log_entries(query_type="DAILY_SUMMARY")] == ["2026-11-02"]


def test_daily_summary_round_trip(tmp_path: Path, tracker: CostTracker) -> None:
    logger = CostLogger(tmp_path / "c.log")
    daily = tracker.calculate_query_cost(TokenUsage(1000, 500)) + tracker.calculate_query_cost(TokenUsage(1000, 500))
    entry = logger.log_daily_summary(target_date=date(2026, 11, 20), total_cost=daily, query_count=2)
    assert entry is not None
    read = logger.read_log_entries(query_type="DAILY_SUMMARY")
    assert read == [entry]
    assert {k: v for k, v in entry.items() if k != "timestamp"} == {
        "query_type": "DAILY_SUMMARY", "date": "2026-11-20", "total_cost": 0.021, "query_count": 2,
        "average_cost_per_query": 0.0105}


def test_concurrent_writes_stay_whole_lines(tmp_path: Path, tracker: CostTracker) -> None:
    logger = CostLogger(tmp_path / "c.log")
    cost = tracker.calculate_query_cost(TokenUsage(1000, 500))

    def worker(n: int) -> None:
        for i in range(100):
            logger.log_query_cost(f"s{n}", "p", f"question {i} " + "x" * 500, cost, 0.1, query_type="LLM_CALL")

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    entries = logger.read_log_entries()
    assert len(entries) == 800
    assert round(sum(e["costs"]["total"] for e in entries), 6) == 8.4
    assert len(logger.read_log_entries(session_id="s3")) == 100


def _two_days(tracker: CostTracker) -> dict:
    tracker.add_query_cost("a", tracker.calculate_query_cost(TokenUsage(1000, 500)),
                           at=datetime(2026, 11, 1, 9, tzinfo=UTC))
    tracker.add_query_cost("a", tracker.calculate_query_cost(redshift_execution_time=2, aws_api_cost=0.07),
                           at=datetime(2026, 11, 2, 9, tzinfo=UTC))
    tracker.add_query_cost("b", tracker.calculate_query_cost(lambda_duration_ms=1000, lambda_memory_mb=1024),
                           at=datetime(2026, 11, 2, 10, tzinfo=UTC))
    return tracker.get_all_daily_costs()


def test_generate_cost_report(tmp_path: Path, tracker: CostTracker) -> None:
    report = CostLogger(tmp_path / "c.log").generate_cost_report(date(2026, 11, 1), date(2026, 11, 30),
                                                                  _two_days(tracker))
    lines = report.splitlines()
    assert "Period: 2026-11-01 to 2026-11-30" in lines
    assert "Total cost:        $0.128517" in lines  # 0.0105 + 0.048 + 0.07 + 0.0000166667
    assert "Queries:           3" in lines
    assert "  bedrock    $0.010500  (8.2%)" in lines
    assert "  redshift   $0.048000  (37.3%)" in lines
    assert "  aws_api    $0.070000  (54.5%)" in lines
    assert "  2026-11-02  $0.118017  (2 queries)" in lines
    only_first = CostLogger(tmp_path / "c.log").generate_cost_report(date(2026, 11, 1), date(2026, 11, 1),
                                                                      tracker.get_all_daily_costs())
    assert "Total cost:        $0.010500" in only_first.splitlines()


def test_export_json_and_csv(tmp_path: Path, tracker: CostTracker) -> None:
    data = _two_days(tracker)
    logger = CostLogger(tmp_path / "c.log")
    out = logger.export_cost_data(tmp_path / "reports" / "costs.json", data, format="json")
    assert json.loads(out.read_text()) == data
    out = logger.export_cost_data(tmp_path / "reports" / "costs.csv", data, format="csv")
    rows = list(csv.DictReader(out.open()))
    assert rows[1] == {"date": "2026-11-02", "bedrock": "0.0", "redshift": "0.048", "lambda": "0.00001667",
                       "aws_api": "0.07", "total": "0.11801667", "query_count": "2", "input_tokens": "0",
                       "output_tokens": "0"}
    with pytest.raises(ValueError, match="format must be"):
        logger.export_cost_data(tmp_path / "x.xml", data, format="xml")  # type: ignore[arg-type]
