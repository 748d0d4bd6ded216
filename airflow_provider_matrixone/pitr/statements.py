"""SQL builders for every PITR / snapshot / time-travel form of MatrixOne (reference §2).

Each builder validates and quotes every identifier and literal, and enforces the permission and
level rules of §4.1/§4.4 where it has the facts, *before* any SQL string exists. The grammar form is
chosen from :class:`ServerVersion` because the snapshot-restore and PITR-prefix forms differ by line.
"""

from __future__ import annotations

from typing import Any

from .errors import InvalidInput, LevelMismatch, PermissionDenied, UnsupportedByServerVersion
from .identifiers import describe_value, quote_contained, quote_ident, quote_string, validate_name
from .models import Level, PitrRange, Scope
from .timestamps import validate_ts_literal
from .versions import ServerVersion

__all__ = [
    "alter_pitr",
    "create_account",
    "drop_account",
    "count_rows",
    "create_pitr",
    "create_snapshot",
    "drop_pitr",
    "drop_snapshot",
    "restore_pitr",
    "restore_snapshot",
    "show_databases",
    "show_pitr",
    "show_recovery_window",
    "show_snapshots",
    "show_tables",
    "time_travel_hint",
]

SYS_ACCOUNT = "sys"


def _pitr(name: Any, field: str = "pitr name") -> str:
    return quote_ident(name, field, "pitr")


def _snap(name: Any, field: str = "snapshot name") -> str:
    return quote_ident(name, field, "snapshot")


def _acc(name: Any, field: str = "account") -> str:
    return quote_ident(name, field, "account")


def _db(name: Any, field: str = "database") -> str:
    return quote_ident(name, field, "database")


def _tbl(name: Any, field: str = "table") -> str:
    return quote_ident(name, field, "table")


def _same(a: str | None, b: str | None) -> bool:
    """MatrixOne lower-cases identifiers, so account names compare case-insensitively."""
    return a is not None and b is not None and a.lower() == b.lower()


def _require_scope(scope: Any) -> Scope:
    if not isinstance(scope, Scope):
        raise InvalidInput("scope", f"scope must be built with Scope.build(...), got {describe_value(scope)}")
    return scope


def _require_range(rng: Any) -> PitrRange:
    if not isinstance(rng, PitrRange):
        raise InvalidInput("range", f"range must be a PitrRange (PitrRange.parse(1, 'd')), got {describe_value(rng)}")
    return rng


def _require_version(version: Any) -> ServerVersion:
    if isinstance(version, ServerVersion):
        return version
    return ServerVersion.parse(version)


def _flag(value: Any, field: str) -> bool:
    if not isinstance(value, bool):
        raise InvalidInput(field, f"{field} must be True or False, got {describe_value(value)}")
    return value


def _range_sql(rng: PitrRange) -> str:
    return f"RANGE {int(rng.value)} {quote_string(rng.unit.value)}"


# --------------------------------------------------------------------------------------------- PITR


def create_pitr(
    name: Any, scope: Scope, rng: PitrRange, *, caller_account: str, if_not_exists: bool = False
) -> str:
    """``CREATE PITR [IF NOT EXISTS] p FOR ... RANGE n 'u'`` with MatrixOne's permission rules.

    A tenant's own account PITR must be ``FOR ACCOUNT`` without a name: ``FOR ACCOUNT <self>`` is
    refused for tenants (pitr_basic.result:84-85), so the self name is always dropped.
    """
    pitr = _pitr(name)
    scope = _require_scope(scope)
    rng = _require_range(rng)
    caller = validate_name(caller_account, "caller account", "account")
    ine = " IF NOT EXISTS" if _flag(if_not_exists, "if_not_exists") else ""
    is_sys = _same(caller, SYS_ACCOUNT)
    if scope.level is Level.CLUSTER:
        if not is_sys:
            raise PermissionDenied("only sys tenant can create cluster level pitr")
        target = "FOR CLUSTER"
    elif scope.level is Level.ACCOUNT:
        if scope.account is None or _same(scope.account, caller):
            target = "FOR ACCOUNT"
        elif not is_sys:
            raise PermissionDenied("only sys tenant can create tenant level pitr for other tenant")
        else:
            target = f"FOR ACCOUNT {_acc(scope.account)}"
    else:
        if scope.account is not None and not _same(scope.account, caller):
            raise PermissionDenied(f"account {caller} can only create database or table level pitr in its own "
                                   f"account, not in account {scope.account}")
        if scope.level is Level.DATABASE:
            target = f"FOR DATABASE {_db(scope.database)}"
        else:
            target = f"FOR TABLE {_db(scope.database)} {_tbl(scope.table)}"
    return f"CREATE PITR{ine} {pitr} {target} {_range_sql(rng)}"


