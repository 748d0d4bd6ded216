"""RESTORE ... {SNAPSHOT = s} (and v3's ``FROM SNAPSHOT s``), in MatrixOne's order.

Why a module of its own: the order of checks and which account data goes where are
MatrixOne's (``doRestoreSnapshot`` -> ``checkRestorePriv`` -> ``getFromAccountIdAndToAccountId``
in ``pkg/frontend/snapshot.go``), and they decide which error a client sees first:

1. the snapshot is looked up in the caller's own ``mo_snapshots``;
2. a statement without an account name takes the snapshot's account (``stmt.AccountName``);
3. ``checkRestorePriv`` by restore level, then ``accountName(..) does not match`` last;
4. the source and target accounts: sys restoring sys is always sys -> sys; sys restoring a tenant
   from that tenant's account snapshot re-creates the tenant if it was dropped (from its
   ``mo_account`` row as of the snapshot; users, roles and grants roll back with the restore);
   a cluster snapshot restores one account the same way (``restoreToAccountUsingCluster``);
5. database and table restores always stay inside the caller's own account.

Since MatrixOne #27134 (after v4.2.0) a database-level snapshot no longer restores a table of
another database (before, it silently did: #27116); the gate is the emulated version.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from matrixone_lite.errors import MOError, internal_error
from matrixone_lite.mo.context import SYS, StmtContext
from matrixone_lite.mo.restore import SYSTEM_DATABASES, _recreate_and_restore
from matrixone_lite.mo.snapshot_scope import scope_enforced
from matrixone_lite.results import Result

if TYPE_CHECKING:
    from matrixone_lite.mo import ast
    from matrixone_lite.mo.catalog import SnapshotRecord
    from matrixone_lite.mo.executor import MOExecutor


def check_restore_priv(snap: SnapshotRecord, stmt: ast.RestoreSnapshot, account: str, ctx: StmtContext) -> None:
    """``checkRestorePriv`` (snapshot.go), message for message; ``account`` is stmt.AccountName."""
    level = stmt.level
    if level == "cluster":
        if not ctx.is_sys:
            raise internal_error("non-sys account can't restore cluster level snapshot")
        if snap.level != "cluster":
            raise internal_error(f"snapshot {snap.sname} is not cluster level snapshot")
    elif level == "account":
        if account == SYS and not ctx.is_sys:
            raise internal_error("non-sys account can't restore sys account")
        if stmt.to_account:
            if not ctx.is_sys:
                raise internal_error("non-sys account can't restore snapshot to another account")
            if stmt.to_account == SYS and snap.account_name != SYS:
                raise internal_error("non-sys account's snapshot can't restore to sys account")
        if snap.level in ("database", "table"):
            raise internal_error("can't restore account from db or table level snapshot")
    elif level == "database":
        if stmt.database and stmt.database in SYSTEM_DATABASES:
            raise internal_error(f"can't restore db: {stmt.database}")
        if snap.level == "cluster":
            raise internal_error("can't restore db from cluster level snapshot")
        if snap.level == "table":
            raise internal_error("can't restore db from table level snapshot")
        if account != ctx.account:
            raise internal_error("can't restore database from other account's snapshot")
        if snap.level == "database" and snap.database_name != stmt.database:
            raise internal_error(
                f"databaseName({stmt.database}) does not match snapshot.databaseName({snap.database_name})")
    else:
        if stmt.database and stmt.database in SYSTEM_DATABASES:
            raise internal_error(f"can't restore db: {stmt.database}")
        if snap.level == "cluster":
            raise internal_error("can't restore db from cluster level snapshot")
        if account != ctx.account:
            raise internal_error("can't restore table from other account's snapshot")
        if snap.level == "table" and (snap.database_name != stmt.database or snap.table_name != stmt.table):
            raise internal_error(f"tableName({stmt.table}) does not match snapshot.tableName({snap.table_name})")
    if snap.level != "cluster" and snap.account_name != account:
        raise internal_error(f"accountName({account}) does not match snapshot.accountName({snap.account_name})")


def restore_from_snapshot(ex: MOExecutor, stmt: ast.RestoreSnapshot, ctx: StmtContext) -> Result:
    st = ex.storage
    ctx.require_admin()
    snap = ex.catalog.snapshot(ctx.account_id, stmt.snapshot)
    if snap is None:
        raise internal_error(f"find 0 snapshot records by name({stmt.snapshot}), expect only 1")
    ts = snap.ts
    account = stmt.account or ""
    if not account and stmt.level != "cluster":
        account = snap.account_name
    check_restore_priv(snap, stmt, account, ctx)
    if stmt.level == "cluster":
        with st.transaction() as tx:
            st.restore_cluster(tx, at=ts)
        return Result()
    if stmt.level == "account":
        return _restore_account(ex, snap, stmt, account, ctx)
    if (stmt.level == "table" and snap.level == "database" and snap.database_name != stmt.database
            and scope_enforced(ex.engine.version_tuple)):
        # #27134: the restore's clone reads through the snapshot, which no longer serves other databases
        raise internal_error(f"database-level snapshot({snap.sname}) does not belong to the database({stmt.database})")
    # database and table restores stay in the caller's account (getFromAccountIdAndToAccountId)
    database = stmt.database or ""
    with st.transaction() as tx:
        if stmt.level == "database":
            st.restore_database(tx, src_account_id=ctx.account_id, database=database, at=ts,
                                dst_account_id=ctx.account_id)
        else:
            try:
                st.restore_table(tx, src_account_id=ctx.account_id, database=database, table=stmt.table or "",
                                 at=ts, dst_account_id=ctx.account_id,
                                 refuse_fk_parent=ex.engine.version_tuple > (4, 2, 0))  # PR #28126
            except MOError as e:
                if "does not exists at timestamp" in e.message:
                    raise internal_error(f"table {stmt.table} not exists at snapshot {snap.sname}") from None
                raise
    return Result()


def _account_id(ex: MOExecutor, name: str) -> int:
    """``getAccountId``: the current account of that name, or MatrixOne's error."""
    acc = ex.storage.account(name)
    if acc is None:
        raise internal_error(f"no such account, account name: {name}")
    return acc.id


