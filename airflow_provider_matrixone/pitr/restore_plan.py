"""Restore planning: what a RESTORE FROM PITR would do, computed with read statements only.

A plan answers the questions an operator asks before pressing the button (reference
backup-restore-anchors: dry-run plans): which exact SQL, which instant in UTC and in the server's
zone, and which databases/tables are dropped, recreated or replaced, with their row counts now and
at T. Building it sends SHOW PITR, SHOW DATABASES/TABLES (now and ``{MO_TS = T}``) and batched
counts, never a mutating statement, so ``dry_run=True`` is safe by construction.

This module is the pure half (no connection, no clock): which accounts a request names
(:func:`resolve_accounts`), the read statements the guards need and their decisions over the rows
(:func:`partitioned_sql`, :func:`guard_partitioned`, ...), and the plan's lines from the listings
(:func:`database_actions`, :func:`table_actions`). The reads are sent by
:func:`airflow_provider_matrixone.sql_io.plan_reads.plan_restore`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from . import errors, guards, statements
from .coverage import check_pitr_covers
from .identifiers import quote_string
from .models import Level, Pitr, Scope, Snapshot
from .table_state import TableState
from .verify import Reference

if TYPE_CHECKING:
    from airflow_provider_matrixone.pitr.versions import ServerVersion

__all__ = ["ObjectAction", "PlanAccounts", "RestorePlan", "check_pitr_covers", "database_actions",
           "fk_children_sql", "guard_fk_children", "guard_partitioned", "partitioned_sql", "resolve_accounts",
           "snapshot_scope", "table_actions"]

DROP = "drop"
RECREATE = "recreate"
REPLACE = "replace"


def _same(a: str | None, b: str | None) -> bool:
    return a is not None and b is not None and a.lower() == b.lower()


@dataclass(frozen=True)
class ObjectAction:
    """One database or table the restore touches; ``table`` is None for a database line."""

    database: str
    table: str | None
    action: str
    rows_now: int | None = None
    rows_at_t: int | None = None

    @property
    def name(self) -> str:
        return self.database if self.table is None else f"{self.database}.{self.table}"

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"database": self.database, "action": self.action}
        if self.table is not None:
            out.update(table=self.table, rows_now=self.rows_now, rows_at_t=self.rows_at_t)
        return out


@dataclass(frozen=True)
class RestorePlan:
    """The exact restore and its effect; ``to_dict()`` is JSON-able for XCom and ``mo-pitr --json``.

    A restore from a PITR has ``pitr``; a restore from a snapshot has ``snapshot`` (and ``pitr``
    None, an empty ``window``): T is then the snapshot's instant, and the same plan, undo point,
    verification and report follow.
    """

    pitr: Pitr | None
    scope: Scope
    sql: str
    instant_utc: str
    at_ns: int
    server_literal: str
    server_timezone: str
    window: dict[str, Any]
    source_account: str
    target_account: str
    databases: tuple[ObjectAction, ...]
    tables: tuple[ObjectAction, ...]
    read_statements: int = 0
    timestamp_note: str | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)
    #: False when the objects were not read (no connection of that account): databases/tables empty.
    listed: bool = True
    snapshot: Snapshot | None = None

    @property
    def restore_beside(self) -> bool:
        return not _same(self.source_account, self.target_account)

    def reference(self) -> Reference:
        """The counts at T as a verification reference (no extra round trip)."""
        complete = self.scope.level is not Level.TABLE
        tables = {a.name: TableState(int(a.rows_at_t)) for a in self.tables if a.rows_at_t is not None}
        dbs = None
        if self.scope.level in (Level.ACCOUNT, Level.CLUSTER):
            dbs = tuple(sorted(a.database for a in self.databases if a.action != DROP))
        return Reference(
            scope=Scope(self.scope.level, self.source_account if self.scope.level is not Level.CLUSTER else None,
                        self.scope.database, self.scope.table),
            tables=tables,
            at_utc=self.instant_utc,
            at_ns=self.at_ns,
            databases=dbs,
            account=self.source_account,
            target_account=self.target_account if self.restore_beside else None,
            complete=complete,
            notes=self.notes,
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "pitr": {**self.pitr.to_dict(), "window": self.window} if self.pitr else None,
            **({"snapshot": self.snapshot.to_dict()} if self.snapshot else {}),
            "scope": self.scope.to_dict(),
            "sql": self.sql,
            "instant_utc": self.instant_utc,
            "at_ns": self.at_ns,
            "server_literal": self.server_literal,
            "server_timezone": self.server_timezone,
            "source_account": self.source_account,
            "target_account": self.target_account,
            "restore_beside": self.restore_beside,
            "databases": [a.to_dict() for a in self.databases],
            "tables": [a.to_dict() for a in self.tables],
            "read_statements": self.read_statements,
            "timestamp_note": self.timestamp_note,
            "notes": list(self.notes),
            "listed": self.listed,
        }

    def render(self) -> str:
        """Readable plan for the task log."""
        source = self.pitr or self.snapshot
        if source is None:
            raise errors.InvalidInput("plan", "a plan restores from a PITR or a snapshot")
        obj = source.account or "*"
        if source.level is Level.DATABASE:
            obj = f"{source.database}"
        elif source.level is Level.TABLE:
            obj = f"{source.database}.{source.table}"
        what = (f"pitr {self.pitr.name} ({self.pitr.level.value} {obj}, range {self.pitr.range})" if self.pitr
                else f"snapshot {source.name} ({source.level.value} {obj})")
        lines = [
            f"restore plan: {self.scope.level.value} restore from {what}",
            f"  instant      {self.instant_utc} (UTC) = '{self.server_literal}' in the server zone {self.server_timezone}",
            *([f"  window       {self.window.get('earliest')} .. {self.window.get('latest')} (UTC)"] if self.pitr
              else []),
            f"  accounts     source {self.source_account} -> target {self.target_account}"
            + ("  (restore beside)" if self.restore_beside else ""),
            f"  sql          {self.sql}",
        ]
        if self.databases:
            lines.append("  databases    " + ", ".join(f"{a.database} {a.action}" for a in self.databases))
        header = ("table", "action", "rows now", "rows at T")
        body = [(a.name, a.action, "-" if a.rows_now is None else str(a.rows_now),
                 "-" if a.rows_at_t is None else str(a.rows_at_t)) for a in self.tables]
        widths = [max(len(h), *(len(b[i]) for b in body)) if body else len(h) for i, h in enumerate(header)]
        fmt = "  " + "  ".join(f"{{:{'>' if i >= 2 else '<'}{w}}}" for i, w in enumerate(widths))
        lines.append(fmt.format(*header).rstrip())
        lines.append("  " + "  ".join("-" * w for w in widths))
        lines.extend(fmt.format(*b).rstrip() for b in body)
        if self.timestamp_note:
            lines.append(f"  note: {self.timestamp_note}")
        lines.extend(f"  note: {n}" for n in self.notes)
        return "\n".join(lines)


def table_actions(at_t: dict[str, int], now: dict[str, int]) -> list[ObjectAction]:
    """One line per table present at T or now: replaced (both), recreated (T only), dropped (now only)."""
    out = []
    for name in sorted(set(at_t) | set(now)):
        db, tbl = name.split(".", 1)
        action = REPLACE if name in at_t and name in now else (RECREATE if name in at_t else DROP)
        out.append(ObjectAction(db, tbl, action, now.get(name), at_t.get(name)))
    return out




@dataclass(frozen=True)
class PlanAccounts:
    """Who is restored from where: the request's scope resolved against the PITR and the caller.

    ``scope`` is the data read at T (in ``source``); ``restore_scope`` is what the RESTORE names
    (restore beside: the target account); ``target`` is the account whose current state is
    replaced; ``source_for_sql`` is the ``FROM PITR p 'ts' source`` clause of a cluster PITR.
    """

    scope: Scope
    restore_scope: Scope
    source: str
    target: str
    source_for_sql: str | None


def resolve_accounts(pitr: Pitr, scope: Scope, caller: str, target: str | None,
                     source_arg: str | None) -> PlanAccounts:
    """Decide source, target and the RESTORE's scope; refuse what MatrixOne would refuse (reference §4.4).

    ``target`` restores *beside*: the source account's data at T goes into another, existing
    account (sys only, ``RESTORE ACCOUNT target FROM PITR p 'ts' [source]``).
    """
    if target is not None:
        if scope.level is not Level.ACCOUNT:
            raise errors.InvalidInput("target account", "target_account (restore beside) applies to level=account "
                                      "only (example: level=account account=acc1 target_account=acc3)")
        if not _same(caller, "sys"):
            raise errors.PermissionDenied(f"account {caller} is not allowed to restore other account {target}: "
                                          "restoring into another account needs the sys account")
        if pitr.level is Level.ACCOUNT:
            source = scope.account or pitr.account or caller
            if pitr.account is not None and not _same(source, pitr.account):
                raise errors.LevelMismatch(f"pitr {pitr.name} covers account {pitr.account}, not account {source}")
            src_for_sql = None
        elif pitr.level is Level.CLUSTER:
            source = scope.account or source_arg or ""
            if not source:
                raise errors.InvalidInput("account", "a restore beside from a cluster pitr needs the source account "
                                          "(example: account=acc1 target_account=acc3)")
            src_for_sql = source
        else:
            raise errors.LevelMismatch(f"can not restore account {target} by pitr {pitr.name}")
        if _same(source, target):
            target = None  # restoring into itself is a plain account restore
        restore_scope = Scope(Level.ACCOUNT, target or source)
        if target is None and pitr.level is Level.ACCOUNT and _same(source, caller):
            restore_scope = Scope(Level.ACCOUNT, None)
        scope = Scope(Level.ACCOUNT, source)
    else:
        check_pitr_covers(pitr, scope, caller)
        restore_scope = scope
        src_for_sql = source_arg
        source = scope.account or caller
        if scope.level is Level.ACCOUNT and source_arg and not _same(source_arg, source):
            source = source_arg  # cluster pitr, source named explicitly: copies src into scope.account
            target = scope.account or caller
            scope = Scope(Level.ACCOUNT, source)
    return PlanAccounts(scope, restore_scope, source, target or source, src_for_sql)


def scope_tables(scope: Scope) -> list[tuple[str, str]]:
    return [(str(scope.database), str(scope.table))] if scope.level is Level.TABLE else []


def partitioned_sql(pairs_t: list[tuple[str, str]], at_ns: int) -> str | None:
    """The read at T that lists which of ``pairs_t`` are partitioned (None: nothing to read)."""
    dbs = sorted({d for d, _ in pairs_t})
    if not dbs:
        return None
    names = ", ".join(quote_string(d) for d in dbs)
    return (f"SELECT reldatabase, relname, partitioned FROM mo_catalog.mo_tables "  # noqa: S608 - quoted names
            f"{statements.time_travel_hint(at_ns=at_ns)} WHERE reldatabase IN ({names})")


def guard_partitioned(rows: list[tuple[Any, ...]], pairs_t: list[tuple[str, str]], pitr_name: str) -> None:
    """Refuse a restore of a partitioned table (:func:`.guards.check_partitioned`) from the rows read at T."""
    wanted = {f"{d}.{t}".lower() for d, t in pairs_t}
    guards.check_partitioned([f"{d}.{t}" for d, t, p in rows if p and str(p) not in ("0", "False")
                              and f"{d}.{t}".lower() in wanted], pitr_name)


def fk_children_sql(scope: Scope, at_ns: int | None) -> str | None:
    """The read listing foreign keys that reference the scope's table (table level only)."""
    if scope.level is not Level.TABLE:
        return None
    hint = f" {statements.time_travel_hint(at_ns=at_ns)}" if at_ns is not None else ""
    where = (f" WHERE referenced_table_schema = {quote_string(scope.database)} AND referenced_table_name = "
             f"{quote_string(scope.table)}")
    cols = "SELECT table_schema, table_name, constraint_name FROM information_schema.key_column_usage"
    return f"{cols}{hint}{where}"


