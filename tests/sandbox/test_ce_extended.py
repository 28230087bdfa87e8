"""The Cost Explorer answers docs/money.md relies on, over the extended variant's table (offline, real boto3 client):
record types, operations, UsageQuantity, amortized cost, RI coverage and utilization, purchase advice. Every
answer is validated against botocore's output shape with Stubber."""

from __future__ import annotations

import calendar
from collections import defaultdict
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from botocore.stub import Stubber
from sandbox.sandbox_offline import TODAY  # type: ignore[import-not-found]

from tools.sandbox.cost_lines import COMPUTE, RDS

START = TODAY - timedelta(days=30)
PERIOD = {"Start": START.isoformat(), "End": TODAY.isoformat()}
USAGE_TYPES = ["Usage", "DiscountedUsage", "SavingsPlanCoveredUsage"]
EC2_FILTER = {"Dimensions": {"Key": "SERVICE", "Values": [COMPUTE]}}
RDS_FILTER = {"Dimensions": {"Key": "SERVICE", "Values": [RDS]}}


def _validate(operation: str, response: dict[str, Any]) -> dict[str, Any]:
    body = {k: v for k, v in response.items() if k != "ResponseMetadata"}
    Stubber(boto3.client("ce", region_name="us-east-1")).add_response(operation, body)
    return body


def _grouped(ce: Any, metrics: list[str], group_by: list[str], filter_: dict[str, Any] | None = None,
             ) -> dict[tuple[str, ...], dict[str, dict[str, str]]]:
    """MONTHLY over the report period, every page; the periods' groups merged (amounts summed, units kept)."""
    params: dict[str, Any] = {"TimePeriod": PERIOD, "Granularity": "MONTHLY", "Metrics": metrics,
                              "GroupBy": [{"Type": "DIMENSION", "Key": k} for k in group_by]}
    if filter_:
        params["Filter"] = filter_
    out: dict[tuple[str, ...], dict[str, dict[str, str]]] = {}
    token = None
    while True:
        page = _validate("get_cost_and_usage", ce.get_cost_and_usage(**params, **(
            {"NextPageToken": token} if token else {})))
        for result in page["ResultsByTime"]:
            for group in result["Groups"]:
                cell = out.setdefault(tuple(group["Keys"]), {})
                for name, value in group["Metrics"].items():
                    if name in cell:
                        total = Decimal(cell[name]["Amount"]) + Decimal(value["Amount"])
                        unit = cell[name]["Unit"] if cell[name]["Unit"] == value["Unit"] else "N/A"
                        cell[name] = {"Amount": format(total.normalize(), "f"), "Unit": unit}
                    else:
                        cell[name] = dict(value)
        token = page.get("NextPageToken")
        if not token:
            return out


def _ones(start: Any, end: Any) -> list[Any]:
    return [start + timedelta(days=n) for n in range((end - start).days) if (start + timedelta(days=n)).day == 1]


