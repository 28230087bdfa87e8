"""Request and response models at the API edge: every query parameter is validated here."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, field_validator, model_validator

from tools.regions import KNOWN_REGIONS
from tools.settings import TAG_KEY

MAX_MONTHS = 13
MAX_SAVINGS = 1_000_000_000
MAX_TAG_KEYS = 10
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_ACCOUNT_ID = re.compile(r"[0-9]{12}")

# Cost Explorer's service names (SERVICE dimension), and the short names people type, mapped onto them.
CE_SERVICES = (
    "Amazon Elastic Compute Cloud - Compute", "EC2 - Other", "Amazon Virtual Private Cloud",
    "Amazon Relational Database Service", "AWS Lambda", "Amazon Simple Storage Service", "AmazonCloudWatch",
    "Amazon Elastic Load Balancing", "Amazon DynamoDB", "Amazon ElastiCache", "Amazon Elastic File System",
    "Amazon Elastic Container Service", "Amazon Elastic Container Service for Kubernetes", "Amazon Route 53",
    "Amazon CloudFront", "Amazon Simple Notification Service", "Amazon Simple Queue Service",
    "AWS Key Management Service",
    "AWS Cost Explorer", "Amazon Redshift", "Amazon Bedrock", "AWS Glue", "Amazon Athena", "Amazon OpenSearch Service",
    "Amazon EC2 Container Registry (ECR)", "AWS Secrets Manager", "AWS Config", "AWS CloudTrail", "Amazon GuardDuty",
    "AWS Backup", "Amazon API Gateway", "AWS Step Functions", "Amazon Kinesis", "Amazon SageMaker", "Amazon EMR",
    "AWS Data Transfer", "AWS Systems Manager", "AWS WAF", "Amazon Elastic Block Store", "Tax",
)
SERVICE_ALIASES = {
    "ec2": "Amazon Elastic Compute Cloud - Compute", "amazonec2": "Amazon Elastic Compute Cloud - Compute",
    "ebs": "EC2 - Other", "vpc": "Amazon Virtual Private Cloud", "amazonvpc": "Amazon Virtual Private Cloud",
    "rds": "Amazon Relational Database Service", "amazonrds": "Amazon Relational Database Service",
    "lambda": "AWS Lambda", "awslambda": "AWS Lambda", "s3": "Amazon Simple Storage Service",
    "amazons3": "Amazon Simple Storage Service", "cloudwatch": "AmazonCloudWatch",
}
# The report's service labels for findings (`Resource.service`).
FINDING_SERVICES = ("EC2", "EBS", "VPC", "RDS", "Lambda", "S3")
_CE_BY_LOWER = {name.lower(): name for name in CE_SERVICES}
_LABEL_BY_LOWER = {name.lower(): name for name in FINDING_SERVICES}
_LABEL_ALIASES = {"amazonec2": "EC2", "amazonrds": "RDS", "awslambda": "Lambda", "amazons3": "S3", "amazonvpc": "VPC",
                  **{ce.lower(): label for label, ce in (("EC2", CE_SERVICES[0]), ("EBS", CE_SERVICES[1]),
                                                         ("VPC", CE_SERVICES[2]), ("RDS", CE_SERVICES[3]),
                                                         ("Lambda", CE_SERVICES[4]), ("S3", CE_SERVICES[5]))}}


def cost_service(value: str) -> str:
    key = value.strip().lower()
    found = _CE_BY_LOWER.get(key) or SERVICE_ALIASES.get(key)
    if found is None:
        raise ValueError(f"unknown service {value!r}; use a Cost Explorer service name such as "
                         f"'Amazon Relational Database Service' or a short name: EC2, EBS, VPC, RDS, Lambda, S3")
    return found


def finding_service(value: str) -> str:
    key = value.strip().lower()
    found = _LABEL_BY_LOWER.get(key) or _LABEL_ALIASES.get(key)
    if found is None:
        raise ValueError(f"unknown service {value!r}; use one of {', '.join(FINDING_SERVICES)}")
    return found


def known_region(value: str) -> str:
    value = value.strip()
    if value not in KNOWN_REGIONS:
        raise ValueError(f"unknown region {value!r}; use an AWS region name such as us-east-1")
    return value


def add_months(day: date, months: int) -> date:
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    if year > date.max.year:
        return date.max
    for dd in (day.day, 30, 29, 28):
        try:
            return date(year, month, dd)
        except ValueError:
            continue
    raise ValueError(f"cannot add {months} months to {day}")


def iso_date(value: Any) -> Any:
    """Only `YYYY-MM-DD`: pydantic's lax date parsing would read `0` as 1970-01-01 and `2026-01-01T00:00` as a
    day, neither of which the schema promises."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str) and _ISO_DATE.fullmatch(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise ValueError(f"expected a calendar date as YYYY-MM-DD, got {value!r}")


