"""dialogs/ is the pure core: standard library only, no async, no I/O."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

DIALOGS = Path(__file__).resolve().parents[2] / "dialogs"
MODULES = sorted(DIALOGS.rglob("*.py"))


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(DIALOGS)))
def test_imports_only_the_standard_library_and_has_no_async(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        assert not isinstance(node, (ast.AsyncFunctionDef, ast.Await, ast.AsyncWith)), path
        names = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        for name in names:
            top = name.split(".")[0]
            assert top == "dialogs" or top in sys.stdlib_module_names, f"{path}: {name}"
