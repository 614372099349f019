"""The audit <-> store circle is gone: the hash primitives live in crosspost.chain, below the store."""

from __future__ import annotations

import ast
import subprocess
import sys

from conftest import REPO


def _imports(module: str) -> tuple[set[str], set[str]]:
    """(crosspost modules imported at module level, crosspost modules imported inside functions)."""
    tree = ast.parse((REPO / "crosspost" / f"{module}.py").read_text("utf-8"))
    top, nested = set(), set()

    def names(node: ast.AST) -> set[str]:
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            return {node.module or ""}
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("crosspost."):
            return {node.module.removeprefix("crosspost.")}
        return set()

    for node in tree.body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            top |= names(node)
        elif isinstance(node, ast.If):  # TYPE_CHECKING blocks hide a circle too
            for sub in ast.walk(node):
                nested |= names(sub)
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for sub in ast.walk(node):
                nested |= names(sub)
    return top, nested


def test_store_imports_chain_and_never_audit():
    top, nested = _imports("store")
    assert "chain" in top
    assert "audit" not in top | nested


def test_chain_imports_neither_store_nor_audit():
    top, nested = _imports("chain")
    assert not ({"store", "audit"} & (top | nested))


def test_audit_imports_store_and_chain_at_module_level():
    top, nested = _imports("audit")
    assert {"store", "chain"} <= top
    assert "store" not in nested


def test_importing_audit_first_or_store_first_both_work():
    for first in ("crosspost.audit", "crosspost.store", "crosspost.chain"):
        proc = subprocess.run([sys.executable, "-c", f"import {first}; import crosspost.audit as a; "
                               "import crosspost.store as s; assert a.event_hash is s.event_hash"],
                              cwd=REPO, capture_output=True, text=True)
        assert proc.returncode == 0, proc.stderr
