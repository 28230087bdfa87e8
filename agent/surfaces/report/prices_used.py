"""The report's "Prices used": each distinct price source once, numbered; findings cite it as [n]."""

from __future__ import annotations

from html import escape


class PriceList:
    """Sources numbered in the order they are first cited, so the page's first citation is [1]."""

    def __init__(self) -> None:
        self.sources: list[str] = []

    def number(self, source: str) -> int:
        if source not in self.sources:
            self.sources.append(source)
        return self.sources.index(source) + 1

    def cite(self, source: str) -> str:
        """'[n]' linking to the source in the list; nothing for an empty source."""
        if not source:
            return ""
        n = self.number(source)
        return f'<a class="cite" href="#price-{n}">[{n}]</a>'

    def render(self) -> str:
        if not self.sources:
            return '<p class="muted">No prices were needed.</p>'
        items = "".join(f'<li id="price-{n}">{escape(s)}</li>' for n, s in enumerate(self.sources, 1))
        return f'<ol class="prices">{items}</ol>'
