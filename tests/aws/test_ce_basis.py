"""The cost basis (docs/money.md): usage at amortized cost, credits, refunds, tax and fees apart; one month of spend
whatever the lookback; real-shaped Cost Explorer answers, the last day estimated."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from agent.analysis.anomalies import detect
from agent.analysis.costs import monthly_totals, snapshot_spend
from tools.aws.ce_rates import parse_ri_recommendations, parse_sp_recommendation
from tools.aws.ce_summary import adjustments, to_summary
from tools.models import TimePeriod
from tools.settings import load_settings

END = date(2026, 12, 4)
EC2 = "Amazon Elastic Compute Cloud - Compute"


def _day(day: date, groups: list[tuple[str, str, str, str]], estimated: bool = False) -> dict:
    return {"TimePeriod": {"Start": day.isoformat(), "End": (day + timedelta(days=1)).isoformat()}, "Total": {},
            "Estimated": estimated,
            "Groups": [{"Keys": [a, b], "Metrics": {"UnblendedCost": {"Amount": u, "Unit": "USD"},
                                                    "AmortizedCost": {"Amount": m, "Unit": "USD"}}}
                       for a, b, u, m in groups]}


def daily(days: int, ec2: str = "24.00") -> list[dict]:
    """`days` days of $24.00 of EC2 usage a day, ending END; the last day estimated, as Cost Explorer marks it."""
    start = END - timedelta(days=days - 1)
    return [_day(start + timedelta(days=n), [(EC2, "us-east-1", ec2, ec2)], estimated=n == days - 1)
            for n in range(days)]


# GroupBy RECORD_TYPE, MONTHLY, UnblendedCost: what the bill holds besides usage.
RECORDS = [
    {"TimePeriod": {"Start": "2026-11-05", "End": "2026-12-01"}, "Total": {}, "Estimated": False, "Groups": [
        {"Keys": ["Usage"], "Metrics": {"UnblendedCost": {"Amount": "624", "Unit": "USD"}}},
        {"Keys": ["Credit"], "Metrics": {"UnblendedCost": {"Amount": "-130.5", "Unit": "USD"}}},
        {"Keys": ["Refund"], "Metrics": {"UnblendedCost": {"Amount": "-48.2", "Unit": "USD"}}},
        {"Keys": ["Tax"], "Metrics": {"UnblendedCost": {"Amount": "51.48", "Unit": "USD"}}}]},
    {"TimePeriod": {"Start": "2026-12-01", "End": "2026-12-05"}, "Total": {}, "Estimated": True, "Groups": [
        {"Keys": ["Usage"], "Metrics": {"UnblendedCost": {"Amount": "96", "Unit": "USD"}}},
        {"Keys": ["Credit"], "Metrics": {"UnblendedCost": {"Amount": "-20", "Unit": "USD"}}},
        {"Keys": ["SavingsPlanRecurringFee"], "Metrics": {"UnblendedCost": {"Amount": "12.4", "Unit": "USD"}}}]},
]


def test_adjustments_are_the_records_that_are_not_usage():
    assert adjustments(RECORDS) == {"Credit": -150.5, "Refund": -48.2, "SavingsPlanRecurringFee": 12.4, "Tax": 51.48}


def test_spend_is_usage_and_the_estimated_last_day_is_named():
    period = TimePeriod(start=END - timedelta(days=29), end=END)
    summary = to_summary(period, daily(30), other_records=RECORDS)
    assert summary.total_cost == 720.0 and summary.by_service == {EC2: 720.0}
    assert summary.adjustments["Credit"] == -150.5
    assert summary.estimated_days == [END]
    assert summary.basis.startswith("usage")


def test_amortized_cost_is_the_spend_when_given():
    period = TimePeriod(start=END, end=END)
    summary = to_summary(period, [_day(END, [(EC2, "us-east-1", "0", "3.10")])])  # RI-covered: $0 unblended
    assert summary.total_cost == 3.1


def test_a_60_day_lookback_reports_the_same_month_as_30_days():
    short = to_summary(TimePeriod(start=END - timedelta(days=29), end=END), daily(30))
    long = to_summary(TimePeriod(start=END - timedelta(days=59), end=END), daily(60))
    assert long.total_cost == 1440.0  # the period's total stays the period's
    assert monthly_totals(short)[0] == monthly_totals(long)[0] == Decimal("720.00")
    assert "last 30 days of the 60-day lookback" in monthly_totals(long)[3]


def test_a_7_day_lookback_is_scaled_to_30_days():
    week = to_summary(TimePeriod(start=END - timedelta(days=6), end=END), daily(7))
    total, by_service, _, basis = monthly_totals(week)
    cent = Decimal("0.01")
    assert total.quantize(cent) == Decimal("720.00") and by_service[EC2].quantize(cent) == Decimal("720.00")
    assert "x 30/7" in basis


def test_an_empty_period_is_zero_not_an_error():
    empty = to_summary(TimePeriod(start=END - timedelta(days=29), end=END), [])
    assert empty.total_cost == 0.0 and monthly_totals(empty)[0] == Decimal(0)


def test_a_refund_day_is_no_anomaly_on_the_usage_basis():
    # 57 steady days of usage; the refund lives in the record-type query only, never in the daily rows.
    summary = to_summary(TimePeriod(start=END - timedelta(days=29), end=END), daily(58), other_records=RECORDS)
    assert detect(summary, load_settings()) == []


def test_snapshot_spend_per_region_per_month():
    usage = [_day(END - timedelta(days=n), [("EC2 - Other", "EU-EBS:SnapshotUsage", "1.00", "1.00"),
                                            ("EC2 - Other", "EBS:SnapshotUsage", "0.50", "0.50")])
             for n in range(30)]
    summary = to_summary(TimePeriod(start=END - timedelta(days=29), end=END), daily(30), usage)
    spend = snapshot_spend(summary)
    cent = Decimal("0.01")
    assert spend[("eu-west-1", "EBS")].quantize(cent) == Decimal("30.42")  # 30 x $1 / 30 days x 730/24
    assert spend[("us-east-1", "EBS")].quantize(cent) == Decimal("15.21")


def test_purchase_recommendations_in_their_real_shape():
    ri_page = {"Metadata": {"RecommendationId": "r-1", "GenerationTimestamp": "2026-12-05T00:00:00Z",
                            "LookbackPeriodInDays": "THIRTY_DAYS"},
               "Recommendations": [{"AccountScope": "PAYER", "LookbackPeriodInDays": "THIRTY_DAYS",
                                    "TermInYears": "ONE_YEAR", "PaymentOption": "NO_UPFRONT",
                                    "RecommendationDetails": [{
                                        "AccountId": "123456789012",
                                        "InstanceDetails": {"RDSInstanceDetails": {
                                            "Family": "m5", "InstanceType": "db.m5.large", "Region": "us-east-1",
                                            "DatabaseEngine": "PostgreSQL", "DatabaseEdition": "",
                                            "DeploymentOption": "Single-AZ", "LicenseModel": "No license required",
                                            "CurrentGeneration": True, "SizeFlexEligible": True}},
                                        "RecommendedNumberOfInstancesToPurchase": "2",
                                        "EstimatedMonthlySavingsAmount": "93.55",
                                        "EstimatedMonthlySavingsPercentage": "36",
                                        "EstimatedBreakEvenInMonths": "0", "EstimatedMonthlyOnDemandCost": "259.88",
                                        "UpfrontCost": "0", "RecurringStandardMonthlyCost": "166.33",
                                        "CurrencyCode": "USD"}]}]}
    [ri] = parse_ri_recommendations([ri_page], "RDS")
    assert (ri.instance_type, ri.region, ri.engine, ri.deployment, ri.count, ri.estimated_monthly_savings,
            ri.savings_percentage) == ("db.m5.large", "us-east-1", "PostgreSQL", "Single-AZ", 2.0, 93.55, 36.0)
    sp_page = {"SavingsPlansPurchaseRecommendation": {
        "AccountScope": "PAYER", "SavingsPlansType": "COMPUTE_SP", "TermInYears": "ONE_YEAR",
        "PaymentOption": "NO_UPFRONT", "LookbackPeriodInDays": "THIRTY_DAYS",
        "SavingsPlansPurchaseRecommendationDetails": [],
        "SavingsPlansPurchaseRecommendationSummary": {
            "EstimatedROI": "37", "CurrencyCode": "USD", "EstimatedTotalCost": "900",
            "CurrentOnDemandSpend": "1200", "EstimatedSavingsAmount": "300", "TotalRecommendationCount": "1",
            "DailyCommitmentToPurchase": "29.6", "HourlyCommitmentToPurchase": "1.233",
            "EstimatedSavingsPercentage": "27", "EstimatedMonthlySavingsAmount": "300",
            "EstimatedOnDemandCostWithCurrentCommitment": "1200"}}}
    [sp] = parse_sp_recommendation(sp_page)
    assert (sp.kind, sp.savings_percentage, sp.hourly_commitment, sp.estimated_monthly_savings) == (
        "savings_plan", 27.0, 1.233, 300.0)
    assert parse_sp_recommendation({"SavingsPlansPurchaseRecommendation": {}}) == []
