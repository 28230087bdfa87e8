"""Data flows one way (docs/architecture.md): AWS -> tools -> models -> analysis -> store -> graphs -> surfaces.

Every import of every module under agent/ and tools/ (inside functions too) is read from the source and held
against what its package may import. A new arrow against the flow fails here with the file and the import.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PURE = ("tools.models", "tools.pricing.book", "tools.pricing.billed", "tools.pricing.quotes", "tools.pricing.needs",
        "tools.settings", "tools.regions", "tools.resource_label", "tools.__version__")
"""Modules that only describe data: anything may use them."""
MAY_IMPORT: dict[str, tuple[str, ...]] = {
    "tools.models": ("tools.models",),
    "tools.pricing": ("tools.models", "tools.pricing"),
    "tools.aws": (*PURE, "tools.aws", "tools.logsafe"),
    "tools.storage": (*PURE, "tools.storage", "tools.logsafe"),
    "tools.billing": (*PURE, "tools.billing", "tools.aws", "tools.logsafe"),
    "tools.sandbox": (*PURE, "tools.sandbox", "tools.aws"),
    "tools.executors": (*PURE, "tools.executors", "tools.aws", "tools.logsafe"),
    "tools": ("tools",),
    "agent.analysis": (*PURE, "agent.analysis"),
    "agent.llm": (*PURE, "agent.llm", "agent.analysis", "tools.billing", "tools.aws", "tools.logsafe"),
    "agent.metrics": (*PURE, "agent.analysis"),
    "agent.graphs": (*PURE, "agent.graphs", "agent.analysis", "agent.llm", "agent.metrics", "tools"),
    "agent.surfaces": ("agent", "tools"),
    "agent": ("agent", "tools"),
}
"""Package -> the packages its modules may import (the most specific package listed for a module applies)."""


def _module(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _rule(module: str) -> tuple[str, tuple[str, ...]]:
    owner = max((p for p in MAY_IMPORT if module == p or module.startswith(p + ".")), key=len)
    return owner, MAY_IMPORT[owner]


def _own_imports(path: Path) -> list[tuple[int, str]]:
    """(line, imported module) for every import of this project's own packages."""
    out = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            out += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out += [(node.lineno, f"{node.module}.{alias.name}") for alias in node.names]
    return [(line, name) for line, name in out if name.split(".")[0] in ("agent", "tools")]


def _allowed(name: str, allowed: tuple[str, ...]) -> bool:
    # `from tools import models` reads as tools.models: a prefix match either way round is the same package
    return any(name == a or name.startswith(a + ".") or a.startswith(name + ".") for a in allowed)


SOURCES = sorted(p for top in ("agent", "tools") for p in (ROOT / top).rglob("*.py"))


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_imports_follow_the_flow(path: Path) -> None:
    module = _module(path)
    owner, allowed = _rule(module)
    wrong = [f"{path.relative_to(ROOT)}:{line} imports {name} ({owner} may import {', '.join(allowed)})"
             for line, name in _own_imports(path) if not _allowed(name, allowed)]
    assert wrong == []


def test_every_package_has_a_rule() -> None:
    packages = {_module(p.parent / "__init__.py") for p in SOURCES if (p.parent / "__init__.py").exists()}
    assert all(any(pkg == p or pkg.startswith(p + ".") for p in MAY_IMPORT) for pkg in packages if pkg != "agent")
