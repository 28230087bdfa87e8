"""BilledPrices: the account's billed rate per usage type and operation, marginal under commitments, list/book else.

Every expected figure is worked out by hand from the Cost Explorer rows in the test."""

from __future__ import annotations

from datetime import date

import pytest

from tools.aws.ce_rates import parse_billed
from tools.models import PriceSheet, Resource, TimePeriod
from tools.pricing.billed import BilledPrices, instance_operation, split_usage_type
from tools.pricing.book import PriceBook, PriceNotFound

PERIOD = TimePeriod(start=date(2026, 11, 5), end=date(2026, 12, 4))  # 30 days = 720 hours


def _group(usage_type: str, second: str, cost: str, quantity: str, unit: str = "Hrs",
           metric: str = "UnblendedCost") -> dict:
    return {"Keys": [usage_type, second], "Metrics": {metric: {"Amount": cost, "Unit": "USD"},
                                                       "UsageQuantity": {"Amount": quantity, "Unit": unit}}}


# The shape GetCostAndUsage returns for MONTHLY + GroupBy USAGE_TYPE, OPERATION over a lookback that spans two
# calendar months: one result per month, the same group in both.
ON_DEMAND = [
    {"TimePeriod": {"Start": "2026-11-05", "End": "2026-12-01"}, "Total": {}, "Estimated": False, "Groups": [
        _group("BoxUsage:m5.large", "RunInstances", "59.904", "624"),
        _group("BoxUsage:m5.large", "RunInstances:0002", "117.312", "624"),      # Windows: 0.188/h
        _group("BoxUsage:m5.xlarge", "RunInstances", "119.808", "624"),
        _group("SpotUsage:m5.large", "RunInstances:SV001", "21.84", "624"),      # spot: 0.035/h
        _group("EU-BoxUsage:m5.large", "RunInstances", "66.768", "624"),
        _group("EU-EBS:VolumeUsage.gp2", "CreateVolume-Gp2", "10.6", "96.3", "GB-Mo"),
        _group("InstanceUsage:db.m3.medium", "CreateDBInstance:0014", "56.16", "624"),
    ]},
    {"TimePeriod": {"Start": "2026-12-01", "End": "2026-12-05"}, "Total": {}, "Estimated": True, "Groups": [
        _group("BoxUsage:m5.large", "RunInstances", "9.216", "96"),
        _group("BoxUsage:m5.large", "RunInstances:0002", "18.048", "96"),
        _group("BoxUsage:m5.xlarge", "RunInstances", "18.432", "96"),
        _group("SpotUsage:m5.large", "RunInstances:SV001", "3.36", "96"),
        _group("EU-BoxUsage:m5.large", "RunInstances", "10.272", "96"),
        _group("InstanceUsage:db.m3.medium", "CreateDBInstance:0014", "8.64", "96"),
    ]},
]
# GroupBy USAGE_TYPE, RECORD_TYPE with the covered record types: one m5.xlarge of two RI-covered all month.
COVERED = [{"TimePeriod": {"Start": "2026-11-05", "End": "2026-12-05"}, "Total": {}, "Estimated": False, "Groups": [
    _group("BoxUsage:m5.xlarge", "DiscountedUsage", "86.4", "720", metric="AmortizedCost"),
    _group("BoxUsage:c5.large", "SavingsPlanCoveredUsage", "44.64", "720", metric="AmortizedCost"),
]}]


@pytest.fixture(scope="module")
def prices() -> BilledPrices:
    billed = parse_billed(ON_DEMAND, "UnblendedCost", "operation") + parse_billed(COVERED, "AmortizedCost",
                                                                                  "record_type")
    return BilledPrices(PriceBook.load(), PriceSheet(period=PERIOD, billed=billed))


def ec2(itype: str, *, region: str = "us-east-1", **attributes: object) -> Resource:
    return Resource(resource_id="i-1", kind="ec2_instance", service="EC2", region=region, resource_type=itype,
                    state="running", attributes=attributes)


def test_usage_types_name_their_region():
    assert split_usage_type("EU-BoxUsage:m5.large") == ("eu-west-1", "BoxUsage:m5.large")
    assert split_usage_type("USE2-EBS:VolumeUsage.gp3") == ("us-east-2", "EBS:VolumeUsage.gp3")
    assert split_usage_type("BoxUsage:m5.large") == ("us-east-1", "BoxUsage:m5.large")
    assert split_usage_type("USE1-BoxUsage:m5.large") == ("us-east-1", "BoxUsage:m5.large")
    assert split_usage_type("DataTransfer-Out-Bytes") == ("us-east-1", "DataTransfer-Out-Bytes")