def _restore_account(ex: MOExecutor, snap: SnapshotRecord, stmt: ast.RestoreSnapshot, account: str,
                     ctx: StmtContext) -> Result:
    st = ex.storage
    ts = snap.ts
    to = stmt.to_account or ""
    if not ctx.is_sys:
        own = _account_id(ex, account)
        with st.transaction() as tx:
            st.restore_account(tx, src_account_id=own, at=ts, dst_account_id=own)
        return Result()
    if account == SYS:
        # sys's own snapshot always restores sys onto itself (a TO ACCOUNT is not consulted)
        with st.transaction() as tx:
            st.restore_account(tx, src_account_id=0, at=ts, dst_account_id=0)
        return Result()
    dst_id: int | None = _account_id(ex, to) if to else None
    if snap.level == "cluster":
        # restoreToAccountUsingCluster: the account as it was at the snapshot, recreated if dropped
        then = st.account(account, at=ts)
        if then is None:
            raise internal_error(f"no such account, snapshot name: {snap.sname}, ts: {ts}")
        src_id = then.id
    else:
        src_id = snap.obj_id
    with st.transaction() as tx:
        if dst_id is None:
            now = st.account(account)
            if now is None:
                if st.account(account, at=ts) is None:
                    raise internal_error(f"no such account, account name: {account}")
                _recreate_and_restore(ex, tx, src_id, account, ts)
                return Result()
            dst_id = now.id
        st.restore_account(tx, src_account_id=src_id, at=ts, dst_account_id=dst_id)
    return Result()