def guard_fk_children(scope: Scope, refs: list[tuple[Any, ...]], version: ServerVersion) -> None:
    """Refuse a table restore another table's foreign key points at (:func:`.guards.check_fk_referenced`)."""
    guards.check_fk_referenced(scope, [f"{d}.{t}.{c}" for d, t, c in refs
                                       if f"{d}.{t}".lower() != f"{scope.database}.{scope.table}".lower()],
                               version)


def database_actions(dbs_t: tuple[str, ...] | None, dbs_now: list[str]) -> list[ObjectAction]:
    """The database lines of an account/cluster plan (dropped, recreated, replaced) from the two listings."""
    out = []
    for db in sorted(set(dbs_t or ()) | set(dbs_now)):
        in_t, in_now = db in (dbs_t or ()), db in dbs_now
        out.append(ObjectAction(db, None, REPLACE if in_t and in_now else (RECREATE if in_t else DROP)))
    return out


def snapshot_scope(snap: Snapshot, caller: str, *, level: Any = None, account: str | None = None,
                   database: str | None = None, table: str | None = None) -> Scope:
    """What a snapshot restore request means, for ``mo-pitr snapshot restore`` and the operator alike.

    Without ``level`` it follows what is named: a database (and table) restores that object, an
    account alone that account, nothing the snapshot's own object. The account defaults to the
    snapshot's, then the caller's. Whether the snapshot may serve that object is
    :func:`.guards.check_snapshot_covers`'s decision.
    """
    acc = account or snap.account or caller
    if level is None:
        if database:
            level = Level.TABLE if table else Level.DATABASE
        elif account:
            level = Level.ACCOUNT
        else:
            level, database, table = snap.level, snap.database, snap.table
    lvl = Level.parse(level)
    return Scope.build(lvl, account=None if lvl is Level.CLUSTER else acc, database=database, table=table)