def tag_key(value: str) -> str:
    if not TAG_KEY.fullmatch(value):
        raise ValueError(f"expected a tag key (letters, digits, spaces and _ . : / = + - @, at most 128), "
                         f"got {value!r}")
    return value


IsoDate = Annotated[date, BeforeValidator(iso_date)]
TagKey = Annotated[str, AfterValidator(tag_key), Field(json_schema_extra={"pattern": f"^{TAG_KEY.pattern}$"})]
# What the schema lists is what the validators accept (case aside): fuzzers and clients read the same promise.
COST_SERVICE_NAMES = sorted({*CE_SERVICES, *SERVICE_ALIASES, *(n.upper() for n in ("ec2", "ebs", "vpc", "rds", "s3")),
                             "Lambda"})
FINDING_SERVICE_NAMES = sorted({*FINDING_SERVICES, *_LABEL_ALIASES})


def default_period(today: date | None = None, days: int = 30) -> tuple[date, date]:
    """The report period: `days` days ending yesterday (docs/architecture.md, Clock)."""
    today = today or datetime.now(UTC).date()
    return today - timedelta(days=days), today - timedelta(days=1)


class CostQuery(BaseModel):
    """`GET /api/v1/aws/costs`: dates are ISO (YYYY-MM-DD), both inclusive."""

    model_config = ConfigDict(extra="forbid")
    start_date: IsoDate | None = Field(None, description="first day, ISO YYYY-MM-DD (default: 30 days ago)")
    end_date: IsoDate | None = Field(None, description="last day, inclusive, ISO YYYY-MM-DD (default: yesterday)")
    service: str | None = Field(None, description="Cost Explorer service name or EC2, EBS, VPC, RDS, Lambda, S3",
                                json_schema_extra={"enum": [*COST_SERVICE_NAMES]})
    region: str | None = Field(None, description="AWS region name, e.g. us-east-1",
                               json_schema_extra={"enum": [*sorted(KNOWN_REGIONS)]})
    tag_key: list[TagKey] = Field(default_factory=list, max_length=MAX_TAG_KEYS,
                                  description="tag key for `by_tag`, repeatable (default: COST_ALLOCATION_TAGS)")
    account_id: str | None = Field(None, pattern=r"^[0-9]{12}$",
                                   description="one AWS account's spend: a 12-digit account id (a linked account of "
                                               "an organization's collection, or the account that collected)")

    @field_validator("service")
    @classmethod
    def _service(cls, value: str | None) -> str | None:
        return None if value is None else cost_service(value)

    @field_validator("account_id", mode="before")
    @classmethod
    def _account_id(cls, value: Any) -> Any:
        if isinstance(value, str) and not _ACCOUNT_ID.fullmatch(value):
            raise ValueError(f"expected a 12-digit AWS account id such as 111122223333, got {value!r}")
        return value

    @field_validator("region")
    @classmethod
    def _region(cls, value: str | None) -> str | None:
        return None if value is None else known_region(value)

    @model_validator(mode="after")
    def _period(self) -> CostQuery:
        start, end = default_period()
        self.end_date = self.end_date or (max(self.start_date, end) if self.start_date else end)
        self.start_date = self.start_date or min(start, self.end_date)
        if self.start_date > self.end_date:
            raise ValueError(f"start_date {self.start_date} is after end_date {self.end_date}")
        limit = add_months(self.start_date, MAX_MONTHS)  # date.max when the calendar ends first
        if self.end_date >= limit and limit != date.max:
            raise ValueError(f"the period may span at most {MAX_MONTHS} months "
                             f"({self.start_date} to {self.end_date} is longer)")
        return self


