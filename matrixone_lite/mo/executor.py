"""Run MatrixOne-only statements: account DDL, PITR, snapshots, RESTORE.

Semantics, check orders and messages follow matrixone-pitr.md §4 (pitr.go / snapshot.go). Every
write goes through one ``Storage.transaction()`` so a restore is atomic with its catalog changes.
"""

from __future__ import annotations

import re
import threading
from datetime import datetime, tzinfo
from typing import TYPE_CHECKING, Any

from matrixone_lite.errors import MOError, internal_error, syntax_error
from matrixone_lite.mo import ast
from matrixone_lite.mo.catalog import CLUSTER_OBJ_ID, Catalog, PitrRecord
from matrixone_lite.mo.context import SYS, SYS_ID, StmtContext
from matrixone_lite.mo.mo_catalog import catalog_view, is_cluster_table
from matrixone_lite.mo.parser import MOSyntaxError, parse
from matrixone_lite.mo.restore import restore_from_pitr
from matrixone_lite.mo.snapshot_restore import restore_from_snapshot
from matrixone_lite.mo.snapshot_scope import check_read_scope, scope_enforced
from matrixone_lite.mo.timeparse import range_start_ns
from matrixone_lite.mo.where import matches
from matrixone_lite.results import Column, Result
from matrixone_lite.storage.roles import drop_user_grants, grant_role, role_rows

if TYPE_CHECKING:
    from matrixone_lite.engine import Engine
    from matrixone_lite.storage.storage import Tx

SYSTEM_DATABASES = frozenset(
    ("information_schema", "mo_catalog", "mysql", "system", "system_metrics", "mo_task", "mo_debug")
)
RESERVED_PITR = "sys_mo_catalog_pitr"
UNITS = ("h", "d", "mo", "y")
_BAD_NAME = re.compile(r"[ \t`\"']")

PITR_COLUMNS = ["PITR_NAME", "CREATED_TIME", "MODIFIED_TIME", "PITR_LEVEL", "ACCOUNT_NAME", "DATABASE_NAME",
                "TABLE_NAME", "PITR_LENGTH", "PITR_UNIT"]
PITR_TYPES = ["VARCHAR", "DATETIME", "DATETIME", "VARCHAR", "VARCHAR", "VARCHAR", "VARCHAR", "TINYINT", "VARCHAR"]
SNAPSHOT_COLUMNS = ["SNAPSHOT_NAME", "TIMESTAMP", "SNAPSHOT_LEVEL", "ACCOUNT_NAME", "DATABASE_NAME", "TABLE_NAME"]
ACCOUNT_COLUMNS = [("account_name", "VARCHAR"), ("admin_name", "VARCHAR"), ("created_time", "DATETIME"),
                   ("status", "VARCHAR"), ("suspended_time", "DATETIME"), ("db_count", "BIGINT"),
                   ("tbl_count", "BIGINT"), ("size", "DOUBLE"), ("comments", "VARCHAR")]


def check_name(*names: str | None) -> None:
    """MatrixOne's ``inputNameIsInvalid``: no spaces, tabs, quotes or back-quotes."""
    for n in names:
        if n is not None and _BAD_NAME.search(n):
            raise internal_error("invalid input")


def _in_txn_error() -> MOError:
    return internal_error("unclassified statement appears in uncommitted transaction")


