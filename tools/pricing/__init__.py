"""Prices as data: the packaged, dated price book and the run's price sheet. No network, no AWS clients."""