def test_billed_rates_by_usage_type_and_operation(extended_ce: Any) -> None:
    """The product's 'billed on-demand and spot rates' request: platforms differ by operation, spot by usage type."""
    rows = _grouped(extended_ce, ["UnblendedCost", "UsageQuantity"], ["USAGE_TYPE", "OPERATION"],
                    {"Dimensions": {"Key": "RECORD_TYPE", "Values": ["Usage"]}})
    expected = {
        ("USE1-BoxUsage:m5.large", "RunInstances:0002"): ("135.3", "720"),  # Windows: (0.096 + 2 x 0.046) x 24 h
        ("USE1-BoxUsage:m5.2xlarge", "RunInstances:0002"): ("541.5", "720"),  # (0.384 + 8 x 0.046) x 24 = 18.05
        ("USE1-BoxUsage:m5.xlarge", "RunInstances:0010"): ("179.7", "720"),  # RHEL: 0.192 + 4 x 0.0144
        ("USE1-SpotUsage:m5.xlarge", "RunInstances:SV001"): ("48.3", "720"),  # spot: 0.192 x 0.35 x 24 = 1.61
        ("USE1-BoxUsage:r5.xlarge", "RunInstances"): ("363", "1440"),  # 2 of 3 instances on demand, 6.05 a day
        ("USE1-InstanceUsage:db.m3.medium", "CreateDBInstance:0014"): ("64.8", "720"),  # legacy $0.090/h
    }
    for key, (cost, hours) in expected.items():
        assert rows[key]["UnblendedCost"] == {"Amount": cost, "Unit": "USD"}, key
        assert rows[key]["UsageQuantity"] == {"Amount": hours, "Unit": "Hrs"}, key
    # Linux hours of the same usage types are separate rows; the fully RI-covered type has no Usage row.
    assert rows[("USE1-BoxUsage:m5.large", "RunInstances")]["UsageQuantity"]["Unit"] == "Hrs"
    assert rows[("USE1-BoxUsage:m5.xlarge", "RunInstances")]["UsageQuantity"]["Amount"] == "720"  # web-prod
    assert not any(k[0] == "USE1-BoxUsage:c6i.xlarge" for k in rows)
    units = {k[0].split("-", 1)[1]: v["UsageQuantity"]["Unit"] for k, v in rows.items() if k[0].startswith("EU-")}
    assert units == {
        "BoxUsage:m5.large": "Hrs", "BoxUsage:t3.medium": "Hrs", "BoxUsage:m5.2xlarge": "Hrs",
        "BoxUsage:c5.4xlarge": "Hrs", "BoxUsage:m5.xlarge": "Hrs", "BoxUsage:r5.large": "Hrs",
        "BoxUsage:c5.2xlarge": "Hrs", "BoxUsage:m4.xlarge": "Hrs", "BoxUsage:t2.medium": "Hrs",
        "BoxUsage:c4.large": "Hrs", "BoxUsage:c5.xlarge": "Hrs", "SpotUsage:m5.large": "Hrs",
        "SpotUsage:c5.large": "Hrs", "EBS:VolumeUsage.gp3": "GB-Mo", "EBS:VolumeUsage.gp2": "GB-Mo",
        "EBS:VolumeUsage.piops": "GB-Mo", "EBS:VolumeP-IOPS.piops": "IOPS-Mo", "EBS:SnapshotUsage": "GB-Mo",
        "PublicIPv4:InUseAddress": "Hrs", "PublicIPv4:IdleAddress": "Hrs", "NatGateway-Hours": "Hrs",
        "NatGateway-Bytes": "GB", "DataTransfer-Out-Bytes": "GB", "CW:MetricMonitorUsage": "Metrics",
        "InstanceUsage:db.m5.large": "Hrs", "Multi-AZUsage:db.m5.xlarge": "Hrs", "Multi-AZUsage:db.r5.large": "Hrs",
        "InstanceUsage:db.t3.medium": "Hrs", "RDS:GP2-Storage": "GB-Mo", "RDS:Multi-AZ-GP2-Storage": "GB-Mo",
        "RDS:ChargedBackupUsage": "GB-Mo", "Lambda-GB-Second": "Lambda-GB-Second",
        "Lambda-GB-Second-ARM": "Lambda-GB-Second", "Request": "Requests", "TimedStorage-ByteHrs": "GB-Mo",
        "Requests-Tier1": "Requests"}
    operations = {k[1] for k in rows}
    assert {"CreateVolume-Gp2", "CreateVolume-Gp3", "CreateVolume-P-IOPS", "CreateSnapshot", "NatGateway",
            "AssociateAddressVPC", "Invoke", "StandardStorage", "PutObject", "CreateDBInstance:0002"} <= operations


def test_commitment_covered_usage_is_discounted_usage_at_the_amortized_rate(extended_ce: Any) -> None:
    rows = _grouped(extended_ce, ["AmortizedCost", "UnblendedCost", "UsageQuantity"], ["USAGE_TYPE", "RECORD_TYPE"],
                    {"Dimensions": {"Key": "RECORD_TYPE", "Values": ["DiscountedUsage", "SavingsPlanCoveredUsage"]}})
    assert set(rows) == {("USE1-BoxUsage:r5.xlarge", "DiscountedUsage"), ("USE1-BoxUsage:c6i.xlarge", "DiscountedUsage")}
    r5, c6i = rows[("USE1-BoxUsage:r5.xlarge", "DiscountedUsage")], rows[("USE1-BoxUsage:c6i.xlarge", "DiscountedUsage")]
    assert r5["UnblendedCost"]["Amount"] == c6i["UnblendedCost"]["Amount"] == "0"
    assert r5["AmortizedCost"]["Amount"] == "113.4"  # RI 0.252 x 0.625 = $0.1575/h x 24 = 3.78 a day
    assert c6i["AmortizedCost"]["Amount"] == "76.5"  # 0.17 x 0.625 = $0.1063/h x 24 = 2.55 a day
    assert r5["UsageQuantity"] == c6i["UsageQuantity"] == {"Amount": "720", "Unit": "Hrs"}