def _ns_to_local(ts_ns: int, zone: tzinfo) -> datetime:
    """FROM_UNIXTIME(FLOOR(ts/1e9)) in the session zone, as a naive datetime."""
    return datetime.fromtimestamp(ts_ns // 1_000_000_000, tz=zone).replace(tzinfo=None)


def format_snapshot_ts(ts_ns: int) -> str:
    """CAST_NANO_TO_TIMESTAMP: UTC, ``2006-01-02 15:04:05.999999999`` (trailing zeros trimmed)."""
    from datetime import UTC

    secs, frac = divmod(ts_ns, 1_000_000_000)
    base = datetime.fromtimestamp(secs, tz=UTC).strftime("%Y-%m-%d %H:%M:%S")
    if frac:
        base += "." + f"{frac:09d}".rstrip("0")
    return base


class MOExecutor:
    """Parses and executes MatrixOne statements against the engine's storage."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.storage = engine.storage
        self.catalog = Catalog(self.storage)
        self._lock = threading.RLock()  # serialises check-then-write sequences
        self.storage.add_drop_listener(self._on_drop)
        self.storage.set_gc_horizon_provider(self.gc_horizon)
        engine.snapshot_resolver = self.resolve_snapshot
        engine.system_table_resolver = self.system_table

    # ---- hooks registered with the engine/storage ----
    def _on_drop(self, tx: Tx, kind: str, account_id: int, database: str | None, table: str | None) -> None:
        now = self.storage.now_ns()
        if kind == "account":
            self.catalog.deactivate(tx, now, level="account", account_id=account_id)
            self.catalog.delete_created_by(tx, account_id)
        elif kind == "database":
            self.catalog.deactivate(tx, now, level="database", account_id=account_id, database=database or "")
        elif kind == "table":
            self.catalog.deactivate(tx, now, level="table", account_id=account_id, database=database or "",
                                    table=table or "")

    def gc_horizon(self) -> int | None:
        """Oldest instant a PITR or snapshot may still restore to."""
        now = self.storage.now_ns()
        marks = [max(p.create_time, range_start_ns(now, p.pitr_length, p.pitr_unit))
                 for p in self.catalog.pitrs() if p.pitr_unit in UNITS]
        marks += [s.ts for s in self.catalog.snapshots()]
        return min(marks) if marks else None

    def resolve_snapshot(self, account_id: int, name: str, database: str | None = None,
                         table: str | None = None) -> int | None:
        """``{SNAPSHOT = name}`` read of ``database.table`` -> its ts; None for an unknown name.

        After v4.2.0 a database- or table-level snapshot serves only its own object (#27134).
        """
        snap = self.catalog.snapshot(account_id, name.lower())
        if snap is None:
            return None
        if scope_enforced(self.engine.version_tuple):
            check_read_scope(self.storage, snap, account_id, database, table)
        return snap.ts

    def system_table(self, account_id: int, name: str, at: int | None = None) -> str | None:
        """``mo_catalog.<name>`` as a SELECT for this account (see mo_catalog.py); None: unknown."""
        return catalog_view(account_id, name, at)

    # ---- entry point ----
    def execute(self, sql: str, ctx: StmtContext) -> Result:
        try:
            stmt = parse(sql, self.engine.version_tuple)
        except MOSyntaxError as e:
            raise syntax_error(e.near, e.column) from None
        if ctx.in_transaction:
            if isinstance(stmt, (ast.CreateAccount, ast.DropAccount, ast.CreateUser, ast.DropUser)):
                raise internal_error("administrative command is unsupported in transactions")
            if not isinstance(stmt, ast.ShowAccounts):
                raise _in_txn_error()
        with self._lock:
            return self._dispatch(stmt, ctx)

    def _dispatch(self, stmt: ast.Statement, ctx: StmtContext) -> Result:
        if isinstance(stmt, ast.CreateAccount):
            return self.create_account(stmt, ctx)
        if isinstance(stmt, ast.DropAccount):
            return self.drop_account(stmt, ctx)
        if isinstance(stmt, ast.ShowAccounts):
            return self.show_accounts(stmt, ctx)
        if isinstance(stmt, ast.CreateUser):
            return self.create_user(stmt, ctx)
        if isinstance(stmt, ast.DropUser):
            return self.drop_user(stmt, ctx)
        if isinstance(stmt, ast.CreatePitr):
            return self.create_pitr(stmt, ctx)
        if isinstance(stmt, ast.AlterPitr):
            return self.alter_pitr(stmt, ctx)
        if isinstance(stmt, ast.DropPitr):
            return self.drop_pitr(stmt, ctx)
        if isinstance(stmt, ast.ShowPitr):
            return self.show_pitr(stmt, ctx)
        if isinstance(stmt, ast.CreateSnapshot):
            return self.create_snapshot(stmt, ctx)
        if isinstance(stmt, ast.DropSnapshot):
            return self.drop_snapshot(stmt, ctx)
        if isinstance(stmt, ast.ShowSnapshots):
            return self.show_snapshots(stmt, ctx)
        if isinstance(stmt, ast.RestorePitr):
            return restore_from_pitr(self, stmt, ctx)
        if isinstance(stmt, ast.RestoreSnapshot):
            return restore_from_snapshot(self, stmt, ctx)
        if isinstance(stmt, ast.ShowRecoveryWindow):
            from matrixone_lite.mo.recovery_window import show_recovery_window

            return show_recovery_window(self, stmt, ctx)
        raise internal_error(f"statement {type(stmt).__name__} is not supported by matrixone_lite")

    # ---- accounts ----
    def _require_sys_admin(self, ctx: StmtContext) -> None:
        if not ctx.is_sys or ctx.role != "moadmin":
            raise internal_error("do not have privilege to execute the statement")

    def create_account(self, stmt: ast.CreateAccount, ctx: StmtContext) -> Result:
        self._require_sys_admin(ctx)
        check_name(stmt.name)
        if stmt.if_not_exists and self.storage.account(stmt.name) is not None:
            return Result()
        with self.storage.transaction() as tx:
            self.storage.create_account(tx, stmt.name, stmt.admin_name, stmt.password)
        return Result()

    def drop_account(self, stmt: ast.DropAccount, ctx: StmtContext) -> Result:
        self._require_sys_admin(ctx)
        if stmt.if_exists and self.storage.account(stmt.name) is None:
            return Result()
        with self.storage.transaction() as tx:
            self.storage.drop_account(tx, stmt.name)
        return Result()

    def show_accounts(self, stmt: ast.ShowAccounts, ctx: StmtContext) -> Result:
        self._require_sys_admin(ctx)
        rows: list[tuple[Any, ...]] = []
        pattern = None
        if stmt.like is not None:
            from matrixone_lite.mo.where import _like

            pattern = _like(stmt.like)
        for acc in self.storage.accounts():
            if pattern is not None and not pattern.fullmatch(acc.name):
                continue
            dbs = self.storage.databases(acc.id)
            tables = sum(len(self.storage.tables(d.id)) for d in dbs)
            users = self.storage.users(acc.id) if hasattr(self.storage, "users") else []
            admin = next((u.name for u in users if u.default_role in ("accountadmin", "moadmin")), "")
            rows.append((acc.name, admin, _ns_to_local(acc.created_ts, ctx.session_zone), "open", None,
                         len(dbs), tables, 0.0, acc.comment or ""))
        return Result(columns=[Column(n, t) for n, t in ACCOUNT_COLUMNS], rows=rows)

    # ---- users (minimal: one user per statement, roles = public + the account's admin role) ----
    def create_user(self, stmt: ast.CreateUser, ctx: StmtContext) -> Result:
        """``doCreateUser`` order: role exists, user exists / name taken by a role, empty password."""
        ctx.require_admin()  # the privilege layer: only the account admin creates users here
        check_name(stmt.name)
        admin_role = "moadmin" if ctx.is_sys else "accountadmin"
        with self.storage._reader() as c:  # custom roles (storage/roles.py)
            roles = ("public", admin_role, *(n for _, n in role_rows(c, ctx.account_id)))
        role = stmt.default_role or "public"
        if role not in roles:
            raise internal_error(f"there is no role {role}")
        if self.storage.user(ctx.account_id, stmt.name) is not None:
            if stmt.if_not_exists:
                return Result()
            raise internal_error(f"the user {stmt.name} exists")
        if stmt.name in roles:
            if stmt.if_not_exists:
                return Result()
            raise internal_error("there is a role with the same name as the user")
        if not stmt.password:
            raise internal_error("password is empty string")
        with self.storage.transaction() as tx:
            self.storage.add_user(tx, ctx.account_id, stmt.name, stmt.password, role)
            if role not in ("public", admin_role):
                grant_role(tx, ctx.account_id, role, stmt.name)  # MatrixOne grants the default role
        return Result()

    def drop_user(self, stmt: ast.DropUser, ctx: StmtContext) -> Result:
        """``doDropUser``: unknown user (unless IF EXISTS), then admins cannot be dropped."""
        ctx.require_admin()
        user = self.storage.user(ctx.account_id, stmt.name)
        if user is None:
            if stmt.if_exists:
                return Result()
            raise internal_error(f"there is no user {stmt.name}")
        if user.default_role == ("moadmin" if ctx.is_sys else "accountadmin"):
            raise internal_error(f"can not delete the user {stmt.name}")
        with self.storage.transaction() as tx:
            self.storage.drop_user(tx, ctx.account_id, stmt.name)
            drop_user_grants(tx, ctx.account_id, stmt.name)
        return Result()

    # ---- PITR ----
    def create_pitr(self, stmt: ast.CreatePitr, ctx: StmtContext) -> Result:
        ctx.require_admin()
        if stmt.level == "cluster" and not ctx.is_sys:
            raise internal_error("only sys tenant can create cluster level pitr")
        if stmt.account is not None and not ctx.is_sys:
            raise internal_error("only sys tenant can create tenant level pitr for other tenant")
        if not 1 <= stmt.value <= 100:
            raise internal_error(f"invalid pitr value {stmt.value}")
        unit = stmt.unit.lower()
        if unit not in UNITS:
            raise internal_error(f"invalid pitr unit {unit}")
        if stmt.name == RESERVED_PITR:
            raise internal_error("pitr name is reserved")
        check_name(stmt.name, stmt.account, stmt.database, stmt.table)
        if self.catalog.pitr(stmt.name, ctx.account_id) is not None:
            if stmt.if_not_exists:
                return Result()
            raise internal_error(f"pitr {stmt.name} already exists")
        st = self.storage
        level = stmt.level
        account_id, account_name, database, table, obj_id = ctx.account_id, ctx.account, "", "", 0
        if level == "cluster":
            account_id, account_name, obj_id = 0, "", CLUSTER_OBJ_ID
            if self.catalog.active_pitr_exists(None, ctx.account_id, "cluster"):
                raise internal_error("cluster level pitr already exists")
        elif level == "account":
            if stmt.account is not None:
                acc = st.account(stmt.account)
                if acc is None:
                    raise internal_error(f"account {stmt.account} does not exist")
                account_id, account_name = acc.id, acc.name
            obj_id = account_id
            if self.catalog.active_pitr_exists(None, ctx.account_id, "account", account_name):
                raise internal_error(f"account `{account_name}` already has a pitr")
        else:
            database = stmt.database or ""
            if database in SYSTEM_DATABASES:
                if level == "database":
                    raise internal_error(f"can not create pitr for current database {database}")
                raise internal_error(f"can not create pitr for current table {database}.{stmt.table}")
            db = st.database(ctx.account_id, database)
            if level == "database":
                if db is None:
                    raise internal_error(f"database {database} does not exist")
                obj_id = db.id
                if self.catalog.active_pitr_exists(None, ctx.account_id, "database", account_name, database):
                    raise internal_error(f"database `{database}` already has a pitr")
            else:
                table = stmt.table or ""
                tbl = st.table(db.id, table) if db is not None else None
                if tbl is None:
                    raise internal_error(f"table {database}.{table} does not exist")
                obj_id = tbl.id
                if self.catalog.active_pitr_exists(None, ctx.account_id, "table", account_name, database, table):
                    raise internal_error(f"database `{database}` table `{table}` already has a pitr")
        with st.transaction() as tx:
            self.catalog.insert_pitr(tx, name=stmt.name, creator=ctx.account_id, now=st.now_ns(), level=level,
                                     account_id=account_id, account_name=account_name, database=database,
                                     table=table, obj_id=obj_id, length=stmt.value, unit=unit)
        return Result()

    def alter_pitr(self, stmt: ast.AlterPitr, ctx: StmtContext) -> Result:
        """Order of ``doAlterPitr``: role, value, unit, then existence."""
        ctx.require_admin()
        # MatrixOne checks `< 0 || > 100` here, so ALTER accepts 0 (pitr.go:865-868)
        if stmt.value < 0 or stmt.value > 100:
            raise internal_error(f"invalid pitr value {stmt.value}")
        unit = stmt.unit.lower()
        if unit not in UNITS:
            raise internal_error(f"invalid pitr unit {unit}")
        check_name(stmt.name)
        if self.catalog.pitr(stmt.name, ctx.account_id) is None:
            if stmt.if_exists:
                return Result()
            raise internal_error(f"pitr {stmt.name} does not exist")
        with self.storage.transaction() as tx:
            self.catalog.alter_pitr(tx, stmt.name, ctx.account_id, stmt.value, unit, self.storage.now_ns())
        self.storage.request_gc()  # history it protected may be collectable now
        return Result()

    def drop_pitr(self, stmt: ast.DropPitr, ctx: StmtContext) -> Result:
        ctx.require_admin()
        check_name(stmt.name)
        if self.catalog.pitr(stmt.name, ctx.account_id) is None:
            if stmt.if_exists:
                return Result()
            raise internal_error(f"pitr {stmt.name} does not exist")
        with self.storage.transaction() as tx:
            self.catalog.drop_pitr(tx, stmt.name, ctx.account_id)
        self.storage.request_gc()  # history it protected may be collectable now
        return Result()

    def pitr_row(self, rec: PitrRecord, zone: tzinfo) -> tuple[Any, ...]:
        return (rec.pitr_name, _ns_to_local(rec.create_time, zone), _ns_to_local(rec.modified_time, zone),
                rec.level, rec.account_name or "*", rec.database_name or "*", rec.table_name or "*",
                rec.pitr_length, rec.pitr_unit)

    def show_pitr(self, stmt: ast.ShowPitr, ctx: StmtContext) -> Result:
        ctx.require_admin()  # the privilege layer wants ACCOUNT ALL (authenticate.go:6655-6676)
        rows = [self.pitr_row(r, ctx.session_zone) for r in self.catalog.pitrs(ctx.account_id)
                if r.pitr_name != RESERVED_PITR]
        names = PITR_COLUMNS
        if stmt.where is not None:
            names = [n.lower() for n in PITR_COLUMNS]
            where = stmt.where
            rows = [r for r in rows if matches(where, dict(zip(names, _where_values(r), strict=True)))]
        return Result(columns=[Column(n, t) for n, t in zip(names, PITR_TYPES, strict=True)], rows=rows)

    # ---- snapshots ----
    def create_snapshot(self, stmt: ast.CreateSnapshot, ctx: StmtContext) -> Result:
        ctx.require_admin()
        if stmt.level == "cluster" and not ctx.is_sys:
            raise internal_error("only sys tenant can create cluster level snapshot")
        if stmt.account is not None and not ctx.is_sys and stmt.account != ctx.account:
            raise internal_error("only sys tenant can create tenant level snapshot for other tenant")
        check_name(stmt.name, stmt.account, stmt.database, stmt.table)
        if self.catalog.snapshot(ctx.account_id, stmt.name) is not None:
            if stmt.if_not_exists:
                return Result()
            raise internal_error(f"snapshot {stmt.name} already exists")
        st = self.storage
        account_name, database, table, obj_id = ctx.account, "", "", ctx.account_id
        if stmt.level == "cluster":
            account_name, obj_id = "", CLUSTER_OBJ_ID
        elif stmt.level == "account":
            if stmt.account is not None:
                acc = st.account(stmt.account)
                if acc is None:
                    raise internal_error(f"account {stmt.account} does not exist")
                account_name, obj_id = acc.name, acc.id
        else:
            database = stmt.database or ""
            if database in SYSTEM_DATABASES:
                if stmt.level == "database":
                    raise internal_error(f"can not create snapshot for system database {database}")
                # snapshot.go: a table of a system database; the "pitr" wording is MatrixOne's
                if is_cluster_table(database, stmt.table or ""):
                    raise internal_error(f"can not create snapshot for cluster table {database}.{stmt.table}")
                raise internal_error(f"can not create pitr for system table {database}.{stmt.table}")
            db = st.database(ctx.account_id, database)
            if db is None:
                raise internal_error(f"database {database} does not exist")
            obj_id = db.id
            if stmt.level == "table":
                table = stmt.table or ""
                tbl = st.table(db.id, table)
                if tbl is None:
                    raise internal_error(f"table {database}.{table} does not exist")
                obj_id = tbl.id
        with st.transaction() as tx:
            self.catalog.insert_snapshot(tx, owner=ctx.account_id, name=stmt.name, ts=st.now_ns(),
                                         level=stmt.level, account_name=account_name, database=database,
                                         table=table, obj_id=obj_id)
        return Result()

    def drop_snapshot(self, stmt: ast.DropSnapshot, ctx: StmtContext) -> Result:
        ctx.require_admin()
        check_name(stmt.name)
        if self.catalog.snapshot(ctx.account_id, stmt.name) is None:
            if stmt.if_exists:
                return Result()
            raise internal_error(f"snapshot {stmt.name} does not exist")
        with self.storage.transaction() as tx:
            self.catalog.drop_snapshot(tx, ctx.account_id, stmt.name)
        self.storage.request_gc()  # history it protected may be collectable now
        return Result()

    def show_snapshots(self, stmt: ast.ShowSnapshots, ctx: StmtContext) -> Result:
        ctx.require_admin()
        rows = [(s.sname, format_snapshot_ts(s.ts), s.level, s.account_name, s.database_name, s.table_name)
                for s in self.catalog.snapshots(ctx.account_id)]
        names = SNAPSHOT_COLUMNS
        if stmt.where is not None:
            names = [n.lower() for n in SNAPSHOT_COLUMNS]
            where = stmt.where
            rows = [r for r in rows if matches(where, dict(zip(names, r, strict=True)))]
        return Result(columns=[Column(n, "VARCHAR") for n in names], rows=rows)

    # ---- helpers for restore ----
    def account_id_of(self, name: str) -> int | None:
        acc = self.storage.account(name)
        return None if acc is None else acc.id


def _where_values(row: tuple[Any, ...]) -> tuple[Any, ...]:
    """Row values as the WHERE sees them (datetimes compare as their text)."""
    return tuple(v.strftime("%Y-%m-%d %H:%M:%S") if isinstance(v, datetime) else v for v in row)


__all__ = ["MOExecutor", "SYS", "SYS_ID", "check_name", "format_snapshot_ts"]