def alter_pitr(name: Any, rng: PitrRange, *, if_exists: bool = False) -> str:
    """``ALTER PITR [IF EXISTS] p RANGE n 'u'``; only the range can change."""
    pitr = _pitr(name)
    rng = _require_range(rng)
    ie = " IF EXISTS" if _flag(if_exists, "if_exists") else ""
    return f"ALTER PITR{ie} {pitr} {_range_sql(rng)}"


def drop_pitr(name: Any, *, if_exists: bool = False) -> str:
    """``DROP PITR [IF EXISTS] p`` (only the creating account can drop it)."""
    pitr = _pitr(name)
    ie = " IF EXISTS" if _flag(if_exists, "if_exists") else ""
    return f"DROP PITR{ie} {pitr}"


def show_pitr(
    *,
    name: Any = None,
    level: Any = None,
    account: Any = None,
    database: Any = None,
    table: Any = None,
) -> str:
    """``SHOW PITR [WHERE ...]`` on the output aliases; headers come back lower-case with WHERE."""
    conds: list[str] = []
    if name is not None:
        conds.append(f"pitr_name = {quote_string(validate_name(name, 'pitr name', 'pitr').lower())}")
    if level is not None:
        conds.append(f"pitr_level = {quote_string(Level.parse(level).value)}")
    for column, value, kind in (("account_name", account, "account"), ("database_name", database, "database"),
                                ("table_name", table, "table")):
        if value is not None:
            conds.append(f"{column} = {quote_string(validate_name(value, kind, kind))}")
    return "SHOW PITR" + (" WHERE " + " AND ".join(conds) if conds else "")


def show_recovery_window(scope: Scope) -> str:
    """``SHOW RECOVERY_WINDOW FOR ACCOUNT [a] | DATABASE d | TABLE d t`` (v2.1+)."""
    scope = _require_scope(scope)
    if scope.level is Level.CLUSTER:
        raise InvalidInput("level", "SHOW RECOVERY_WINDOW has no cluster form; use level account, database or "
                           "table (example: level=account)")
    if scope.level is Level.ACCOUNT:
        return "SHOW RECOVERY_WINDOW FOR ACCOUNT" + (f" {_acc(scope.account)}" if scope.account else "")
    if scope.level is Level.DATABASE:
        return f"SHOW RECOVERY_WINDOW FOR DATABASE {_db(scope.database)}"
    return f"SHOW RECOVERY_WINDOW FOR TABLE {_db(scope.database)} {_tbl(scope.table)}"


