"""``--verify``: capture the target's state at T before the restore, compare after it.

The reference must be read *before* restoring: the restore rewrites history-visible objects, so
reading "T" afterwards could read the restore's own result and prove nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from airflow_provider_matrixone.cli.errors import UsageError
from airflow_provider_matrixone.cli.targets import Target
from airflow_provider_matrixone.pitr.client import PitrOperations
from airflow_provider_matrixone.pitr.models import Level
from airflow_provider_matrixone.pitr.timestamps import to_epoch_ns


@dataclass
class Reference:
    """Tables and row counts of the target scope at T."""

    at_ns: int
    counts: dict[str, int]


@dataclass
class Report:
    ok: bool
    text: str
    data: dict[str, Any] = field(default_factory=dict)


def _scope_tables(client: PitrOperations, target: Target, at_ns: int | None) -> list[tuple[str, str]]:
    scope = target.scope
    if scope.level is Level.ACCOUNT:
        dbs = client.list_databases(at=at_ns)
    else:
        dbs = [scope.database] if scope.database in client.list_databases(at=at_ns) else []
    pairs = client.list_scope_tables(dbs, at=at_ns)
    if scope.level is Level.TABLE:
        pairs = [p for p in pairs if p[1] == scope.table]
    return pairs


def _require_own_account(client: PitrOperations, target: Target) -> None:
    account = target.scope.account or client.account
    if target.scope.level is Level.CLUSTER or target.new_account or account.lower() != client.account.lower():
        raise UsageError("--verify", "--verify reads the restored objects, which MatrixOne shows only to their own "
                         "account: connect as that account's admin (or drop --verify)",
                         '--user "acc1#root" --account "acc1" --verify')


def capture(client: PitrOperations, target: Target, instant: datetime) -> Reference:
    _require_own_account(client, target)
    at_ns = to_epoch_ns(instant)
    return Reference(at_ns, client.count_rows(_scope_tables(client, target, at_ns), at=at_ns))


def check(client: PitrOperations, target: Target, reference: Reference) -> Report:
    """Per-table comparison of the live state with the reference; any difference fails."""
    actual = client.count_rows(_scope_tables(client, target, None))
    rows: list[dict[str, Any]] = []
    ok = True
    for key in sorted(set(reference.counts) | set(actual)):
        expected, got = reference.counts.get(key), actual.get(key)
        status = "ok" if expected == got else ("missing" if got is None else ("unexpected" if expected is None
                                                                               else "rows differ"))
        ok = ok and status == "ok"
        rows.append({"table": key, "expected_rows": expected, "actual_rows": got, "status": status})
    header = ("TABLE", "ROWS AT T", "ROWS NOW", "STATUS")
    cells = [(r["table"], "-" if r["expected_rows"] is None else str(r["expected_rows"]),
              "-" if r["actual_rows"] is None else str(r["actual_rows"]), r["status"]) for r in rows]
    widths = [max(len(h), *(len(c[i]) for c in cells)) if cells else len(h) for i, h in enumerate(header)]
    lines = [f"verification: {'PASSED' if ok else 'FAILED'} ({len(rows)} tables)"]
    for c in (header, *cells):
        lines.append("  " + "  ".join(v.ljust(widths[i]) for i, v in enumerate(c)).rstrip())
    return Report(ok, "\n".join(lines), {"ok": ok, "tables": rows})
