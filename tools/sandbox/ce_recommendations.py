"""AWS's purchase and rightsizing recommendations, as Cost Explorer answers them for the simulated account.

Purchase recommendations come from `advice.Advice`: RDS Reserved Instances for the steady on-demand databases, a
Compute Savings Plan for the steady on-demand instances (1 year, no upfront; other terms and payment options get no
recommendation). Rightsizing answers the ground truth's `aws_rightsizing` list, paged.
"""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from typing import Any

from tools.sandbox import rates
from tools.sandbox.advice import Advice, RdsAdvice
from tools.sandbox.billing import cents
from tools.sandbox.ce_commitments import RI_SERVICES
from tools.sandbox.ce_query import ACCOUNT, CeError, number, percent
from tools.sandbox.cost_lines import RDS
from tools.sandbox.reservations import normalization_factor


def reservation_purchase(advice: Advice, today: date, body: dict[str, Any]) -> dict[str, Any]:
    service = body.get("Service")
    if not service:
        raise CeError("ValidationException", "Service is required")
    if service not in RI_SERVICES:
        raise CeError("ValidationException", f"Service {service!r} is not supported")
    params = {"AccountScope": body.get("AccountScope") or "PAYER",
              "LookbackPeriodInDays": body.get("LookbackPeriodInDays") or "SEVEN_DAYS",
              "TermInYears": body.get("TermInYears") or "ONE_YEAR",
              "PaymentOption": body.get("PaymentOption") or "NO_UPFRONT"}
    answer: dict[str, Any] = {"Metadata": _metadata(f"ri-{service}", today), "Recommendations": []}
    if service != RDS or (params["TermInYears"], params["PaymentOption"]) != ("ONE_YEAR", "NO_UPFRONT"):
        return answer
    details = [_rds_detail(a) for a in advice.rds]
    if not details:
        return answer
    saving = sum((a.saving_per_instance * a.count for a in advice.rds), Decimal(0))
    on_demand = sum((a.on_demand_monthly * a.count for a in advice.rds), Decimal(0))
    answer["Recommendations"] = [{
        **params, "RecommendationDetails": details,
        "RecommendationSummary": {"TotalEstimatedMonthlySavingsAmount": number(saving),
                                  "TotalEstimatedMonthlySavingsPercentage": percent(saving, on_demand),
                                  "CurrencyCode": "USD"}}]
    return answer


def savings_plans_purchase(advice: Advice, today: date, body: dict[str, Any]) -> dict[str, Any]:
    for required in ("SavingsPlansType", "TermInYears", "PaymentOption", "LookbackPeriodInDays"):
        if not body.get(required):
            raise CeError("ValidationException", f"{required} is required")
    params = {"AccountScope": body.get("AccountScope") or "PAYER", "SavingsPlansType": body["SavingsPlansType"],
              "TermInYears": body["TermInYears"], "PaymentOption": body["PaymentOption"],
              "LookbackPeriodInDays": body["LookbackPeriodInDays"]}
    answer: dict[str, Any] = {"Metadata": _metadata("sp", today), "SavingsPlansPurchaseRecommendation": params}
    sp = advice.savings_plan
    if sp is None or (params["SavingsPlansType"], params["TermInYears"], params["PaymentOption"]) != (
            "COMPUTE_SP", "ONE_YEAR", "NO_UPFRONT"):
        params["SavingsPlansPurchaseRecommendationDetails"] = []
        return answer
    monthly, saving = sp.on_demand_monthly, sp.savings_monthly
    sp_cost = monthly - saving
    hourly = sp.hourly_on_demand.quantize(Decimal("0.0001"))
    common = {"EstimatedROI": percent(saving, sp_cost), "CurrencyCode": "USD",
              "EstimatedSavingsAmount": number(saving), "EstimatedSavingsPercentage": number(rates.SP_SAVINGS_PCT),
              "HourlyCommitmentToPurchase": number(sp.hourly_commitment),
              "EstimatedMonthlySavingsAmount": number(saving),
              "EstimatedOnDemandCostWithCurrentCommitment": number(monthly)}
    params["SavingsPlansPurchaseRecommendationDetails"] = [{
        "SavingsPlansDetails": {"OfferingId": "sandbox-compute-sp-1y-no-upfront"}, "AccountId": ACCOUNT,
        "UpfrontCost": "0", "EstimatedSPCost": number(sp_cost), "EstimatedOnDemandCost": number(monthly),
        "EstimatedAverageUtilization": "100", "CurrentMinimumHourlyOnDemandSpend": number(hourly),
        "CurrentMaximumHourlyOnDemandSpend": number(hourly), "CurrentAverageHourlyOnDemandSpend": number(hourly),
        "RecommendationDetailId": str(uuid.uuid5(uuid.NAMESPACE_URL, f"sandbox-sp-{today}")), **common}]
    params["SavingsPlansPurchaseRecommendationSummary"] = {
        "EstimatedTotalCost": number(sp_cost), "CurrentOnDemandSpend": number(monthly), "TotalRecommendationCount": "1",
        "DailyCommitmentToPurchase": number(sp.hourly_commitment * 24), **common}
    return answer


