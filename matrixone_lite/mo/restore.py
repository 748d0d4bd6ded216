"""RESTORE … FROM PITR and RESTORE from a snapshot.

Check order of ``RESTORE FROM PITR`` (matrixone-pitr.md §4.4): parse the timestamp (Go error,
code 1105), find the PITR of this creator, reject system databases, check level/permission
(``checkPitrValidOrNot``), check the window (§4.5), then restore inside one storage transaction.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from matrixone_lite.errors import MOError, internal_error
from matrixone_lite.mo import ast
from matrixone_lite.mo.context import SYS, StmtContext
from matrixone_lite.mo.timeparse import GoTimeParseError, format_ns, parse_go_timestamp, range_start_ns
from matrixone_lite.results import Result

if TYPE_CHECKING:
    from matrixone_lite.mo.catalog import PitrRecord
    from matrixone_lite.mo.executor import MOExecutor
    from matrixone_lite.storage.storage import Tx

SYSTEM_DATABASES = frozenset(
    ("information_schema", "mo_catalog", "mysql", "system", "system_metrics", "mo_task", "mo_debug")
)


def _check_level(rec: PitrRecord, stmt: ast.RestorePitr, ctx: StmtContext) -> None:
    """``checkPitrValidOrNot`` (pitr.go:2142-2243), message for message."""
    lvl = rec.level
    if stmt.level == "cluster":
        if lvl != "cluster":
            raise internal_error(f"restore level {lvl} is not allowed for cluster restore")
        if not ctx.is_sys:
            raise internal_error(f"account {ctx.account} is not allowed to restore cluster level pitr {rec.pitr_name}")
    elif stmt.level == "account":
        if stmt.account is None:
            if lvl in ("database", "table", "cluster"):
                raise internal_error(f"restore level {lvl} is not allowed for account restore")
            if rec.account_id != ctx.account_id:
                raise internal_error(f"pitr {rec.pitr_name} is not allowed to restore account {ctx.account}")
        else:
            if not ctx.is_sys:
                raise internal_error(f"account {ctx.account} is not allowed to restore other account {stmt.account}")
            if lvl in ("database", "table"):
                raise internal_error(f"can not restore account {stmt.account} by pitr {rec.pitr_name}")
            if stmt.src_account is None:
                if stmt.account == SYS:
                    raise internal_error(
                        f"can not restore sys account to new account {stmt.account} by pitr {rec.pitr_name}")
                if lvl == "cluster":
                    raise internal_error(
                        f"can not restore account {stmt.account} by pitr {rec.pitr_name}, source account is empty")
                if rec.account_name == SYS:
                    raise internal_error(
                        f"can not restore sys account to new account {stmt.account} by pitr {rec.pitr_name}")
            else:
                if lvl != "cluster":
                    raise internal_error(f"can not restore account {stmt.src_account} by pitr {rec.pitr_name}, "
                                         "the pitr level is not cluster")
                if stmt.src_account == SYS and stmt.account != SYS:
                    raise internal_error(
                        f"can not restore sys account to new account {stmt.account} by pitr {rec.pitr_name}")
                if stmt.src_account != SYS and stmt.account == SYS:
                    raise internal_error(
                        f"can not restore account {stmt.src_account} to sys account by pitr {rec.pitr_name}")
    elif stmt.level == "database":
        db = stmt.database
        if lvl == "cluster":
            raise internal_error(f"cluster level pitr `{lvl}` is not allowed for database restore")
        if lvl == "table":
            raise internal_error(f"restore level {lvl} is not allowed for database restore")
        if lvl == "account" and rec.account_id != ctx.account_id:
            raise internal_error(f"pitr {rec.pitr_name} is not allowed to restore account {ctx.account} database {db}")
        if lvl == "database" and (rec.account_id != ctx.account_id or rec.database_name != db):
            raise internal_error(f"pitr {rec.pitr_name} is not allowed to restore database {db}")
    else:
        db, tbl = stmt.database, stmt.table
        if lvl == "cluster":
            raise internal_error(f"cluster level pitr `{lvl}` is not allowed for table restore")
        if lvl == "account" and rec.account_id != ctx.account_id:
            raise internal_error(
                f"pitr {rec.pitr_name} is not allowed to restore account {ctx.account} database {db} table {tbl}")
        if lvl == "database" and (rec.account_id != ctx.account_id or rec.database_name != db):
            raise internal_error(f"pitr {rec.pitr_name} is not allowed to restore database {db} table {tbl}")
        if lvl == "table" and (rec.account_id != ctx.account_id or rec.database_name != db
                               or rec.table_name != tbl):
            raise internal_error(f"pitr {rec.pitr_name} is not allowed to restore table {db}.{tbl}")


def _check_window(ts: int, rec: PitrRecord, now: int, ctx: StmtContext) -> None:
    """``checkPitrInValidDurtion`` (pitr.go:2084-2115); times shown in the server zone."""
    zone = ctx.server_zone
    if ts <= rec.create_time:
        raise internal_error(f"input timestamp {format_ns(ts, zone)} is less than the pitr valid time "
                             f"{format_ns(rec.create_time, zone)}")
    start = range_start_ns(now, rec.pitr_length, rec.pitr_unit)
    if ts < start:
        raise internal_error(f"input timestamp {format_ns(ts, zone)} is less than the pitr range minest "
                             f"timestamp {format_ns(start, zone)}")
    if ts > now:
        raise internal_error(f"input timestamp {format_ns(ts, zone)} is bigger than now timestamp "
                             f"{format_ns(now, zone)}")


def restore_from_pitr(ex: MOExecutor, stmt: ast.RestorePitr, ctx: StmtContext) -> Result:
    st = ex.storage
    ctx.require_admin()  # ACCOUNT ALL, checked by the privilege layer before the handler runs
    try:
        ts = parse_go_timestamp(stmt.timestamp, ctx.server_zone)
    except GoTimeParseError as e:
        raise MOError(1105, str(e)) from None
    rec = ex.catalog.pitr(stmt.pitr, ctx.account_id)
    if rec is None:
        raise internal_error(f"pitr {stmt.pitr} does not exist")
    if stmt.database is not None and stmt.database in SYSTEM_DATABASES:
        raise internal_error(f"database {stmt.database} can not be restore")
    if stmt.level in ("database", "table") and stmt.account is not None and stmt.account != ctx.account:
        # v4.1+ `RESTORE ACCOUNT a DATABASE …`: a must be the current account
        if stmt.level == "database":
            raise internal_error(f"account {ctx.account} is not allowed to restore database {stmt.database}")
        raise internal_error(f"account {ctx.account} is not allowed to restore table {stmt.database}.{stmt.table}")
    _check_level(rec, stmt, ctx)
    _check_window(ts, rec, st.now_ns(), ctx)
    when = format_ns(ts, ctx.server_zone)  # nanoTimeFormat(ts) in MatrixOne's messages
    if stmt.account is None:
        if st.account(ctx.account, at=ts) is None:
            raise internal_error(f"account `{ctx.account}` does not exists at timestamp: {when}")
        if stmt.level in ("database", "table"):
            db_then = st.database(ctx.account_id, stmt.database or "", at=ts)
            if db_then is None and stmt.level == "database":
                raise internal_error(f"database '{stmt.database}' does not exists at timestamp: {when}")
            if stmt.level == "table" and (db_then is None or st.table(db_then.id, stmt.table or "", at=ts) is None):
                raise internal_error(
                    f"database '{stmt.database}' table '{stmt.table}' does not exists at timestamp: {when}")

    with st.transaction() as tx:
        if stmt.level == "cluster":
            st.restore_cluster(tx, at=ts)
        elif stmt.level == "database":
            st.restore_database(tx, src_account_id=ctx.account_id, database=stmt.database or "", at=ts,
                                dst_account_id=ctx.account_id)
        elif stmt.level == "table":
            st.restore_table(tx, src_account_id=ctx.account_id, database=stmt.database or "",
                             table=stmt.table or "", at=ts, dst_account_id=ctx.account_id,
                             refuse_fk_parent=ex.engine.version_tuple > (4, 2, 0))  # PR #28126
        elif stmt.account is None:
            st.restore_account(tx, src_account_id=ctx.account_id, at=ts, dst_account_id=ctx.account_id)
        else:
            target = stmt.account
            src_name = stmt.src_account if stmt.src_account is not None else rec.account_name
            src = st.account(src_name, at=ts)
            if src is None:
                # getAccountRecordByTs (snapshot.go): "snapshot name" carries the PITR name, ts in ns
                raise internal_error(f"no such account, snapshot name: {stmt.pitr}, ts: {ts}")
            dst = st.account(target)
            if dst is None:
                if target != src_name:
                    raise internal_error(f"no such account, account name: {target}")
                # the account itself was dropped: a cluster-wide restore path recreates it
                _recreate_and_restore(ex, tx, src.id, target, ts)
            else:
                st.restore_account(tx, src_account_id=src.id, at=ts, dst_account_id=dst.id)
    return Result()


def _recreate_and_restore(ex: MOExecutor, tx: Tx, src_id: int, name: str, ts: int) -> None:
    """Restore a dropped account in place: MatrixOne recreates it from ``mo_account`` as of ts.

    Uses the same storage steps as a cluster restore of one account (users roll back too).
    """
    from matrixone_lite.storage import catalog as cat
    from matrixone_lite.storage.restore import restore_account

    st = ex.storage
    tx.catalog_dirty = True
    new_id = None if cat.get_account_by_id(tx.conn, src_id) else src_id
    row = st._insert_account(tx, name, new_id)
    restore_account(st, tx, src_id, ts, row.id, users=True)
