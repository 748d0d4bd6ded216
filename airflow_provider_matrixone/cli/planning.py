"""Dry-run text: which databases and tables a restore would drop, replace or recreate.

The plan itself is the provider's restore workflow's (:func:`airflow_provider_matrixone.restore.run.plan`,
shared with the Airflow operator and the sample DAG): read statements only, so a dry run sends no
mutating statement. This module only renders its ``to_dict()`` for a terminal.
"""

from __future__ import annotations

from typing import Any


def render_objects(plan: dict[str, Any]) -> str:
    """The object part of a plan (the header with SQL and instant is printed by the caller)."""
    if not plan.get("listed", True):
        return "\n".join(plan.get("notes") or [])
    lines = ["objects (drop = exists now only, recreate = exists at T only, replace = both)"]
    if plan["databases"]:
        lines.append("  databases  " + ", ".join(f"{a['database']} {a['action']}" for a in plan["databases"]))
    header = ("TABLE", "ACTION", "ROWS NOW", "ROWS AT T")
    body = [(f"{a['database']}.{a['table']}", a["action"], "-" if a.get("rows_now") is None else str(a["rows_now"]),
             "-" if a.get("rows_at_t") is None else str(a["rows_at_t"])) for a in plan["tables"]]
    widths = [max(len(h), *(len(b[i]) for b in body)) if body else len(h) for i, h in enumerate(header)]
    for row in (header, *body):
        lines.append("  " + "  ".join(c.rjust(widths[i]) if i >= 2 else c.ljust(widths[i])
                                      for i, c in enumerate(row)).rstrip())
    lines.extend(f"  note: {n}" for n in plan["notes"])
    return "\n".join(lines)