def test_record_types_and_adjustments(extended_ce: Any, extended: Any) -> None:
    """The product's 'adjustments' request: GroupBy RECORD_TYPE, no filter."""
    rows = _grouped(extended_ce, ["UnblendedCost", "AmortizedCost"], ["RECORD_TYPE"])
    got = {k[0]: Decimal(v["UnblendedCost"]["Amount"]) for k, v in rows.items()}
    firsts = _ones(START, TODAY)
    assert got["Credit"] == Decimal("-90")  # -3.00 a day
    assert got["Refund"] == Decimal("-42.5")
    assert got["DiscountedUsage"] == 0
    assert Decimal(rows[("DiscountedUsage",)]["AmortizedCost"]["Amount"]) == Decimal("189.9")
    assert got.get("RIFee", Decimal(0)) == sum((rate * 24 * calendar.monthrange(d.year, d.month)[1]).quantize(
        Decimal("0.01"), rounding=ROUND_HALF_UP) for d in firsts for rate in (Decimal("0.1575"), Decimal("0.1063")))
    assert ("Tax" in got) == bool(firsts)
    if firsts:  # RIFee is amortized over the covered hours: its own amortized cost is the unused part, 0
        assert rows[("RIFee",)]["AmortizedCost"]["Amount"] == "0"
    adjustments = {k: float(v) for k, v in got.items() if k not in USAGE_TYPES}
    assert adjustments == extended.truth["adjustments"]
    assert float(got["Usage"] + Decimal(rows[("DiscountedUsage",)]["AmortizedCost"]["Amount"])) == \
        extended.truth["cost_totals"]["total"]
    # Not on RECORD_TYPE: everything but usage is the adjustments.
    page = _validate("get_cost_and_usage", extended_ce.get_cost_and_usage(
        TimePeriod=PERIOD, Granularity="MONTHLY", Metrics=["UnblendedCost", "UsageQuantity"],
        Filter={"Not": {"Dimensions": {"Key": "RECORD_TYPE", "Values": USAGE_TYPES}}}))
    total = sum(Decimal(r["Total"]["UnblendedCost"]["Amount"]) for r in page["ResultsByTime"])
    assert total == sum(Decimal(str(v)) for v in extended.truth["adjustments"].values())
    assert {r["Total"]["UsageQuantity"]["Unit"] for r in page["ResultsByTime"]} <= {"N/A", "Hrs"}


def test_tax_and_credit_lines_as_aws_shows_them(extended_ce: Any, extended: Any) -> None:
    rows = _grouped(extended_ce, ["UnblendedCost"], ["SERVICE", "RECORD_TYPE"],
                    {"Dimensions": {"Key": "RECORD_TYPE", "Values": ["Tax", "Credit", "Refund"]}})
    assert {k for k in rows} <= {("Tax", "Tax"), (COMPUTE, "Credit"), (RDS, "Refund")}
    assert (COMPUTE, "Credit") in rows and (RDS, "Refund") in rows
    taxes = [ln for ln in extended.lines if ln.record_type == "Tax"]
    assert taxes and all(ln.day.day == 1 and ln.region == "NoRegion" for ln in taxes)
    for tax in taxes:  # 6 % of the previous calendar month's charges in the table
        last = tax.day - timedelta(days=1)
        base = sum((ln.cost for ln in extended.lines if ln.record_type in ("Usage", "DiscountedUsage", "RIFee")
                    and (ln.day.year, ln.day.month) == (last.year, last.month)), Decimal(0))
        assert tax.cost == (base * Decimal("0.06")).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def test_usage_quantity_unit_is_na_when_units_mix(extended_ce: Any) -> None:
    page = _validate("get_cost_and_usage", extended_ce.get_cost_and_usage(
        TimePeriod=PERIOD, Granularity="MONTHLY", Metrics=["UsageQuantity", "NetAmortizedCost", "BlendedCost",
                                                            "NetUnblendedCost"]))
    assert {r["Total"]["UsageQuantity"]["Unit"] for r in page["ResultsByTime"]} == {"N/A"}
    nat_hours = _grouped(extended_ce, ["UsageQuantity"], ["SERVICE"], {"Dimensions": {
        "Key": "USAGE_TYPE", "Values": ["USE1-NatGateway-Hours", "EU-NatGateway-Hours"]}})
    assert nat_hours[("EC2 - Other",)]["UsageQuantity"] == {"Amount": "2880", "Unit": "Hrs"}  # 4 NATs x 720 h