class OpportunityQuery(BaseModel):
    """`GET /api/v1/aws/opportunities`."""

    model_config = ConfigDict(extra="forbid")
    # The upper bound keeps the value inside storage's Decimal(18, 6); no finding is worth a billion a month.
    min_savings: float = Field(0.0, ge=0, le=MAX_SAVINGS, allow_inf_nan=False, description="monthly USD, >= 0")
    service: str | None = Field(None, description="EC2, EBS, VPC, RDS, Lambda or S3",
                                json_schema_extra={"enum": [*FINDING_SERVICE_NAMES]})
    priority: Literal["high", "medium", "low"] | None = None
    account_id: str | None = Field(None, pattern=r"^\d{12}$", description="only this account's findings")

    @field_validator("service")
    @classmethod
    def _service(cls, value: str | None) -> str | None:
        return None if value is None else finding_service(value)


class ChatRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    question: str = Field(min_length=1, max_length=4000)
    thread_id: str | None = Field(None, min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_.:-]+$")

    @field_validator("question")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("question must not be blank")
        return value


class ChatResponse(BaseModel):
    answer: str
    thread_id: str
    sources: list[str] = Field(default_factory=list)
    """Which stored data the answer was read from."""
    mode: str = ""
    run_cost: dict[str, float | int] | None = None
    """What answering cost (Bedrock tokens, Redshift, paid AWS requests)."""


class CollectResponse(BaseModel):
    status: Literal["started", "running", "succeeded", "partial", "failed"]
    """started / running: a job in the background; succeeded, partial or failed: it ran inline (AWS Lambda)."""
    job_id: str
    started_at: datetime


class Period(BaseModel):
    start: date
    end: date


class CostsResponse(BaseModel):
    """The seed's Cost Explorer shape, read from storage, and what the numbers rest on."""

    time_period: dict[str, date]
    total_cost: float
    by_service: dict[str, float]
    by_region: dict[str, float]
    by_account: dict[str, float] = Field(default_factory=dict, description=(
        "linked account id -> its usage spend over the period, from Cost Explorer's rows by linked account (stored "
        "by collections of several accounts; empty otherwise, and under a region filter)"))
    by_tag: dict[str, dict[str, float]]
    """Tag key -> tag value ('' untagged) -> Cost Explorer's spend, one entry per key asked."""
    currency: str = "USD"
    has_data: bool = Field(description="false: nothing is collected for the period yet, so total_cost 0 is no "
                                        "spend figure")
    data_period: Period | None = Field(None, description="first and last day with stored costs in the period")
    by_tag_period: Period | None = Field(None, description="the period by_tag covers: the report period of the "
                                                           "latest collection overlapping the one asked")
    notes: list[str] = Field(default_factory=list, description="what a reader must know about these numbers")


class OpportunitiesResponse(BaseModel):
    count: int
    total_savings: float = Field(description="monthly USD, each resource counted once: waste + pricing_levers")
    waste: float = Field(0.0, description="the part from idle, unused, oversized and misconfigured resources")
    pricing_levers: float = Field(0.0, description="the part from Reserved Instances, Savings Plans and spot")
    found_savings: float = Field(0.0, description="the plain sum of the listed findings' savings, before merging")
    merged: list[str] = Field(default_factory=list, description="resources with several findings, counted once")
    rule: str = ""
    opportunities: list[dict[str, Any]]
    """Each with `counted_savings`: its share of `total_savings`."""


class Health(BaseModel):
    status: Literal["ok"]
    version: str
    running_job: str | None = None
    schedule: str | None = None
