"""RedshiftCurQuery against a local Redshift Data API server: execute, poll, fetch pages, bill, time out."""

from __future__ import annotations

import json
from pathlib import Path

import boto3
import pytest

from tools.aws.clients import ClientFactory
from tools.billing import (
    CostLogger,
    CostTracker,
    ReadOnlySqlError,
    RedshiftCurQuery,
    RedshiftNotConfigured,
    RedshiftQueryError,
    RedshiftQueryTimeout,
    run_redshift_query,
)
from tools.billing.redshift import check_read_only
from tools.settings import CostSettings, load_settings

SQL = ("SELECT line_item_product_code AS service, SUM(line_item_unblended_cost) AS cost FROM cur "
       "WHERE line_item_usage_start_date >= :start GROUP BY 1 ORDER BY 2 DESC")
ROWS = [["AmazonEC2", 812.5], ["AmazonRDS", 301.25], ["AWSLambda", 12.0], ["AmazonS3", None], ["AmazonVPC", 7]]


def _query(redshift_server, tmp_path: Path, **kwargs) -> tuple[RedshiftCurQuery, CostTracker, CostLogger]:
    tracker = CostTracker(CostSettings())
    logger = CostLogger(tmp_path / "cost.log")
    client = boto3.client("redshift-data", region_name="us-east-1")
    assert client.meta.endpoint_url == redshift_server.url
    query = RedshiftCurQuery(client, "cur-wg", "billing", tracker, logger, poll_interval=0.01,
                             session_id="chat-1", **kwargs)
    return query, tracker, logger


def test_statement_is_run_fetched_and_billed(redshift_server, tmp_path: Path) -> None:
    redshift_server.rows = ROWS
    query, tracker, logger = _query(redshift_server, tmp_path)

    columns, rows, cost = query.run(SQL, {"start": "2026-10-01"})

    assert columns == ["service", "cost"]
    assert rows == ROWS  # five rows over three pages
    assert redshift_server.operations == ["ExecuteStatement", "DescribeStatement", "DescribeStatement",
                                          "GetStatementResult", "GetStatementResult", "GetStatementResult"]
    (statement,) = redshift_server.statements.values()
    assert (statement.workgroup, statement.database, statement.sql) == ("cur-wg", "billing", SQL)
    assert statement.params == [{"name": "start", "value": "2026-10-01"}]
    assert cost.redshift_cost == 0.048  # 8 RPU x 60 s minimum (the statement took 2 s) / 3600 x $0.36
    assert cost.total_cost == 0.048
    assert tracker.get_cost_summary("chat-1")["breakdown"]["redshift"] == 0.048
    (entry,) = logger.read_log_entries(query_type="REDSHIFT_QUERY")
    assert entry["query"] == SQL and entry["costs"]["redshift"] == 0.048
    assert entry["details"]["duration_s"] == 2.0 and entry["details"]["status"] == "FINISHED"


def test_long_statement_is_billed_its_duration(redshift_server, tmp_path: Path) -> None:
    redshift_server.duration_ns = 150_000_000_000  # 150 s
    query, _, _ = _query(redshift_server, tmp_path, rpus=16)
    _, _, cost = query.run("WITH x AS (SELECT 1) SELECT * FROM x;")
    assert cost.redshift_cost == 0.24  # 16 RPU x 150 s / 3600 x $0.36


def test_timeout_cancels_and_bills_wall_time(redshift_server, tmp_path: Path) -> None:
    redshift_server.started_polls = None
    query, tracker, logger = _query(redshift_server, tmp_path, timeout_s=0.2)
    with pytest.raises(RedshiftQueryTimeout, match=r"did not finish within 0.2 s and was cancelled") as caught:
        query.run(SQL)
    (statement,) = redshift_server.statements.values()
    assert statement.cancelled and redshift_server.operations[-1] == "CancelStatement"
    assert caught.value.statement_id in redshift_server.statements
    assert caught.value.cost.redshift_cost == 0.048  # under a minute of wall time: the 60 s minimum
    assert tracker.get_cost_summary("chat-1")["total_cost"] == 0.048
    assert logger.read_log_entries()[0]["details"]["status"] == "TIMEOUT"


def test_failed_statement_raises_with_its_bill(redshift_server, tmp_path: Path) -> None:
    redshift_server.final_status = "FAILED"
    query, _, _ = _query(redshift_server, tmp_path)
    with pytest.raises(RedshiftQueryError, match='FAILED: ERROR: relation "cur" does not exist') as caught:
        query.run(SQL)
    assert caught.value.cost.redshift_cost == 0.048
    assert "GetStatementResult" not in redshift_server.operations


@pytest.mark.parametrize("sql", [
    "DELETE FROM cur", "insert into cur values (1)", "  drop table cur", "SELECT 1; DROP TABLE cur",
    "-- comment\nUPDATE cur SET x = 1", "/* SELECT */ CREATE TABLE t AS SELECT 1", "", "CALL proc()",
])
def test_only_read_only_sql(sql: str, redshift_server, tmp_path: Path) -> None:
    query, _, _ = _query(redshift_server, tmp_path)
    with pytest.raises(ReadOnlySqlError):
        query.run(sql)
    assert redshift_server.operations == []


def test_read_only_check_keeps_quoted_semicolons() -> None:
    assert check_read_only("-- top\nselect ';' as s;  ") == "select ';' as s"
    assert check_read_only("/* a */ WITH t AS (SELECT 1) SELECT * FROM t") == "WITH t AS (SELECT 1) SELECT * FROM t"


def test_through_the_client_factory_and_settings(redshift_server, tmp_path: Path) -> None:
    redshift_server.rows = ROWS[:1]
    settings = load_settings(redshift_workgroup="cur-wg", redshift_database="billing")
    factory = ClientFactory(settings)
    tracker = CostTracker(settings.cost)
    columns, rows, cost = run_redshift_query(settings, factory, SQL, None, tracker, None, session_id="s")
    assert (columns, rows, cost.total_cost) == (["service", "cost"], [["AmazonEC2", 812.5]], 0.048)
    assert factory.ledger.count(service="redshift-data") == 4
    with pytest.raises(RedshiftNotConfigured):
        run_redshift_query(load_settings(), factory, SQL, None, tracker, None)
    assert json.dumps(rows)