def rightsizing(recommendations: list[dict[str, Any]], today: date, body: dict[str, Any]) -> dict[str, Any]:
    if body.get("Service") != "AmazonEC2":
        raise CeError("ValidationException", "Service must be AmazonEC2")
    size = int(body.get("PageSize") or 100)
    offset = int(body.get("NextPageToken") or 0)
    recs = [_recommendation(r) for r in recommendations]
    chunk = recs[offset:offset + size]
    savings = sum(Decimal(str(r["savings"])) for r in recommendations)
    answer: dict[str, Any] = {
        "Metadata": {"RecommendationId": "sandbox-rightsizing", "GenerationTimestamp": today.isoformat(),
                     "LookbackPeriodInDays": "FOURTEEN_DAYS", "AdditionalMetadata": ""},
        "Summary": {"TotalRecommendationCount": str(len(recs)), "EstimatedTotalMonthlySavingsAmount": str(savings),
                    "SavingsCurrencyCode": "USD", "SavingsPercentage": "0"},
        "RightsizingRecommendations": chunk,
        "Configuration": {"RecommendationTarget": "SAME_INSTANCE_FAMILY", "BenefitsConsidered": False},
    }
    if offset + size < len(recs):
        answer["NextPageToken"] = str(offset + size)
    return answer


def _metadata(kind: str, today: date) -> dict[str, str]:
    return {"RecommendationId": f"sandbox-{kind}-{today.isoformat()}",
            "GenerationTimestamp": f"{today.isoformat()}T00:00:00Z", "AdditionalMetadata": ""}


def _recommendation(r: dict[str, Any]) -> dict[str, Any]:
    current = {"ResourceId": r["resource_id"], "InstanceName": r.get("name", ""),
               "Tags": [{"Key": k, "Values": [v]} for k, v in sorted(r.get("tags", {}).items())],
               "ResourceDetails": {"EC2ResourceDetails": {"InstanceType": r["instance_type"], "Region": r["region"],
                                                          "Platform": r.get("platform", "Linux/UNIX")}},
               "MonthlyCost": str(r["monthly_cost"]), "CurrencyCode": "USD"}
    out: dict[str, Any] = {"AccountId": ACCOUNT, "CurrentInstance": current, "RightsizingType": r["action"]}
    if r["action"] == "MODIFY":
        out["ModifyRecommendationDetail"] = {"TargetInstances": [{
            "EstimatedMonthlyCost": str(r["target_monthly_cost"]), "EstimatedMonthlySavings": str(r["savings"]),
            "CurrencyCode": "USD", "DefaultTargetInstance": True,
            "ResourceDetails": {"EC2ResourceDetails": {"InstanceType": r["target_type"], "Region": r["region"]}}}]}
    else:
        out["TerminateRecommendationDetail"] = {"EstimatedMonthlySavings": str(r["savings"]), "CurrencyCode": "USD"}
    return out



def _rds_detail(a: RdsAdvice) -> dict[str, Any]:
    family = a.instance_class.rpartition(".")[0]
    on_demand, saving = a.on_demand_monthly * a.count, a.saving_per_instance * a.count
    units = normalization_factor(a.instance_class) * a.count
    return {
        "AccountId": ACCOUNT,
        "InstanceDetails": {"RDSInstanceDetails": {
            "Family": family, "InstanceType": a.instance_class, "Region": a.region,
            "DatabaseEngine": rates.RDS_ENGINE_NAMES[a.engine], "DatabaseEdition": "",
            "DeploymentOption": "Multi-AZ" if a.multi_az else "Single-AZ", "LicenseModel": "No license required",
            "CurrentGeneration": True, "SizeFlexEligible": True}},
        "RecommendedNumberOfInstancesToPurchase": str(a.count), "RecommendedNormalizedUnitsToPurchase": number(units),
        "MinimumNumberOfInstancesUsedPerHour": str(a.count), "MinimumNormalizedUnitsUsedPerHour": number(units),
        "MaximumNumberOfInstancesUsedPerHour": str(a.count), "MaximumNormalizedUnitsUsedPerHour": number(units),
        "AverageNumberOfInstancesUsedPerHour": str(a.count), "AverageNormalizedUnitsUsedPerHour": number(units),
        "AverageUtilization": "100", "EstimatedBreakEvenInMonths": "0", "CurrencyCode": "USD",
        "EstimatedMonthlySavingsAmount": number(saving),
        "EstimatedMonthlySavingsPercentage": number(rates.RDS_RI_SAVINGS_PCT),
        "EstimatedMonthlyOnDemandCost": number(on_demand),
        "EstimatedReservationCostForLookbackPeriod": number(cents((on_demand - saving) * 30 / Decimal(730) * 24)),
        "UpfrontCost": "0", "RecurringStandardMonthlyCost": number(on_demand - saving)}

