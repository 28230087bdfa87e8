"""The price book's service tables (price_data/rds.json, services.json): one table per price category (EBS storage,
RDS instances, Lambda duration, S3 storage, NAT hours ...) keyed by region, with per-region multipliers.

Each category names the public sources its values were checked against and what could not be confirmed. A region
with its own entry is quoted exactly; another is us-east-1 x the region's multiplier for the category (or its
proxy region's, ec2.json `region_proxies`), and the quote's `source` says which.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from tools.models import PriceQuote
from tools.pricing.estimates import BASE_REGION, PriceNotFound, book_quote, dec, estimate, factor_text, no_region


class PriceTables:
    """The category tables of one data file; `label` and `regions` name the book in errors."""

    def __init__(self, data: dict[str, Any], proxies: dict[str, str], label: str, regions: list[str]) -> None:
        self._data = data
        self._proxies = proxies
        self._label = label
        self._regions = regions

    def price(self, category: str, region: str, key: str, what: str,
              multiplier_key: str | None = None) -> PriceQuote:
        """A price from a category table: exact regional entry, else us-east-1 x the region's multiplier
        (`multiplier_key`'s when the category has none of its own)."""
        data = self._data
        sources = data.get("sources", {})
        named = sources.get(category) or sources.get(multiplier_key or category, {})
        source_name = str(named.get("name") or data["source"])
        when = date.fromisoformat(str(named.get("date") or data["effective_date"]))
        table = data["prices"].get(category)
        if table is None:
            raise PriceNotFound(f"no {category} prices in the price book ({source_name}); "
                                "only the Pricing API has them")
        base_value = table[BASE_REGION].get(key)
        if base_value is None:
            raise PriceNotFound(f"no {category} price for {key!r} in the price book ({source_name}); "
                                f"known: {', '.join(table[BASE_REGION])}")
        base = dec(base_value)
        exact = table.get(region, {}).get(key)
        if exact is not None:
            return book_quote(dec(exact), table["unit"], what, source_name, when)
        factors = data["region_multipliers"].get(region)
        proxy = None
        if factors is None:
            proxy = self._proxies.get(region)
            factors = data["region_multipliers"].get(proxy) if proxy else None
        if factors is None:
            raise PriceNotFound(no_region(region, category, self._label, self._regions))
        factor = dec(factors[multiplier_key or category])
        if region == BASE_REGION:
            return book_quote(base, table["unit"], what, source_name, when)
        if proxy:
            note = (f"regional estimate: {region} has no multipliers, {proxy}'s used, "
                    f"{BASE_REGION} x {factor_text(factor)}")
        else:
            note = f"regional estimate: {region} = {BASE_REGION} x {factor_text(factor)} regional multiplier"
        return book_quote(estimate(base, factor), table["unit"], what, source_name, when, note)
