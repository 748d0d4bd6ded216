"""``pitr/`` is the pure domain layer (issue 12, point 3): no driver, no socket, no Airflow, no clock.

Statement execution and batched reads live in :mod:`airflow_provider_matrixone.sql_io`; a ``pitr``
module may name its types only under ``if TYPE_CHECKING:``. Each module is parsed with ``ast`` (not
imported), so the rule holds even for code paths no test executes. A justified exception is listed
below with its reason; an exception that is no longer needed fails too, so the list cannot go stale.
"""

from __future__ import annotations

import ast
from pathlib import Path

PITR_DIR = Path(__file__).resolve().parents[3] / "airflow_provider_matrixone" / "pitr"

#: Top-level modules (or dotted prefixes) a pure module must not import at run time.
FORBIDDEN_IMPORTS = ("pymysql", "MySQLdb", "mysql.connector", "socket", "airflow", "airflow_provider_matrixone.sql_io")
#: Clock reads: a pure function is given the time, it does not read it.
FORBIDDEN_CALLS = {("time", "time"), ("time", "time_ns"), ("time", "monotonic"), ("time", "monotonic_ns"),
                   ("datetime", "now"), ("datetime", "utcnow"), ("pendulum", "now")}

#: module -> (what it does that is impure, why it is still here). Empty since the capture and the plan's
#: reads moved to sql_io/capture.py and sql_io/plan_reads.py; an entry must say why it cannot move.
EXCEPTIONS: dict[str, tuple[frozenset[str], str]] = {}


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _forbidden(name: str) -> bool:
    return any(name == bad or name.startswith(bad + ".") for bad in FORBIDDEN_IMPORTS)


def _resolve(node: ast.ImportFrom) -> list[str]:
    """Absolute module names an ``import from`` brings in (relative ones resolved against pitr)."""
    if node.level == 0:
        base = node.module or ""
    else:
        parts = ["airflow_provider_matrixone", "pitr"][: 2 - (node.level - 1)]
        base = ".".join(parts + ([node.module] if node.module else []))
    return [base] + [f"{base}.{alias.name}" for alias in node.names]


def impurities(source: str, filename: str = "<src>") -> set[str]:
    """Every run-time forbidden import and clock call in ``source`` (TYPE_CHECKING blocks skipped)."""
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            found.update(f"import {a.name}" for a in node.names if _forbidden(a.name))
        elif isinstance(node, ast.ImportFrom):
            names = _resolve(node)
            if any(_forbidden(n) for n in names):
                found.add(f"import {names[0]}")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            owner = node.func.value
            owner_name = owner.id if isinstance(owner, ast.Name) else owner.attr if isinstance(
                owner, ast.Attribute) else None
            if (owner_name, node.func.attr) in FORBIDDEN_CALLS:
                found.add(f"call {owner_name}.{node.func.attr}")
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(ast.parse(source, filename=filename))
    return found


def test_every_pitr_module_is_pure_or_a_listed_exception() -> None:
    modules = sorted(PITR_DIR.glob("*.py"))
    assert len(modules) > 15, "pitr/ was not found: is PITR_DIR right?"
    problems = []
    for path in modules:
        found = impurities(path.read_text(encoding="utf-8"), str(path))
        allowed = EXCEPTIONS.get(path.name, (frozenset(), ""))[0]
        if found - allowed:
            problems.append(f"{path.name}: {sorted(found - allowed)}; move the I/O to sql_io or pass the time in")
    assert problems == []


def test_every_exception_is_still_needed() -> None:
    stale = []
    for name, (allowed, _reason) in EXCEPTIONS.items():
        path = PITR_DIR / name
        found = impurities(path.read_text(encoding="utf-8"), str(path)) if path.exists() else set()
        if allowed - found:
            stale.append(f"{name}: {sorted(allowed - found)} no longer happens; drop it from EXCEPTIONS")
    assert stale == []


def test_the_checker_catches_each_kind_and_skips_type_checking() -> None:
    src = (
        "import socket\n"
        "import pymysql.cursors\n"
        "from MySQLdb import connect\n"
        "from mysql.connector import errors\n"
        "from airflow.models import Connection\n"
        "from ..sql_io.operations import PitrOperations\n"
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n"
        "    from airflow_provider_matrixone.sql_io.reading import BatchReader\n"
        "def f():\n"
        "    import time\n"
        "    return time.monotonic(), datetime.datetime.now(), pendulum.now('UTC'), time.time()\n"
    )
    assert impurities(src) == {
        "import socket", "import pymysql.cursors", "import MySQLdb", "import mysql.connector",
        "import airflow.models", "import airflow_provider_matrixone.sql_io.operations",
        "call time.monotonic", "call datetime.now", "call pendulum.now", "call time.time",
    }
    assert impurities("from . import errors\nfrom .models import Level\nimport re\nre.compile('x')\n") == set()
