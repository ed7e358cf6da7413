"""The size rules of the house: no module over 450 lines, no function over 60.

Run by `make lint` as `python tests/house_rules.py pipeline`; prints each breach and exits 1.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

MAX_MODULE_LINES = 450
MAX_FUNCTION_LINES = 60


def breaches(root: Path) -> list[str]:
    """One line per module or function over its limit, under `root`."""
    found = []
    for path in sorted(root.rglob("*.py")):
        source = path.read_text(encoding="utf-8")
        if (lines := source.count("\n")) > MAX_MODULE_LINES:
            found.append(f"{path}: {lines} lines (at most {MAX_MODULE_LINES})")
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = node.end_lineno - node.lineno + 1
                if length > MAX_FUNCTION_LINES:
                    found.append(
                        f"{path}:{node.lineno} {node.name}: {length} lines "
                        f"(at most {MAX_FUNCTION_LINES})"
                    )
    return found


if __name__ == "__main__":
    problems = breaches(Path(sys.argv[1] if len(sys.argv) > 1 else "pipeline"))
    sys.stdout.write("".join(f"{line}\n" for line in problems))
    sys.exit(1 if problems else 0)
