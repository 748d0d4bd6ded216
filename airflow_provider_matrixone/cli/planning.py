"""Dry-run details: which databases and tables a restore would drop, replace or recreate.

Reads only (SHOW ... and SELECT COUNT(*) with ``{MO_TS = T}``), so a dry run sends no mutating
statement. MatrixOne scopes SHOW and time-travel reads to the session's account, so details are
listed for restores inside the login's own account; other targets get the statements only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from airflow_provider_matrixone.cli.targets import Target
from airflow_provider_matrixone.pitr.client import PitrOperations
from airflow_provider_matrixone.pitr.models import Level, Pitr
from airflow_provider_matrixone.pitr.timestamps import to_epoch_ns


@dataclass
class PlanDetails:
    text: str
    data: dict[str, Any] = field(default_factory=dict)


def _own_account(client: PitrOperations, target: Target) -> bool:
    if target.scope.level is Level.CLUSTER or target.new_account:
        return False
    account = target.scope.account or client.account
    return account.lower() == client.account.lower()


def _tables(client: PitrOperations, databases: list[str], at_ns: int | None) -> dict[str, list[str]]:
    pairs = client.list_scope_tables(databases, at=at_ns) if databases else []
    out: dict[str, list[str]] = {db: [] for db in databases}
    for db, tbl in pairs:
        out[db].append(tbl)
    return out


def collect(client: PitrOperations, target: Target, instant: datetime) -> list[dict[str, Any]]:
    """One entry per affected object: action, rows now, rows at T."""
    at_ns = to_epoch_ns(instant)
    scope = target.scope
    if scope.level is Level.ACCOUNT:
        now_dbs = set(client.list_databases())
        then_dbs = set(client.list_databases(at=at_ns))
    else:
        now_dbs = {scope.database} & set(client.list_databases()) if scope.database else set()
        then_dbs = {scope.database} & set(client.list_databases(at=at_ns)) if scope.database else set()
    tables_now = _tables(client, sorted(now_dbs), None)
    tables_then = _tables(client, sorted(then_dbs), at_ns)
    if scope.level is Level.TABLE:
        tables_now = {db: [t for t in ts if t == scope.table] for db, ts in tables_now.items()}
        tables_then = {db: [t for t in ts if t == scope.table] for db, ts in tables_then.items()}
    pairs_now = [(db, t) for db, ts in tables_now.items() for t in ts]
    pairs_then = [(db, t) for db, ts in tables_then.items() for t in ts]
    counts_now = client.count_rows(pairs_now)
    counts_then = client.count_rows(pairs_then, at=at_ns)
    entries: list[dict[str, Any]] = []
    if scope.level is not Level.TABLE:
        for db in sorted(now_dbs | then_dbs):
            action = "replace" if db in now_dbs and db in then_dbs else ("drop" if db in now_dbs else "recreate")
            entries.append({"object": db, "kind": "database", "action": action, "rows_now": None, "rows_at_t": None})
    for key in sorted(set(counts_now) | set(counts_then)):
        in_now, in_then = key in counts_now, key in counts_then
        action = "replace" if in_now and in_then else ("drop" if in_now else "recreate")
        entries.append({"object": key, "kind": "table", "action": action,
                        "rows_now": counts_now.get(key), "rows_at_t": counts_then.get(key)})
    return entries


def render(entries: list[dict[str, Any]]) -> str:
    if not entries:
        return "objects: none (nothing exists now or at the timestamp in this scope)"
    header = ("ACTION", "KIND", "OBJECT", "ROWS NOW", "ROWS AT T")
    rows = [(e["action"], e["kind"], e["object"], "-" if e["rows_now"] is None else str(e["rows_now"]),
             "-" if e["rows_at_t"] is None else str(e["rows_at_t"])) for e in entries]
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(header)]
    lines = ["objects (drop = exists now, not at T; recreate = exists at T only; replace = both)"]
    for row in (header, *rows):
        lines.append("  " + "  ".join(c.rjust(widths[i]) if i >= 3 else c.ljust(widths[i])
                                      for i, c in enumerate(row)).rstrip())
    return "\n".join(lines)


def describe(client: PitrOperations, target: Target, pitr: Pitr, instant: datetime, sql: str) -> PlanDetails:
    """Objects the restore would touch, with row counts now and at T, as text and data."""
    if not _own_account(client, target):
        note = ("objects: not listed: MatrixOne shows another account's objects only to that account; "
                "connect as its admin for a detailed dry run")
        return PlanDetails(note, {"objects": None, "note": note})
    entries = collect(client, target, instant)
    return PlanDetails(render(entries), {"objects": entries})