def restore_pitr(
    name: Any,
    ts_literal: str,
    scope: Scope,
    *,
    caller_account: str,
    version: ServerVersion,
    source_account: str | None = None,
    pitr_level: Level | str | None = None,
    account_prefix: bool = False,
) -> str:
    """``RESTORE ... FROM PITR p 'ts'`` in the form MatrixOne accepts for this caller and level.

    ``pitr_level`` (from SHOW PITR) lets us refuse level mismatches client-side; ``source_account``
    is only meaningful with a cluster-level PITR (``RESTORE ACCOUNT a FROM PITR cp 'ts' src``).
    Restoring one's own account from an account PITR is always ``RESTORE FROM PITR p 'ts'``, even
    for sys, because ``RESTORE ACCOUNT <self>`` is refused (reference §9).
    """
    pitr = _pitr(name)
    raw_name = str(name)
    literal = quote_string(validate_ts_literal(ts_literal))
    scope = _require_scope(scope)
    caller = validate_name(caller_account, "caller account", "account")
    ver = _require_version(version)
    plevel = Level.parse(pitr_level, "pitr level") if pitr_level is not None else None
    src = validate_name(source_account, "source account", "account") if source_account is not None else None
    prefix = _flag(account_prefix, "account_prefix")
    is_sys = _same(caller, SYS_ACCOUNT)
    tail = f"FROM PITR {pitr} {literal}"

    if src is not None and scope.level is not Level.ACCOUNT:
        raise InvalidInput("source account", f"source account applies only to an account restore from a cluster "
                           f"level pitr, not to a {scope.level.value} restore (example: level=account "
                           f"account=acc1 source_account=acc1)")
    if prefix and scope.level not in (Level.DATABASE, Level.TABLE):
        raise InvalidInput("account_prefix", "account_prefix applies only to database and table restores "
                           "(example: level=database database=db1 account_prefix=True)")

    if scope.level is Level.CLUSTER:
        if not is_sys:
            raise PermissionDenied(f"account {caller} is not allowed to restore cluster level pitr {raw_name}")
        if plevel is not None and plevel is not Level.CLUSTER:
            raise LevelMismatch(f"restore level {plevel.value} is not allowed for cluster restore")
        return f"RESTORE CLUSTER {tail}"

    if scope.level is Level.ACCOUNT:
        target = scope.account or caller
        is_self = _same(target, caller)
        if not is_sys and not is_self:
            raise PermissionDenied(f"account {caller} is not allowed to restore other account {target}")
        if plevel in (Level.DATABASE, Level.TABLE):
            raise LevelMismatch(f"can not restore account {target} by pitr {raw_name}")
        if plevel is Level.ACCOUNT and src is not None:
            raise LevelMismatch(f"can not restore account {target} by pitr {raw_name}, the pitr level is not cluster")
        cluster_pitr = plevel is Level.CLUSTER or (plevel is None and src is not None)
        if cluster_pitr:
            if not is_sys:
                raise PermissionDenied(f"account {caller} is not allowed to restore other account {target}")
            source = src or target
            if not _same(source, target) and _same(target, SYS_ACCOUNT):
                raise LevelMismatch(f"can not restore account {source} to sys account by pitr {raw_name}")
            if not _same(source, target) and _same(source, SYS_ACCOUNT):
                raise LevelMismatch(f"can not restore sys account to new account {target} by pitr {raw_name}")
            return f"RESTORE ACCOUNT {_acc(target)} {tail} {_acc(source, 'source account')}"
        if is_self:
            return f"RESTORE {tail}"
        return f"RESTORE ACCOUNT {_acc(target)} {tail}"

    # database / table restore: always inside the caller's own account
    what = "database" if scope.level is Level.DATABASE else "table"
    if plevel is Level.CLUSTER:
        raise LevelMismatch(f"cluster level pitr `cluster` is not allowed for {what} restore")
    if plevel is Level.TABLE and scope.level is Level.DATABASE:
        raise LevelMismatch("restore level table is not allowed for database restore")
    if scope.account is not None and not _same(scope.account, caller):
        obj = scope.database if scope.level is Level.DATABASE else f"{scope.database}.{scope.table}"
        raise PermissionDenied(f"account {caller} is not allowed to restore {what} {obj}")
    obj_sql = f"DATABASE {_db(scope.database)}"
    if scope.level is Level.TABLE:
        obj_sql += f" TABLE {_tbl(scope.table)}"
    if prefix:
        if not ver.has_account_prefix_restore:
            raise UnsupportedByServerVersion(
                f"RESTORE ACCOUNT a {obj_sql.split(' ')[0]} ... FROM PITR needs MatrixOne 4.1 or later; "
                f"server is {ver}; use account_prefix=False")
        return f"RESTORE ACCOUNT {_acc(scope.account or caller)} {obj_sql} {tail}"
    return f"RESTORE {obj_sql} {tail}"


# ---------------------------------------------------------------------------------------- snapshots


def create_snapshot(name: Any, scope: Scope, *, if_not_exists: bool = False) -> str:
    """``CREATE SNAPSHOT [IF NOT EXISTS] s FOR CLUSTER | ACCOUNT [a] | DATABASE d | TABLE d t``."""
    snap = _snap(name)
    scope = _require_scope(scope)
    ine = " IF NOT EXISTS" if _flag(if_not_exists, "if_not_exists") else ""
    if scope.level is Level.CLUSTER:
        target = "CLUSTER"
    elif scope.level is Level.ACCOUNT:
        target = "ACCOUNT" + (f" {_acc(scope.account)}" if scope.account else "")
    elif scope.level is Level.DATABASE:
        target = f"DATABASE {_db(scope.database)}"
    else:
        target = f"TABLE {_db(scope.database)} {_tbl(scope.table)}"
    return f"CREATE SNAPSHOT{ine} {snap} FOR {target}"


