"""Dry-run details: which databases and tables a restore would drop, replace or recreate.

The plan is the domain layer's (:func:`airflow_provider_matrixone.pitr.restore_plan.plan_restore`,
shared with the Airflow operator): read statements only (SHOW ..., counts with ``{MO_TS = T}``),
so a dry run sends no mutating statement. MatrixOne shows an account's objects only to that
account, so object details are listed for restores inside the login's own account; other
targets get the statements only, with a note saying why.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from airflow_provider_matrixone.cli.targets import Target
from airflow_provider_matrixone.pitr.client import PitrOperations
from airflow_provider_matrixone.pitr.models import Level, Pitr
from airflow_provider_matrixone.pitr.restore_plan import RestorePlan, plan_restore


@dataclass
class PlanDetails:
    text: str
    data: dict[str, Any] = field(default_factory=dict)


def _own_account(client: PitrOperations, target: Target) -> bool:
    if target.scope.level is Level.CLUSTER or target.new_account:
        return False
    account = target.scope.account or client.account
    return account.lower() == client.account.lower()


def describe(client: PitrOperations, target: Target, pitr: Pitr, instant: datetime) -> PlanDetails:
    """Objects the restore would touch, with row counts now and at T, as text and data."""
    if not _own_account(client, target):
        note = ("objects: not listed: MatrixOne shows an account's objects only to that account; connect as "
                "its admin for a detailed dry run")
        return PlanDetails(note, {"objects": None, "note": note})
    scope = target.scope
    plan = plan_restore(client, pitr_name=pitr.name, timestamp=instant, level=scope.level, account=scope.account,
                        database=scope.database, table=scope.table, source_account=target.source_account)
    return PlanDetails(render_objects(plan), plan.to_dict())


def render_objects(plan: RestorePlan) -> str:
    """The object part of a plan (the header with SQL and instant is printed by the caller)."""
    lines = ["objects (drop = exists now only, recreate = exists at T only, replace = both)"]
    if plan.databases:
        lines.append("  databases  " + ", ".join(f"{a.database} {a.action}" for a in plan.databases))
    header = ("TABLE", "ACTION", "ROWS NOW", "ROWS AT T")
    body = [(a.name, a.action, "-" if a.rows_now is None else str(a.rows_now),
             "-" if a.rows_at_t is None else str(a.rows_at_t)) for a in plan.tables]
    widths = [max(len(h), *(len(b[i]) for b in body)) if body else len(h) for i, h in enumerate(header)]
    for row in (header, *body):
        lines.append("  " + "  ".join(c.rjust(widths[i]) if i >= 2 else c.ljust(widths[i])
                                      for i, c in enumerate(row)).rstrip())
    lines.extend(f"  note: {n}" for n in plan.notes)
    return "\n".join(lines)
