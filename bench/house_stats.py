"""The shape of the house at a git revision: modules per folder, the longest file, modules over 300 lines, and
imports inside functions (AST), over agent/ and tools/.

    python bench/house_stats.py HEAD
    python bench/house_stats.py 50f9488     # the layout before issue 13
"""

from __future__ import annotations

import ast
import subprocess
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _git(*args: str) -> str:
    return subprocess.run(["git", *args], capture_output=True, text=True, cwd=ROOT, check=True).stdout


def _imports_inside_functions(text: str) -> int:
    count = 0
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            count += sum(isinstance(sub, ast.Import | ast.ImportFrom) for sub in ast.walk(node))
    return count


def main(revision: str) -> None:
    files = [f for f in _git("ls-tree", "-r", "--name-only", revision).split()
             if f.endswith(".py") and f.split("/")[0] in ("agent", "tools")]
    per_folder: Counter[str] = Counter()
    sizes: dict[str, int] = {}
    inside = 0
    for name in files:
        text = _git("show", f"{revision}:{name}")
        per_folder[name.rsplit("/", 1)[0]] += 1
        sizes[name] = len(text.splitlines())
        inside += _imports_inside_functions(text)
    longest = max(sizes, key=lambda n: sizes[n])
    print(f"{revision}: {len(files)} modules in {len(per_folder)} folders; longest {longest} ({sizes[longest]} "
          f"lines); {sum(n > 300 for n in sizes.values())} over 300 lines; {inside} imports inside functions")
    print("  " + "  ".join(f"{folder}:{n}" for folder, n in sorted(per_folder.items())))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "HEAD")
