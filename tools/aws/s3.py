"""S3 buckets (global: one ListBuckets, then each bucket in its own region).

Sizes come from CloudWatch's daily BucketSizeBytes (no object listing), so a bucket is priced after
utilization (`price_bucket`). Incomplete multipart uploads are listed with their parts' sizes.
Collection and pricing only: the seed's analysis methods are in agent/surfaces/collectors.py (docs/rules.md).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from botocore.exceptions import ClientError

from tools.aws.clients import ClientFactory
from tools.aws.inventory_common import monthly_of, quote, set_cost, summary_value
from tools.aws.paginate import paginate
from tools.models import CollectionError, Resource
from tools.pricing.book import PriceBook
from tools.settings import Settings

log = logging.getLogger(__name__)
GB = Decimal(1024**3)
UPLOAD_MIN_AGE_DAYS = 7
NO_LIFECYCLE = {"NoSuchLifecycleConfiguration"}


def bucket_region(constraint: str | None) -> str:
    """GetBucketLocation's answer -> region (None means us-east-1; 'EU' is the old name of eu-west-1)."""
    return {None: "us-east-1", "": "us-east-1", "EU": "eu-west-1"}.get(constraint, constraint or "us-east-1")


class S3CostCollector:
    def __init__(self, factory: ClientFactory, prices: PriceBook, settings: Settings) -> None:
        self.factory = factory
        self.prices = prices
        self.settings = settings
        self.errors: list[CollectionError] = []
        self._errors_lock = threading.Lock()

    def collect_bucket_costs(self, regions: Iterable[str] | None = None,
                             now: datetime | None = None) -> list[Resource]:
        """Buckets in `regions` (all when None); one bucket failing is recorded in `errors`, the rest go on."""
        wanted = set(regions) if regions is not None else None
        buckets = self.factory.client("s3").list_buckets().get("Buckets", [])
        at = now or datetime.now(UTC)
        # S3 has no batch API: each bucket costs 3-4 requests, so buckets are read concurrently (bounded).
        with ThreadPoolExecutor(max_workers=self.settings.collection_concurrency) as pool:
            found = list(pool.map(lambda b: self._bucket_or_error(b, wanted, at), buckets))
        return [r for r in found if r is not None]

    def _bucket_or_error(self, bucket: dict[str, Any], wanted: set[str] | None, now: datetime) -> Resource | None:
        name = bucket["Name"]
        try:
            region = bucket.get("BucketRegion") or bucket_region(  # newer ListBuckets answers carry it
                self.factory.client("s3").get_bucket_location(Bucket=name).get("LocationConstraint"))
            if wanted is not None and region not in wanted:
                return None
            return self._bucket(name, region, bucket.get("CreationDate"), now)
        except ClientError as exc:
            code = str(exc.response.get("Error", {}).get("Code", ""))
            log.warning("S3 bucket %s skipped: %s", name, code)
            with self._errors_lock:
                self.errors.append(CollectionError(scope=f"s3/{name}", error=str(exc), code=code))
            return None

    def _bucket(self, name: str, region: str, created: datetime | None, now: datetime) -> Resource:
        client = self.factory.client("s3", region)
        rules = self._lifecycle_rules(client, name)
        uploads, parts_bytes, oldest = self._incomplete_uploads(client, name, now)
        return Resource(
            resource_id=name, kind="s3_bucket", service="S3", region=region, resource_type="bucket", name=name,
            created=created,
            attributes={"lifecycle_rules": len(rules),
                        "has_abort_incomplete_rule": any("AbortIncompleteMultipartUpload" in r and
                                                         r.get("Status") == "Enabled" for r in rules),
                        "storage_gb_by_class": {}, "incomplete_uploads": uploads,
                        "incomplete_upload_oldest": oldest,
                        "incomplete_parts_gb": float(round(Decimal(parts_bytes) / GB, 6))},
        )

    def _lifecycle_rules(self, client: Any, name: str) -> list[dict[str, Any]]:
        try:
            return client.get_bucket_lifecycle_configuration(Bucket=name).get("Rules", [])
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in NO_LIFECYCLE:
                return []
            raise

    def _incomplete_uploads(self, client: Any, name: str, now: datetime) -> tuple[int, int, datetime | None]:
        """Uploads started more than 7 days ago: how many, their parts' bytes, the oldest start."""
        cutoff = now - timedelta(days=UPLOAD_MIN_AGE_DAYS)
        count, size, oldest = 0, 0, None
        for upload in paginate(client, "list_multipart_uploads", "Uploads", Bucket=name, MaxUploads=1000):
            started = upload["Initiated"]
            if started >= cutoff:
                continue
            count += 1
            oldest = started if oldest is None or started < oldest else oldest
            size += sum(p.get("Size", 0) for p in paginate(client, "list_parts", "Parts", Bucket=name,
                                                           Key=upload["Key"], UploadId=upload["UploadId"],
                                                           MaxParts=1000))
        return count, size, oldest

    def price_bucket(self, r: Resource) -> Resource:
        """Standard storage from BucketSizeBytes (daily average) x the Standard price."""
        size_bytes = summary_value(r, "size_standard")
        standard_gb = Decimal(str(size_bytes or 0)) / GB
        r.attributes["storage_gb_by_class"] = {"STANDARD": float(round(standard_gb, 3))} if size_bytes else {}
        q, note = quote(self.prices.s3_gb_month, r.region, "STANDARD")
        if size_bytes is None:
            note = note or "no BucketSizeBytes metric in the lookback: storage cost shown as 0"
        return set_cost(r, monthly_of(q, standard_gb), q, note)
