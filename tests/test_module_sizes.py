"""Keeps the house walkable (issue 12, point 6): no module over 450 lines.

A module past a few hundred lines is where concerns pile up unseen (``matrixone_lite/engine.py``
reached 1,100 lines holding name resolution, DDL, DML, SHOW and counts). Every ``*.py`` under
``airflow_provider_matrixone/``, ``matrixone_lite/`` and ``dags/`` is measured; a justified
exception is listed below with a ceiling and its reason, and an exception that is no longer
needed fails too, so the list cannot go stale.
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("airflow_provider_matrixone", "matrixone_lite", "dags")
LIMIT = 450

# path -> (ceiling, reason). None in matrixone_lite.
EXCEPTIONS: dict[str, tuple[int, str]] = {}


def module_lines(root: Path, packages: tuple[str, ...] = PACKAGES) -> dict[str, int]:
    """Line count of every Python module under ``packages``, keyed by its path from ``root``."""
    out: dict[str, int] = {}
    for pkg in packages:
        for path in sorted((root / pkg).rglob("*.py")):
            if any(part.startswith(".") or part == "__pycache__" for part in path.parts):
                continue
            with path.open(encoding="utf-8") as f:
                out[path.relative_to(root).as_posix()] = sum(1 for _ in f)
    return out


def oversized(lines: dict[str, int], limit: int = LIMIT,
              exceptions: dict[str, tuple[int, str]] | None = None) -> list[str]:
    """Human sentences for every module over the limit (or over its listed ceiling)."""
    exceptions = EXCEPTIONS if exceptions is None else exceptions
    problems: list[str] = []
    for path, n in sorted(lines.items()):
        ceiling = exceptions[path][0] if path in exceptions else limit
        if n > ceiling:
            problems.append(f"{path}: {n} lines (limit {ceiling}); split it by concern")
    return problems


def test_no_module_over_the_limit() -> None:
    lines = module_lines(ROOT)
    assert len(lines) > 100, "the packages were not found: is ROOT right?"
    assert oversized(lines) == []


def test_every_exception_is_still_needed() -> None:
    lines = module_lines(ROOT)
    stale = [p for p in EXCEPTIONS if lines.get(p, 0) <= LIMIT]
    assert stale == [], f"remove these from EXCEPTIONS, they are within {LIMIT} lines now: {stale}"
    assert not [p for p in EXCEPTIONS if p.startswith("matrixone_lite/")]


def test_the_check_sees_a_module_that_grew(tmp_path: Path) -> None:
    pkg = tmp_path / "matrixone_lite" / "sub"
    pkg.mkdir(parents=True)
    (pkg / "fine.py").write_text("x = 1\n" * LIMIT, encoding="utf-8")
    (pkg / "grown.py").write_text("x = 1\n" * (LIMIT + 1), encoding="utf-8")
    (tmp_path / "matrixone_lite" / "__pycache__").mkdir()
    (tmp_path / "matrixone_lite" / "__pycache__" / "big.py").write_text("x\n" * 999, encoding="utf-8")
    lines = module_lines(tmp_path, ("matrixone_lite",))
    assert oversized(lines, exceptions={}) == [
        f"matrixone_lite/sub/grown.py: {LIMIT + 1} lines (limit {LIMIT}); split it by concern"
    ]
    allowed = {"matrixone_lite/sub/grown.py": (LIMIT + 5, "test")}
    assert oversized(lines, exceptions=allowed) == []
