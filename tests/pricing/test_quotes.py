"""`QuoteSheet`: the run's quotes first, the book second; platform-aware EC2; pure (no I/O, no AWS client)."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date

import pytest

from tools.models import PriceQuote
from tools.pricing.book import PriceBook, PriceNotFound
from tools.pricing.quotes import PRICED_METHODS, QuoteSheet, call_of, key_of, price_key

API = "AWS Pricing API 2026-11-05"


def _quote(price: float, what: str, unit: str = "hour") -> dict:
    return PriceQuote(unit_price=price, unit=unit, source=f"{API}: {what}", effective_date=date(2026, 11, 5),
                      basis="list").model_dump(mode="json")


SNAPSHOT = {
    "status": "ok", "reason": "",
    "quotes": {
        "ec2_hourly|us-east-1|m5.large|RunInstances": _quote(0.107, "us-east-1 m5.large Linux on-demand"),
        "ec2_hourly|us-east-1|m5.large|RunInstances:0002": _quote(0.188, "us-east-1 m5.large Windows on-demand"),
        "ebs_gb_month|eu-west-1|gp3": _quote(0.088, "eu-west-1 EBS gp3 storage", "GB-month"),
        "rds_hourly|us-east-1|db.m5.large|postgres|multi-az": _quote(0.356, "us-east-1 db.m5.large multi"),
        "lambda_gb_second|us-east-1|arm64": _quote(0.0000133334, "us-east-1 Lambda arm64 duration", "GB-second"),
        "eip_hourly|us-east-1|in-use": _quote(0.005, "us-east-1 public IPv4 address in use"),
    },
}


@pytest.fixture
def sheet() -> QuoteSheet:
    return QuoteSheet(PriceBook.load(), SNAPSHOT)


def test_the_snapshot_answers_first(sheet: QuoteSheet) -> None:
    assert sheet.ec2_hourly("us-east-1", "m5.large").unit_price == 0.107
    assert sheet.ec2_hourly("us-east-1", "m5.large").source == f"{API}: us-east-1 m5.large Linux on-demand"
    assert sheet.ebs_gb_month("eu-west-1", "gp3").unit_price == 0.088
    assert sheet.rds_hourly("us-east-1", "db.m5.large", "Postgres", True).unit_price == 0.356  # engine normalised
    assert sheet.lambda_gb_second("us-east-1", "arm").unit_price == 0.0000133334  # 'arm' -> arm64
    assert sheet.eip_hourly("us-east-1", "in-use").source.startswith(API)


def test_the_book_answers_the_rest(sheet: QuoteSheet) -> None:
    book = PriceBook.load()
    assert sheet.ec2_hourly("us-east-1", "m5.xlarge") == book.ec2_hourly("us-east-1", "m5.xlarge")
    assert sheet.ebs_gb_month("us-east-1", "gp3") == book.ebs_gb_month("us-east-1", "gp3")
    assert sheet.rds_hourly("us-east-1", "db.m5.large", "postgres", False) == book.rds_hourly(
        "us-east-1", "db.m5.large", "postgres", False)
    assert sheet.eip_hourly("us-east-1") == book.eip_hourly("us-east-1")
    for name in ("snapshot_gb_month", "rds_snapshot_gb_month", "lambda_request", "nat_hourly", "nat_gb"):
        assert getattr(sheet, name)("eu-west-1") == getattr(book, name)("eu-west-1")
    assert sheet.s3_gb_month("eu-west-1", "standard_ia") == book.s3_gb_month("eu-west-1", "STANDARD_IA")
    # the catalogue is the book's
    assert sheet.family_types("m5") == book.family_types("m5") and sheet.label == book.label
    assert sheet.instance_specs("m5.large") == book.instance_specs("m5.large")
    assert sheet.current_generation("t2.micro") == "t3.micro" and sheet.regions() == book.regions()
    assert isinstance(sheet, PriceBook)


def test_ec2_is_platform_aware(sheet: QuoteSheet) -> None:
    windows = sheet.ec2_hourly("us-east-1", "m5.large", "RunInstances:0002")
    assert (windows.unit_price, windows.source) == (0.188, f"{API}: us-east-1 m5.large Windows on-demand")
    # No Windows quote for m5.xlarge and the book has Linux only: unpriced, never the Linux price.
    with pytest.raises(PriceNotFound, match="RunInstances:0002"):
        sheet.ec2_hourly("us-east-1", "m5.xlarge", "RunInstances:0002")
    with pytest.raises(PriceNotFound):
        QuoteSheet(PriceBook.load()).ec2_hourly("us-east-1", "m5.large", "RunInstances:0010")


def test_snapshot_round_trip_and_notes(sheet: QuoteSheet) -> None:
    again = QuoteSheet(PriceBook.load(), json.loads(json.dumps(sheet.snapshot())))
    assert again.snapshot() == sheet.snapshot()
    assert again.keys() == sorted(SNAPSHOT["quotes"])
    assert again.quote("ebs_gb_month|eu-west-1|gp3") == sheet.ebs_gb_month("eu-west-1", "gp3")
    assert sheet.notes() == []
    down = QuoteSheet(PriceBook.load(), {"status": "down", "reason": "AccessDeniedException", "quotes": {}})
    assert down.notes() == [f"pricing_api: AccessDeniedException; list prices from the {PriceBook.load().label}"]
    empty = QuoteSheet(PriceBook.load())
    assert (empty.status, empty.snapshot()) == ("off", {"status": "off", "reason": "", "quotes": {}})


def test_state_from_before_price_keys_named_their_method() -> None:
    legacy = {"status": "ok", "quotes": {"us-east-1|m5.large": SNAPSHOT["quotes"][
        "ec2_hourly|us-east-1|m5.large|RunInstances"]}}
    sheet = QuoteSheet(PriceBook.load(), legacy)
    assert sheet.ec2_hourly("us-east-1", "m5.large").unit_price == 0.107
    assert sheet.keys() == ["ec2_hourly|us-east-1|m5.large|RunInstances"]


@pytest.mark.parametrize(("call", "key"), [
    (("ec2_hourly", "us-east-1", "m5.large"), "ec2_hourly|us-east-1|m5.large|RunInstances"),
    (("ec2_hourly", "eu-west-1", "c5.large", "RunInstances:000g"), "ec2_hourly|eu-west-1|c5.large|RunInstances:000g"),
    (("ebs_gb_month", "us-east-1", "gp3"), "ebs_gb_month|us-east-1|gp3"),
    (("ebs_iops_month", "us-east-1", "io2"), "ebs_iops_month|us-east-1|io2"),
    (("ebs_throughput_month", "us-east-1"), "ebs_throughput_month|us-east-1|gp3"),
    (("snapshot_gb_month", "us-east-1"), "snapshot_gb_month|us-east-1|standard"),
    (("rds_hourly", "us-east-1", "db.r5.large", "MySQL", True), "rds_hourly|us-east-1|db.r5.large|mysql|multi-az"),
    (("rds_storage_gb_month", "us-east-1", "gp2"), "rds_storage_gb_month|us-east-1|gp2|single-az"),
    (("rds_snapshot_gb_month", "us-east-1"), "rds_snapshot_gb_month|us-east-1"),
    (("lambda_gb_second", "us-east-1", "amd64"), "lambda_gb_second|us-east-1|x86_64"),
    (("lambda_request", "us-east-1"), "lambda_request|us-east-1"),
    (("s3_gb_month", "us-east-1", "glacier"), "s3_gb_month|us-east-1|GLACIER"),
    (("eip_hourly", "us-east-1"), "eip_hourly|us-east-1|idle"),
    (("nat_hourly", "us-east-1"), "nat_hourly|us-east-1"),
    (("nat_gb", "us-east-1"), "nat_gb|us-east-1"),
])
def test_keys_round_trip(call: tuple, key: str) -> None:
    assert key_of(*call) == key
    method, args = call_of(key)
    assert key_of(method, *args) == key
    assert method in PRICED_METHODS
    getattr(QuoteSheet(PriceBook.load()), method)  # every key names a sheet method
    with pytest.raises(PriceNotFound):
        price_key("family_types", "m5")


def test_quote_sheet_imports_no_aws_client() -> None:
    probe = ("import json, sys; import tools.pricing.quotes; "
             "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in "
             "('boto3', 'botocore', 'urllib3', 'requests', 'httpx') or m.startswith('tools.aws'))))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == []
