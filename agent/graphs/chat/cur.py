"""The chat's Cost and Usage Report tool, offered when a Redshift Serverless workgroup holds the CUR
(`REDSHIFT_WORKGROUP`): one fixed, parameterized, read-only SELECT through the Redshift Data API, billed
RPU x seconds with the 60-second minimum (`tools.billing.run_redshift_query`)."""

from __future__ import annotations

import logging
import re
from datetime import timedelta
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field

from agent import metrics
from agent.graphs.chat.args import PeriodArgs, ToolInputError, resolve_name
from agent.graphs.context import base_settings
from agent.graphs.run_bill import RunBill
from tools.aws.clients import ClientFactory
from tools.billing import run_redshift_query
from tools.models import cents
from tools.storage import get_storage

log = logging.getLogger(__name__)

NAME = "cur_spend"
DESCRIPTION = ("Spend from the Cost and Usage Report in Redshift (line items, unblended cost) over a period, "
               "grouped by service, region or usage type. Each query is billed; prefer 'spend' when it suffices.")
PRODUCT_CODES = {"ec2": "AmazonEC2", "ebs": "AmazonEC2", "rds": "AmazonRDS", "lambda": "AWSLambda",
                 "s3": "AmazonS3", "vpc": "AmazonVPC", "cloudwatch": "AmazonCloudWatch"}
COLUMNS = {"service": "line_item_product_code", "region": "product_region", "usage_type": "line_item_usage_type"}
_TABLE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?$")


def product_code(name: str | None) -> str | None:
    """A CUR product code from a name or alias ('EC2', 'AmazonEC2')."""
    return resolve_name(name, PRODUCT_CODES, "CUR product code")


class CurArgs(PeriodArgs):
    group_by: Literal["service", "region", "usage_type"] = Field("service", description="How to group the spend.")
    service: Annotated[str | None, AfterValidator(product_code)] = Field(
        None, description="Only this service, e.g. 'EC2' or 'AmazonEC2'.")


def cur_sql(table: str, group_by: str, with_service: bool) -> str:
    if not _TABLE.match(table):
        raise ToolInputError(f"REDSHIFT_CUR_TABLE: expected a table name such as 'cur' or 'billing.cur', got {table!r}")
    where = "line_item_usage_start_date >= CAST(:start AS timestamp) " \
            "AND line_item_usage_start_date < CAST(:end_exclusive AS timestamp)"
    if with_service:
        where += " AND line_item_product_code = :service"
    return (f"SELECT {COLUMNS[group_by]} AS {group_by}, SUM(line_item_unblended_cost) AS cost FROM {table} "
            f"WHERE {where} GROUP BY 1 ORDER BY 2 DESC LIMIT 50")


def cur_spend(args: CurArgs, session_id: str = "chat") -> dict[str, Any]:
    """Run the query; the payload carries the rows, the source and what the statement cost."""
    settings = base_settings()
    service = args.service
    sql = cur_sql(settings.redshift_cur_table, args.group_by, service is not None)
    params = {"start": args.start.isoformat(), "end_exclusive": (args.end + timedelta(days=1)).isoformat()}
    if service:
        params["service"] = service
    bill = RunBill(settings, session_id=session_id)
    _, rows, cost = run_redshift_query(settings, ClientFactory(settings), sql, params, bill.tracker, bill.logger,
                                       session_id=session_id)
    _store_cost(settings, bill, cost, session_id)
    metrics.record_agent_cost("redshift", cost.redshift_cost)
    breakdown = {str(key): cents(Decimal(str(value or 0))) for key, value in rows}
    total = cents(sum((Decimal(str(v or 0)) for _, v in rows), Decimal(0)))
    return {"total_usd": total, f"by_{args.group_by}": breakdown, "redshift_cost_usd": cost.redshift_cost,
            "source": f"Cost and Usage Report {args.start}..{args.end} (Redshift {settings.redshift_workgroup}/"
                      f"{settings.redshift_database}.{settings.redshift_cur_table}, unblended cost)"}


def _store_cost(settings: Any, bill: Any, cost: Any, session_id: str) -> None:
    try:
        get_storage(settings).store_agent_costs([{"session_id": session_id, "component": "redshift",
                                                  "cost": cost.redshift_cost, "trigger": "chat"}])
    except Exception:  # the answer matters more than the row; the cost log still has the statement
        log.warning("could not store the Redshift statement's cost", exc_info=True)