def test_the_operation_comes_from_ec2_or_the_platform():
    assert instance_operation(ec2("m5.large", usage_operation="RunInstances:0010")) == "RunInstances:0010"
    assert instance_operation(ec2("m5.large", platform="Windows")) == "RunInstances:0002"
    assert instance_operation(ec2("m5.large", platform="Red Hat Enterprise Linux")) == "RunInstances:0010"
    assert instance_operation(ec2("m5.large", platform="Linux/UNIX")) == "RunInstances"
    assert instance_operation(ec2("m5.large")) == "RunInstances"


def test_linux_and_windows_of_one_usage_type_have_their_own_rates(prices):
    linux = prices.instance_hourly(ec2("m5.large", platform="Linux/UNIX"))
    windows = prices.instance_hourly(ec2("m5.large", platform="Windows"))
    assert (linux.unit_price, linux.basis) == (0.096, "billed")        # (59.904 + 9.216) / 720
    assert (windows.unit_price, windows.basis) == (0.188, "billed")    # (117.312 + 18.048) / 720
    assert "BoxUsage:m5.large RunInstances:0002" in windows.source and "$135.36 / 720 Hrs" in windows.source


def test_spot_is_priced_at_its_spot_usage(prices):
    spot = prices.instance_hourly(ec2("m5.large", lifecycle="spot"))
    assert (spot.unit_price, spot.basis) == (0.035, "billed")          # 25.20 / 720
    with pytest.raises(PriceNotFound, match="no spot usage of m5.xlarge"):
        prices.instance_hourly(ec2("m5.xlarge", lifecycle="spot"))


def test_each_region_its_own_rate(prices):
    assert prices.instance_hourly(ec2("m5.large", region="eu-west-1")).unit_price == 0.107  # 77.04 / 720


def test_partly_covered_usage_saves_the_on_demand_rate_while_on_demand_hours_remain(prices):
    quote = prices.instance_hourly(ec2("m5.xlarge"))
    # 720 on-demand hours in 30 days = 730 a month: removing one instance drops a whole month of on-demand.
    assert (quote.unit_price, quote.covered_share, quote.marginal_unit_price) == (0.192, 0.5, 0.192)
    assert "50 % of BoxUsage:m5.xlarge hours in us-east-1 were covered" in quote.note


def test_fully_covered_usage_saves_nothing_until_the_commitment_ends(prices):
    quote = prices.instance_hourly(ec2("c5.large"))
    assert (quote.unit_price, quote.covered_share, quote.marginal_unit_price) == (0.062, 1.0, 0.0)  # 44.64 / 720


def test_no_usage_falls_back_to_list_or_book_for_linux_only(prices):
    book = prices.instance_hourly(ec2("m5.2xlarge"))
    assert (book.unit_price, book.basis) == (0.384, "book")
    with pytest.raises(PriceNotFound, match="Linux"):
        prices.instance_hourly(ec2("m5.2xlarge", platform="Windows"))


def test_a_target_type_carries_the_accounts_rate_over_by_the_list_ratio(prices):
    windows = ec2("m5.xlarge", platform="Windows")
    current = prices.billed("us-east-1", "BoxUsage:m5.large", "RunInstances:0002")
    target = prices.target_hourly(windows, "m5.large", current)
    assert target.basis == "billed" and target.unit_price == 0.188  # billed itself: the account runs it
    bigger = prices.target_hourly(ec2("m5.large", platform="Windows"), "m5.2xlarge", current)
    # the licence is per vCPU: (0.188 - 0.096) / 2 = 0.046 per vCPU-h; m5.2xlarge = 0.384 + 8 x 0.046
    assert bigger.unit_price == pytest.approx(0.752)
    linux = prices.billed("us-east-1", "BoxUsage:m5.xlarge", "RunInstances")
    smaller = prices.target_hourly(ec2("m5.xlarge"), "m5.large", linux)
    assert smaller.unit_price == pytest.approx(0.096)                # Linux: 0.192 x 0.096 / 0.192


def test_databases_by_usage_type_and_engine_even_without_a_book_price(prices):
    quote = prices.rds_hourly("us-east-1", "db.m3.medium", "postgres", False)
    assert (quote.unit_price, quote.basis) == (0.09, "billed")       # 64.80 / 720
    with pytest.raises(PriceNotFound):
        PriceBook.load().rds_hourly("us-east-1", "db.m3.medium", "postgres", False)


def test_storage_rates_per_gb_month(prices):
    quote = prices.ebs_gb_month("eu-west-1", "gp2")
    assert quote.basis == "billed" and quote.unit == "GB-month"
    assert quote.unit_price == pytest.approx(10.6 / 96.3)
    assert prices.ebs_gb_month("us-east-1", "gp2").basis == "book"