def drop_snapshot(name: Any, *, if_exists: bool = False) -> str:
    """``DROP SNAPSHOT [IF EXISTS] s``."""
    snap = _snap(name)
    ie = " IF EXISTS" if _flag(if_exists, "if_exists") else ""
    return f"DROP SNAPSHOT{ie} {snap}"


def show_snapshots(*, name: Any = None) -> str:
    """``SHOW SNAPSHOTS [WHERE snapshot_name = 's']`` (names are stored lower-case)."""
    if name is None:
        return "SHOW SNAPSHOTS"
    value = validate_name(name, "snapshot name", "snapshot").lower()
    return f"SHOW SNAPSHOTS WHERE snapshot_name = {quote_string(value)}"


def restore_snapshot(name: Any, scope: Scope, *, version: ServerVersion, to_account: str | None = None) -> str:
    """Snapshot restore in the server line's grammar: ``FROM SNAPSHOT`` (< 4.0) or ``{SNAPSHOT = 's'}``."""
    snap_name = validate_name(name, "snapshot name", "snapshot")
    scope = _require_scope(scope)
    ver = _require_version(version)
    to = validate_name(to_account, "to account", "account") if to_account is not None else None
    to_sql = f" TO ACCOUNT {_acc(to, 'to account')}" if to is not None else ""
    if scope.level is Level.CLUSTER and to is not None:
        raise InvalidInput("to account", "a cluster restore takes no to account (example: level=cluster)")

    if ver.snapshot_restore_grammar == "brace":
        hint = f"{{SNAPSHOT = {quote_string(snap_name)}}}"
        if scope.level is Level.CLUSTER:
            return f"RESTORE CLUSTER {hint}"
        if scope.level is Level.ACCOUNT:
            if scope.account is None:
                raise InvalidInput("account", "an account snapshot restore needs the account (example: acc1)")
            return f"RESTORE ACCOUNT {_acc(scope.account)} {hint}{to_sql}"
        qual = f"{_acc(scope.account)}." if scope.account else ""
        if scope.level is Level.DATABASE:
            return f"RESTORE DATABASE {qual}{_db(scope.database)} {hint}{to_sql}"
        return f"RESTORE TABLE {qual}{_db(scope.database)}.{_tbl(scope.table)} {hint}{to_sql}"

    snap = _snap(snap_name)
    if scope.level is Level.CLUSTER:
        return f"RESTORE CLUSTER FROM SNAPSHOT {snap}"
    if scope.account is None:
        raise InvalidInput("account", f"MatrixOne {ver} snapshot restores name the account "
                           "(RESTORE ACCOUNT a ... FROM SNAPSHOT s); pass account (example: acc1)")
    if scope.level is Level.ACCOUNT:
        return f"RESTORE ACCOUNT {_acc(scope.account)} FROM SNAPSHOT {snap}{to_sql}"
    if to is not None:
        raise UnsupportedByServerVersion(
            f"MatrixOne {ver} accepts TO ACCOUNT only for account-level snapshot restores; "
            "database/table restores into another account need 4.0 or later")
    obj = f"DATABASE {_db(scope.database)}"
    if scope.level is Level.TABLE:
        obj += f" TABLE {_tbl(scope.table)}"
    return f"RESTORE ACCOUNT {_acc(scope.account)} {obj} FROM SNAPSHOT {snap}"


# ------------------------------------------------------------------------------- time-travel reads


def _ns(value: Any, field: str = "at_ns") -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0 or value >= 2**63:
        raise InvalidInput(field, f"{field} must be a positive int of epoch nanoseconds, got {describe_value(value)}")
    return value