def test_reservation_coverage_per_service(extended_ce: Any, extended: Any) -> None:
    default = _validate("get_reservation_coverage", extended_ce.get_reservation_coverage(TimePeriod=PERIOD))
    explicit = _validate("get_reservation_coverage", extended_ce.get_reservation_coverage(
        TimePeriod=PERIOD, Filter=EC2_FILTER))
    assert default["Total"] == explicit["Total"]  # no SERVICE filter = EC2, as AWS does
    hours = default["Total"]["CoverageHours"]
    on_demand = sum((ln.quantity for ln in extended.lines if START <= ln.day < TODAY and ln.record_type == "Usage"
                     and ln.service == COMPUTE and ":" in ln.usage_type
                     and ln.usage_type.split("-", 1)[1].startswith("BoxUsage:")), Decimal(0))
    assert hours == {"OnDemandHours": format(on_demand.normalize(), "f"), "ReservedHours": "1440",
                     "TotalRunningHours": format((on_demand + 1440).normalize(), "f"),
                     "CoverageHoursPercentage": format((144000 / (on_demand + 1440)).quantize(Decimal("0.01"))
                                                       .normalize(), "f")}
    by_type = _validate("get_reservation_coverage", extended_ce.get_reservation_coverage(
        TimePeriod=PERIOD, GroupBy=[{"Type": "DIMENSION", "Key": "INSTANCE_TYPE"}]))
    summed: dict[str, list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
    percentages: dict[str, set[str]] = defaultdict(set)
    for entry in by_type["CoveragesByTime"]:  # one per calendar month of the period
        for group in entry["Groups"]:
            cover = group["Coverage"]["CoverageHours"]
            itype = group["Attributes"]["instanceType"]
            summed[itype][0] += Decimal(cover["OnDemandHours"])
            summed[itype][1] += Decimal(cover["ReservedHours"])
            percentages[itype].add(cover["CoverageHoursPercentage"])
    assert summed["r5.xlarge"] == [1440, 720] and percentages["r5.xlarge"] == {"33.33"}
    assert summed["c6i.xlarge"] == [0, 720] and percentages["c6i.xlarge"] == {"100"}
    assert summed["m5.large"][1] == 0 and percentages["m5.large"] == {"0"}
    rds = _validate("get_reservation_coverage", extended_ce.get_reservation_coverage(TimePeriod=PERIOD,
                                                                                   Filter=RDS_FILTER))
    assert rds["Total"]["CoverageHours"] == {"OnDemandHours": "7920", "ReservedHours": "0",  # 11 databases x 720 h
                                             "TotalRunningHours": "7920", "CoverageHoursPercentage": "0"}
    rds_cost = sum((ln.cost for ln in extended.lines if START <= ln.day < TODAY and ln.service == RDS
                    and ln.record_type == "Usage" and ln.unit == "Hrs"), Decimal(0))
    assert Decimal(rds["Total"]["CoverageCost"]["OnDemandCost"]) == rds_cost
    cache = _validate("get_reservation_coverage", extended_ce.get_reservation_coverage(
        TimePeriod=PERIOD, Filter={"Dimensions": {"Key": "SERVICE", "Values": ["Amazon ElastiCache"]}}))
    assert cache["Total"]["CoverageHours"]["TotalRunningHours"] == "0"
    with pytest.raises(ClientError) as err:
        extended_ce.get_reservation_coverage(TimePeriod=PERIOD, Filter={"Dimensions": {"Key": "SERVICE",
                                                                                      "Values": ["AWS Lambda"]}})
    assert err.value.response["Error"]["Code"] == "ValidationException"


def test_reservation_utilization(extended_ce: Any, extended: Any) -> None:
    answer = _validate("get_reservation_utilization", extended_ce.get_reservation_utilization(TimePeriod=PERIOD))
    assert len(answer["UtilizationsByTime"]) == 30  # DAILY when neither Granularity nor GroupBy is given
    assert answer["Total"] == {
        "UtilizationPercentage": "100", "UtilizationPercentageInUnits": "100", "PurchasedHours": "1440",
        "PurchasedUnits": "11520", "TotalActualHours": "1440", "TotalActualUnits": "11520", "UnusedHours": "0",
        "UnusedUnits": "0", "OnDemandCostOfRIHoursUsed": "303.84",  # (0.252 + 0.17) x 720
        "NetRISavings": "113.9", "TotalPotentialRISavings": "113.9", "AmortizedUpfrontFee": "0",
        "AmortizedRecurringFee": "189.94", "TotalAmortizedFee": "189.94",  # (0.1575 + 0.1063) x 720
        "RICostForUnusedHours": "0", "RealizedSavings": "113.9", "UnrealizedSavings": "0"}
    grouped = _validate("get_reservation_utilization", extended_ce.get_reservation_utilization(
        TimePeriod=PERIOD, Granularity="MONTHLY", Filter=EC2_FILTER,
        GroupBy=[{"Type": "DIMENSION", "Key": "SUBSCRIPTION_ID"}]))
    ids = {g["Value"] for t in grouped["UtilizationsByTime"] for g in t["Groups"]}
    assert ids == {r["reservation_id"] for r in extended.truth["reservations"]}
    rds = _validate("get_reservation_utilization", extended_ce.get_reservation_utilization(
        TimePeriod=PERIOD, Filter=RDS_FILTER))
    assert rds["UtilizationsByTime"] == []  # no RDS reservations
    with pytest.raises(ClientError) as err:
        extended_ce.get_savings_plans_utilization(TimePeriod=PERIOD)
    assert err.value.response["Error"]["Code"] == "DataUnavailableException"
    coverage = _validate("get_savings_plans_coverage", extended_ce.get_savings_plans_coverage(
        TimePeriod=PERIOD, Granularity="MONTHLY"))
    assert coverage["SavingsPlansCoverages"] and all(
        c["Coverage"]["SpendCoveredBySavingsPlans"] == "0" and c["Coverage"]["CoveragePercentage"] == "0"
        and Decimal(c["Coverage"]["OnDemandCost"]) > 0 for c in coverage["SavingsPlansCoverages"])


def test_rds_reservation_purchase_recommendation(extended_ce: Any, extended: Any) -> None:
    common = {"LookbackPeriodInDays": "THIRTY_DAYS", "TermInYears": "ONE_YEAR", "PaymentOption": "NO_UPFRONT"}
    answer = _validate("get_reservation_purchase_recommendation",
                       extended_ce.get_reservation_purchase_recommendation(Service=RDS, **common))
    (rec,) = answer["Recommendations"]
    assert {k: rec[k] for k in common} == common
    rates = _grouped(extended_ce, ["UnblendedCost", "UsageQuantity"], ["USAGE_TYPE", "OPERATION"],
                     {"Dimensions": {"Key": "RECORD_TYPE", "Values": ["Usage"]}})
    details = {}
    for d in rec["RecommendationDetails"]:
        rds = d["InstanceDetails"]["RDSInstanceDetails"]
        details[(rds["Region"], rds["InstanceType"], rds["DeploymentOption"])] = d
        assert (rds["DatabaseEngine"], rds["LicenseModel"]) == ("PostgreSQL", "No license required")
        usage = f"{'USE1' if rds['Region'] == 'us-east-1' else 'EU'}-" + \
            f"{'Multi-AZUsage' if rds['DeploymentOption'] == 'Multi-AZ' else 'InstanceUsage'}:{rds['InstanceType']}"
        row = rates[(usage, "CreateDBInstance:0014")]
        hourly = Decimal(row["UnblendedCost"]["Amount"]) / Decimal(row["UsageQuantity"]["Amount"])
        saving = (hourly * 730 * Decimal("0.36")).quantize(Decimal("0.01"))
        assert Decimal(d["EstimatedMonthlySavingsAmount"]) == saving
        assert Decimal(d["EstimatedMonthlyOnDemandCost"]) == (hourly * 730).quantize(Decimal("0.01"))
        assert Decimal(d["RecurringStandardMonthlyCost"]) == Decimal(d["EstimatedMonthlyOnDemandCost"]) - saving
        assert (d["RecommendedNumberOfInstancesToPurchase"], d["EstimatedMonthlySavingsPercentage"],
                d["UpfrontCost"], d["EstimatedBreakEvenInMonths"]) == ("1", "36", "0", "0")
    assert set(details) == {(r, c, dep) for r in ("us-east-1", "eu-west-1")
                            for c, dep in (("db.m5.large", "Single-AZ"), ("db.m5.xlarge", "Multi-AZ"))}
    truth = {(w["region"], w["resource_id"].rsplit(":", 1)[1].rsplit("-", 1)[0]): w["billed_saving"]
             for w in extended.truth["waste"] if w["type"] == "reserved_instance"}
    assert truth[("us-east-1", "orders-db")] == float(details[("us-east-1", "db.m5.large", "Single-AZ")]
                                                      ["EstimatedMonthlySavingsAmount"])
    total = sum(Decimal(d["EstimatedMonthlySavingsAmount"]) for d in details.values())
    assert Decimal(rec["RecommendationSummary"]["TotalEstimatedMonthlySavingsAmount"]) == total
    for service, params in ((COMPUTE, common), (RDS, {**common, "TermInYears": "THREE_YEARS"})):
        empty = _validate("get_reservation_purchase_recommendation",
                          extended_ce.get_reservation_purchase_recommendation(Service=service, **params))
        assert empty["Recommendations"] == [] and empty["Metadata"]["RecommendationId"]
    with pytest.raises(ClientError) as err:
        extended_ce.get_reservation_purchase_recommendation(Service="AWS Lambda", **common)
    assert err.value.response["Error"]["Code"] == "ValidationException"


def test_savings_plans_purchase_recommendation(extended_ce: Any, extended: Any) -> None:
    common = {"TermInYears": "ONE_YEAR", "PaymentOption": "NO_UPFRONT", "LookbackPeriodInDays": "THIRTY_DAYS"}
    answer = _validate("get_savings_plans_purchase_recommendation",
                       extended_ce.get_savings_plans_purchase_recommendation(SavingsPlansType="COMPUTE_SP", **common))
    rec = answer["SavingsPlansPurchaseRecommendation"]
    summary, (detail,) = rec["SavingsPlansPurchaseRecommendationSummary"], rec["SavingsPlansPurchaseRecommendationDetails"]
    assert summary["EstimatedSavingsPercentage"] == detail["EstimatedSavingsPercentage"] == "27"
    steady = [w for w in extended.truth["waste"] if w["type"] == "savings_plan"]
    assert len(steady) == 7  # web-prod, db-proxy, search-prod per region, and the RHEL instance
    on_demand, saving = Decimal(summary["CurrentOnDemandSpend"]), Decimal(summary["EstimatedMonthlySavingsAmount"])
    assert abs(on_demand - sum(Decimal(str(w["billed_monthly_cost"])) for w in steady)) <= Decimal("0.05")
    assert abs(saving - sum(Decimal(str(w["billed_saving"])) for w in steady)) <= Decimal("0.05")
    assert saving == (on_demand * Decimal("0.27")).quantize(Decimal("0.01")) or \
        abs(saving - on_demand * Decimal("0.27")) <= Decimal("0.01")
    assert Decimal(summary["HourlyCommitmentToPurchase"]) == pytest.approx(on_demand / 730 * Decimal("0.73"),
                                                                           abs=Decimal("0.001"))
    other = _validate("get_savings_plans_purchase_recommendation", extended_ce.get_savings_plans_purchase_recommendation(
        SavingsPlansType="EC2_INSTANCE_SP", **common))
    assert other["SavingsPlansPurchaseRecommendation"]["SavingsPlansPurchaseRecommendationDetails"] == []
    assert "SavingsPlansPurchaseRecommendationSummary" not in other["SavingsPlansPurchaseRecommendation"]


def test_standard_account_advice_and_paging_by_record_type(ce: Any, offline: Any) -> None:
    """The default account answers the same requests: RDS advice, no EC2 reservations, adjustments without RIFee."""
    recs = _validate("get_reservation_purchase_recommendation", ce.get_reservation_purchase_recommendation(
        Service=RDS, LookbackPeriodInDays="THIRTY_DAYS", TermInYears="ONE_YEAR", PaymentOption="NO_UPFRONT"))
    assert len(recs["Recommendations"][0]["RecommendationDetails"]) == 4
    rows = _grouped(ce, ["UnblendedCost"], ["RECORD_TYPE"])
    assert set(k[0] for k in rows) <= {"Usage", "Credit", "Refund", "Tax"} and ("DiscountedUsage",) not in rows
    daily: dict[str, Decimal] = defaultdict(Decimal)
    page = _validate("get_cost_and_usage", ce.get_cost_and_usage(
        TimePeriod=PERIOD, Granularity="DAILY", Metrics=["UnblendedCost"],
        Filter={"Dimensions": {"Key": "RECORD_TYPE", "Values": ["Credit"]}}))
    for result in page["ResultsByTime"]:
        daily[result["TimePeriod"]["Start"]] += Decimal(result["Total"]["UnblendedCost"]["Amount"])
    assert set(daily.values()) == {Decimal("-3")} and len(daily) == 30
