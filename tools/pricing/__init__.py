"""Prices as data: the packaged, dated price book and the run's price sheet. No network, no AWS clients.

`book` (`PriceBook`, of `ec2_catalogue` and `service_tables`, quoting through `estimates`); `quotes` (the run's
`QuoteSheet`); `billed` (rates as billed); `needs` (which list prices a run may need).
"""