def time_travel_hint(*, at_ns: int | None = None, snapshot: str | None = None) -> str:
    """``{MO_TS = <ns>}`` or ``{SNAPSHOT = 's'}``; integer ns work on every server line."""
    if (at_ns is None) == (snapshot is None):
        raise InvalidInput("at_ns", "give exactly one of at_ns or snapshot (example: at_ns=1730107800000000000)")
    if at_ns is not None:
        return f"{{MO_TS = {_ns(at_ns)}}}"
    return f"{{SNAPSHOT = {quote_string(validate_name(snapshot, 'snapshot', 'snapshot'))}}}"


def _opt_hint(at_ns: int | None, snapshot: str | None) -> str:
    if at_ns is None and snapshot is None:
        return ""
    return " " + time_travel_hint(at_ns=at_ns, snapshot=snapshot)


def show_databases(at_ns: int | None = None, *, snapshot: str | None = None) -> str:
    """``SHOW DATABASES [hint]``."""
    return "SHOW DATABASES" + _opt_hint(at_ns, snapshot)


def show_tables(database: Any, at_ns: int | None = None, *, snapshot: str | None = None) -> str:
    """``SHOW TABLES FROM `db` [hint]``.

    The database usually comes from SHOW DATABASES (planning, verification), so it is quoted as a
    contained name, not checked against the user rule; user-passed names were validated earlier.
    """
    db = quote_contained(database, "database")
    return f"SHOW TABLES FROM {db}" + _opt_hint(at_ns, snapshot)


def count_rows(tables: list[tuple[str, str]], *, at_ns: int | None = None, batch_size: int = 200) -> list[str]:
    """Row counts per table, ``UNION ALL``-batched so verification costs one round trip per batch."""
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or not 1 <= batch_size <= 1000:
        raise InvalidInput("batch_size", f"batch_size must be an int 1-1000, got {describe_value(batch_size)}")
    if isinstance(tables, (str, bytes)) or not hasattr(tables, "__iter__"):
        raise InvalidInput("tables", "tables must be a list of (database, table) pairs (example: [('db1', 't1')])")
    hint = f" {time_travel_hint(at_ns=at_ns)}" if at_ns is not None else ""
    selects: list[str] = []
    for item in tables:
        if not isinstance(item, (tuple, list)) or len(item) != 2:
            raise InvalidInput("tables", f"tables entries must be (database, table) pairs, got {describe_value(item)}")
        # Names listed by the server (any text MatrixOne allows, e.g. `order items`): back-quoted with
        # doubled back-quotes and string-escaped, never checked against the user-input rule.
        source = f"{quote_contained(item[0], 'database')}.{quote_contained(item[1], 'table')}{hint}"
        columns = f"{quote_string(item[0])} AS db_name, {quote_string(item[1])} AS table_name, COUNT(*) AS row_count"
        selects.append(" ".join(("SELECT", columns, "FROM", source)))
    return [" UNION ALL ".join(selects[i : i + batch_size]) for i in range(0, len(selects), batch_size)]


# ------------------------------------------------------------------------------------------ accounts


def create_account(name: Any, admin_name: Any, admin_password: Any, *, if_not_exists: bool = False) -> str:
    """``CREATE ACCOUNT [IF NOT EXISTS] a ADMIN_NAME 'u' IDENTIFIED BY 'pw'`` (sys only).

    Used for restores into a new account (``mo_br --new_account``, drills). The password is an
    escaped string literal; callers log statements through ``redact_sql``.
    """
    account = _acc(name, "new account")
    admin = quote_string(validate_name(admin_name, "admin name", "user"))
    if not isinstance(admin_password, str) or not admin_password or len(admin_password) > 128 or any(
        ord(ch) < 32 or ord(ch) == 127 for ch in admin_password
    ):
        raise InvalidInput("admin password", "admin password must be 1-128 printable characters")
    ine = " IF NOT EXISTS" if _flag(if_not_exists, "if_not_exists") else ""
    return f"CREATE ACCOUNT{ine} {account} ADMIN_NAME {admin} IDENTIFIED BY {quote_string(admin_password)}"


def drop_account(name: Any, *, if_exists: bool = False) -> str:
    """``DROP ACCOUNT [IF EXISTS] a`` (sys only)."""
    ie = " IF EXISTS" if _flag(if_exists, "if_exists") else ""
    return f"DROP ACCOUNT{ie} {_acc(name)}"
