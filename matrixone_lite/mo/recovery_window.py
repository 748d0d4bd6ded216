"""``SHOW RECOVERY_WINDOW``: per table, the snapshots and PITR ranges that can restore it.

Follows MatrixOne main's ``show_recovery_window.go``: snapshots come from the caller's own
``mo_snapshots``, PITRs from all of ``mo_pitr`` matching the account/database/table; each one is
expanded to the tables that existed at its instant; the window column is MatrixOne's
single-quoted pseudo-JSON list (matrixone-pitr.md §3.3).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from matrixone_lite.errors import internal_error
from matrixone_lite.mo import ast
from matrixone_lite.mo.context import StmtContext
from matrixone_lite.mo.timeparse import range_start_ns
from matrixone_lite.results import Column, Result

if TYPE_CHECKING:
    from matrixone_lite.mo.executor import MOExecutor

SKIP_DBS = frozenset(("information_schema", "mo_catalog", "mysql", "system", "system_metrics", "mo_task",
                      "mo_debug"))
COLUMNS = [Column("RecoveryWindowLevel", "VARCHAR"), Column("AccountName", "VARCHAR"),
           Column("DatabaseName", "VARCHAR"), Column("TableName", "VARCHAR"), Column("RecoveryWindows", "JSON")]


def _ns_format(ts_ns: int, ctx: StmtContext) -> str:
    """Go ``2006-01-02 15:04:05.999999999`` in the server zone (trailing zeros trimmed)."""
    secs, frac = divmod(ts_ns, 1_000_000_000)
    text = datetime.fromtimestamp(secs, tz=ctx.server_zone).strftime("%Y-%m-%d %H:%M:%S")
    return text + ("." + f"{frac:09d}".rstrip("0") if frac else "")


def _go_utc_string(ts_ns: int) -> str:
    """Go's ``time.Time.String()`` of a UTC instant."""
    secs, frac = divmod(ts_ns, 1_000_000_000)
    text = datetime.fromtimestamp(secs, tz=UTC).strftime("%Y-%m-%d %H:%M:%S")
    return text + ("." + f"{frac:09d}".rstrip("0") if frac else "") + " +0000 UTC"


def _matches(level: str, account: str, db: str, table: str, stmt: ast.ShowRecoveryWindow, acc_name: str) -> bool:
    if account != acc_name:
        return False
    if stmt.level == "account":
        return True
    if stmt.level == "database":
        return db in ("", stmt.database)
    return db == "" or (db == stmt.database and table in ("", stmt.table))


def show_recovery_window(ex: MOExecutor, stmt: ast.ShowRecoveryWindow, ctx: StmtContext) -> Result:
    acc_name = stmt.account or ctx.account
    if stmt.level == "account" and stmt.account and not ctx.is_sys and stmt.account != ctx.account:
        raise internal_error("only sys account can show other account's recovery window")
    if stmt.level == "database" and stmt.database in SKIP_DBS:
        raise internal_error("can not show recovery window for system database")
    if stmt.level == "table" and stmt.database in SKIP_DBS:
        raise internal_error("can not show recovery window for system table")
    st = ex.storage

    def tables_at(ts: int, level: str, db: str, table: str) -> list[tuple[str, str]]:
        acc = st.account(acc_name, at=ts)
        if acc is None:
            return []
        out = []
        for d in st.databases(acc.id, at=ts):
            if d.name in SKIP_DBS:
                continue
            if stmt.level in ("database", "table") and d.name != stmt.database:
                continue
            if level == "database" and d.name != db:
                continue
            for t in st.tables(d.id, at=ts):
                if stmt.level == "table" and t.name != stmt.table:
                    continue
                out.append((d.name, t.name))
        return out

    windows: dict[tuple[str, str], list[str]] = {}
    for s in ex.catalog.snapshots(ctx.account_id):
        if not _matches(s.level, s.account_name, s.database_name, s.table_name, stmt, acc_name):
            continue
        item = f"{{'timestamp':'{_go_utc_string(s.ts)}', 'source':'snapshot', 'source_name':'{s.sname}'}}, "
        keys = [(s.database_name, s.table_name)] if s.level == "table" else tables_at(
            s.ts, s.level, s.database_name, s.table_name)
        for k in keys:
            windows.setdefault(k, []).append(item)
    now = st.now_ns()
    for p in ex.catalog.pitrs():
        if p.pitr_name == "sys_mo_catalog_pitr" or p.level == "cluster":
            continue
        if not _matches(p.level, p.account_name, p.database_name, p.table_name, stmt, acc_name):
            continue
        start = range_start_ns(now, p.pitr_length, p.pitr_unit)
        if p.pitr_status == 0:
            if start > p.pitr_status_changed_time:
                continue  # the range no longer reaches the drop
            start = range_start_ns(p.pitr_status_changed_time, p.pitr_length, p.pitr_unit)
        start = max(start, p.modified_time)
        end = p.pitr_status_changed_time if p.pitr_status == 0 else now
        item = (f"{{'start_time':'{_ns_format(start, ctx)}', 'end_time':'{_ns_format(end, ctx)}', "
                f"'source':'pitr', 'source_name':'{p.pitr_name}'}}, ")
        keys = [(p.database_name, p.table_name)] if p.level == "table" else tables_at(
            start, p.level, p.database_name, p.table_name)
        for k in keys:
            windows.setdefault(k, []).append(item)
    rows = [(stmt.level, acc_name, db, table, "[" + "".join(items) + "]")
            for (db, table), items in sorted(windows.items())]
    return Result(columns=list(COLUMNS), rows=rows)
