"""Spend by linked account: stored as cost_metrics rows of breakdown 'account' with each row's account_id, replaced
by a re-collection, read per account and under an account filter."""

from __future__ import annotations

from datetime import timedelta

import pytest
from storage.storage_samples import COLLECTED, DAILY, DAYS, EC2, LAMBDA, collection

from tools.models import CollectionResult, CostRow
from tools.storage import AWSMetricsStorage, StorageQueryError

PAYER, A, B = "123456789012", "111122223333", "444455556666"
# The sample bill split over two linked accounts: A runs EC2 in us-east-1 and Lambda, B runs EC2 in eu-west-1.
#   A: 3 x 10.004 + (1.005 + 2.005 + 40.0) = 30.012 + 43.01 = 73.022 -> 73.02
#   B: 5.333333 + 5.333333 + 5.333334     = 16.0
OWNER = {(EC2, "us-east-1"): A, (LAMBDA, "us-east-1"): A, (EC2, "eu-west-1"): B}


def account_rows(scale: float = 1.0) -> list[CostRow]:
    return [CostRow(day=d, service=s, region="", account_id=OWNER[(s, r)], cost=round(v * scale, 6))
            for (s, r), values in DAILY.items() for d, v in zip(DAYS, values, strict=True)]


def org_collection(scale: float = 1.0, collected_at=COLLECTED) -> CollectionResult:
    result = collection(scale=scale, collected_at=collected_at)
    assert result.costs is not None
    result.costs.daily_by_account = account_rows(scale)
    result.resources[1].attributes["account_id"] = B  # a member's volume, read through its shard
    return result


def test_rows_by_account_are_stored_with_their_account_and_replaced_by_a_recollection(db: AWSMetricsStorage) -> None:
    # 9 rows by service and region, 2 by usage type, 9 by account and service (A: 2 services x 3 days, B: 3 days)
    assert db.store_collection(org_collection(), "run-1")["cost_rows"] == 20
    assert db.cost_by_account(DAYS[0], DAYS[-1]) == {A: 73.02, B: 16.0}
    db.store_collection(org_collection(), "run-1")
    db.store_collection(org_collection(scale=2.0, collected_at=COLLECTED + timedelta(hours=2)), "run-2")
    assert db.count("cost_metrics") == 20  # never twice
    assert db.cost_by_account(DAYS[0], DAYS[-1]) == {A: 146.04, B: 32.0}  # 2 x 73.022 = 146.044; the newer wins
    assert db.cost_summary(DAYS[0], DAYS[-1]).total_cost == 178.04  # the whole bill is still the region rows'
    stored = db._rows("SELECT breakdown, account_id, count() FROM cost_metrics FINAL GROUP BY breakdown, account_id "
                      "ORDER BY breakdown, account_id")
    assert stored == [("account", A, 6), ("account", B, 3), ("region", PAYER, 9), ("usage_type", PAYER, 2)]


def test_resources_carry_their_own_account(db: AWSMetricsStorage) -> None:
    db.store_collection(org_collection(), "run-1")
    assert db._rows("SELECT resource_id, account_id FROM resources FINAL ORDER BY resource_id") == [
        ("i-0aaa", PAYER), ("vol-0bbb", B)]
    assert db._rows("SELECT resource_id, account_id FROM resource_costs FINAL ORDER BY resource_id") == [
        ("i-0aaa", PAYER), ("vol-0bbb", B)]


def test_one_account_s_spend_comes_from_its_rows_by_service(db: AWSMetricsStorage) -> None:
    db.store_collection(org_collection(), "run-1")
    one = db.cost_summary(DAYS[0], DAYS[-1], account_id=A)
    assert (one.total_cost, one.by_service, one.by_region) == (73.02, {EC2: 30.01, LAMBDA: 43.01}, {})
    assert [(r.day, r.service, r.cost) for r in one.daily_by_account if r.service == LAMBDA] == [
        (DAYS[0], LAMBDA, 1.01), (DAYS[1], LAMBDA, 2.01), (DAYS[2], LAMBDA, 40.0)]  # exact decimals, half-up
    assert db.cost_summary(DAYS[0], DAYS[-1], service=EC2, account_id=B).by_service == {EC2: 16.0}
    assert db.cost_by_account(DAYS[0], DAYS[-1], service=LAMBDA) == {A: 43.01}
    assert db.cost_by_account(DAYS[0], DAYS[-1], account_id=B) == {B: 16.0}
    with pytest.raises(StorageQueryError, match="stored by service, not by region"):
        db.cost_summary(DAYS[0], DAYS[-1], region="us-east-1", account_id=A)


def test_without_rows_by_account_the_filter_is_the_collecting_account(db: AWSMetricsStorage) -> None:
    db.store_collection(collection(), "run-1")
    assert (db.has_account_costs(DAYS[0], DAYS[-1]), db.cost_by_account(DAYS[0], DAYS[-1])) == (False, {})
    assert db.cost_summary(DAYS[0], DAYS[-1], account_id=PAYER).total_cost == 89.02
    assert db.cost_summary(DAYS[0], DAYS[-1], region="eu-west-1", account_id=PAYER).total_cost == 16.0
    assert db.cost_summary(DAYS[0], DAYS[-1], account_id=A).total_cost == 0.0


@pytest.mark.parametrize("bad", ["12345678901", "1234567890123", "12345678901a", "123456789012\n"])
def test_an_account_id_is_twelve_digits(db: AWSMetricsStorage, bad: str) -> None:
    with pytest.raises(StorageQueryError, match="account_id: expected a 12-digit AWS account id"):
        db.cost_by_account(DAYS[0], DAYS[-1], account_id=bad)
