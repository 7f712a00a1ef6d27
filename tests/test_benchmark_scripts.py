"""The benchmark scripts share helpers from benchmarks/run.py; `make audit` crashed once because
a helper gained an argument its other callers never passed. Each call must bind to the
helper's signature, checked without starting gunicorn, npm or Chromium."""

from __future__ import annotations

import ast
import importlib
import inspect
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"
SHARED = ("start_gunicorn", "stop", "page_weight")


@pytest.mark.parametrize("script", sorted(p.name for p in BENCHMARKS.glob("*.py")))
def test_calls_to_the_shared_helpers_match_their_signatures(script):
    run = importlib.import_module("benchmarks.run")
    tree = ast.parse((BENCHMARKS / script).read_text())
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                and node.func.id in SHARED):
            continue
        if any(isinstance(arg, ast.Starred) for arg in node.args) or any(
                kw.arg is None for kw in node.keywords):
            continue
        signature = inspect.signature(getattr(run, node.func.id))
        try:
            signature.bind(*node.args, **{kw.arg: kw.value for kw in node.keywords})
        except TypeError as exc:
            pytest.fail(f"{script}:{node.lineno}: {node.func.id}{signature}: {exc}")
