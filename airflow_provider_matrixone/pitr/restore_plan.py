"""Restore planning: what a RESTORE FROM PITR would do, computed with read statements only.

A plan answers the questions an operator asks before pressing the button (reference
backup-restore-anchors: dry-run plans): which exact SQL, which instant in UTC and in the server's
zone, and which databases/tables are dropped, recreated or replaced, with their row counts now and
at T. Building it sends SHOW PITR, SHOW DATABASES/TABLES (now and ``{MO_TS = T}``) and batched
counts, never a mutating statement, so ``dry_run=True`` is safe by construction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import tzinfo
from typing import TYPE_CHECKING, Any

# Run-time I/O: this module orchestrates batched reads, an exception named in
# tests/unit/pitr/test_pitr_is_pure.py (issue 12, point 3).
from airflow_provider_matrixone.sql_io.reading import BatchReader

from . import errors, guards, statements
from .coverage import check_pitr_covers
from .identifiers import quote_string, validate_name
from .models import Level, Pitr, Scope
from .table_state import TableState
from .timestamps import to_epoch_ns
from .verify import Reference, check_reader_account, scope_databases_and_tables

if TYPE_CHECKING:
    from airflow_provider_matrixone.sql_io.operations import PitrOperations

__all__ = ["ObjectAction", "RestorePlan", "check_pitr_covers", "plan_restore"]

DROP = "drop"
RECREATE = "recreate"
REPLACE = "replace"


def _same(a: str | None, b: str | None) -> bool:
    return a is not None and b is not None and a.lower() == b.lower()


def _zone_name(zone: Any) -> str:
    return str(getattr(zone, "key", None) or getattr(zone, "name", None) or zone)


def _iso(value: Any) -> str:
    return value.isoformat().replace("+00:00", "Z")


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
    """The exact restore and its effect; ``to_dict()`` is JSON-able for XCom and ``mo-pitr --json``."""

    pitr: Pitr
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
            "pitr": {**self.pitr.to_dict(), "window": self.window},
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
        p = self.pitr
        obj = p.account or "*"
        if p.level is Level.DATABASE:
            obj = f"{p.database}"
        elif p.level is Level.TABLE:
            obj = f"{p.database}.{p.table}"
        lines = [
            f"restore plan: {self.scope.level.value} restore from pitr {p.name} ({p.level.value} {obj}, range {p.range})",
            f"  instant      {self.instant_utc} (UTC) = '{self.server_literal}' in the server zone {self.server_timezone}",
            f"  window       {self.window.get('earliest')} .. {self.window.get('latest')} (UTC)",
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


def _actions(
    at_t: dict[str, int], now: dict[str, int]
) -> list[ObjectAction]:
    out = []
    for name in sorted(set(at_t) | set(now)):
        db, tbl = name.split(".", 1)
        action = REPLACE if name in at_t and name in now else (RECREATE if name in at_t else DROP)
        out.append(ObjectAction(db, tbl, action, now.get(name), at_t.get(name)))
    return out


def plan_restore(
    ops: PitrOperations,
    *,
    pitr_name: str,
    timestamp: Any,
    timezone: str | tzinfo | None = None,
    level: Any,
    account: str | None = None,
    database: str | None = None,
    table: str | None = None,
    target_account: str | None = None,
    source_account: str | None = None,
    source_ops: PitrOperations | None = None,
    target_ops: PitrOperations | None = None,
    list_objects: bool = True,
) -> RestorePlan:
    """Plan a PITR restore with read statements only (SHOW PITR, SHOW ... {MO_TS}, batched counts).

    ``target_account`` restores *beside*: the source account's data at T goes into another,
    existing account (sys only, ``RESTORE ACCOUNT target FROM PITR p 'ts' [source]``, reference
    §4.4). ``source_ops``/``target_ops`` read the source at T and the target now; both default
    to ``ops`` and must be logged in to those accounts (time-travel reads see only their own).
    ``list_objects=False`` plans the SQL and the guards only (no connection of that account to read
    with, e.g. ``mo-pitr`` logged in as sys restoring a tenant): the plan says so in a note.
    """
    parsed = ops.resolve_timestamp(timestamp, timezone)
    scope = Scope.build(level, account=account, database=database, table=table)
    target = validate_name(target_account, "target account", "account") if target_account else None
    src_arg = validate_name(source_account, "source account", "account") if source_account else None
    caller = ops.account
    pitr = ops.require_pitr(pitr_name)

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
            source = scope.account or src_arg or ""
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
        src_for_sql = src_arg
        source = scope.account or caller
        if scope.level is Level.ACCOUNT and src_arg and not _same(src_arg, source):
            source = src_arg  # cluster pitr, source named explicitly: copies src into scope.account
            target = scope.account or caller
            scope = Scope(Level.ACCOUNT, source)

    now = ops.now()  # the server's clock: MatrixOne checks the window against it
    sql, literal = ops.build_restore_pitr(pitr, parsed.instant, restore_scope, source_account=src_for_sql, now=now)
    window = ops.recovery_window(pitr, now).to_dict()
    target_name = target or source
    at_ns = to_epoch_ns(parsed.instant)
    notes: list[str] = []

    if not list_objects:
        notes.append("objects: not listed: MatrixOne shows an account's objects only to that account; connect "
                     "as its admin for a detailed plan")
        return RestorePlan(pitr=pitr, scope=scope, sql=sql, instant_utc=_iso(parsed.instant), at_ns=at_ns,
                           server_literal=literal, server_timezone=_zone_name(ops.server_timezone), window=window,
                           source_account=source, target_account=target_name, databases=(), tables=(),
                           read_statements=1, timestamp_note=parsed.note, notes=tuple(notes), listed=False)
    src_reader_ops = source_ops or ops
    dst_reader_ops = target_ops or ops
    if scope.level is Level.CLUSTER:
        notes.append(f"cluster restore: objects listed for account {src_reader_ops.account} only "
                     "(reads see the connected account); every account existing at T is restored")
        source = target_name = src_reader_ops.account
    else:
        check_reader_account(src_reader_ops, source, "the plan's reads at T")
        check_reader_account(dst_reader_ops, target_name, "the plan's reads of the current state")

    src = BatchReader(src_reader_ops)
    dst = src if dst_reader_ops is src_reader_ops else BatchReader(dst_reader_ops)
    try:
        return _plan(pitr, scope, sql, literal, window, parsed, at_ns, source, target_name, notes, ops, src, dst)
    finally:
        src.close()
        dst.close()


def scope_tables(scope: Scope) -> list[tuple[str, str]]:
    return [(str(scope.database), str(scope.table))] if scope.level is Level.TABLE else []


def _guard_reads(src: BatchReader, dst: BatchReader, pitr: Pitr, scope: Scope, pairs_t: list[tuple[str, str]], at_ns: int,
                 ops: PitrOperations) -> None:
    """The reads the guards (:mod:`.guards`) decide on: partitioned tables at T, foreign-key parents."""
    hint = f" {statements.time_travel_hint(at_ns=at_ns)}"
    dbs = sorted({d for d, _ in pairs_t})
    if dbs:
        names = ", ".join(quote_string(d) for d in dbs)
        (_, rows), = src.run([f"SELECT reldatabase, relname, partitioned FROM mo_catalog.mo_tables{hint} "  # noqa: S608
                              f"WHERE reldatabase IN ({names})"])
        wanted = {f"{d}.{t}".lower() for d, t in pairs_t}
        guards.check_partitioned([f"{d}.{t}" for d, t, p in rows if p and str(p) not in ("0", "False")
                                  and f"{d}.{t}".lower() in wanted], pitr.name)
    if scope.level is Level.TABLE:
        where = (f" WHERE referenced_table_schema = {quote_string(scope.database)} AND referenced_table_name = "
                 f"{quote_string(scope.table)}")
        cols = "SELECT table_schema, table_name, constraint_name FROM information_schema.key_column_usage"
        refs = [r for _, rows in src.run([f"{cols}{hint}{where}"]) + dst.run([f"{cols}{where}"]) for r in rows]
        guards.check_fk_referenced(scope, [f"{d}.{t}.{c}" for d, t, c in refs
                                           if f"{d}.{t}".lower() != f"{scope.database}.{scope.table}".lower()],
                                   ops.version)


def _plan(pitr: Pitr, scope: Scope, sql: str, literal: str, window: dict[str, Any], parsed: Any, at_ns: int,
          source: str, target_name: str, notes: list[str], ops: PitrOperations, src: BatchReader,
          dst: BatchReader) -> RestorePlan:
    when = f"at timestamp {_iso(parsed.instant)}"
    try:
        dbs_t, pairs_t = scope_databases_and_tables(src, scope, at_ns, when=when)
        # the probe read at T, SELECT COUNT(*) FROM t {MO_TS = T}: fails now if GC took T (#19033)
        counts_t = {k: v.rows for k, v in src.counts(pairs_t, at_ns).items()}
    except Exception as exc:  # noqa: BLE001 - re-raised unless it is collected history
        if isinstance(exc, errors.ObjectNotFound):
            raise
        guards.check_history_readable(exc, _iso(parsed.instant), [f"{d}.{t}" for d, t in scope_tables(scope)])
    _guard_reads(src, dst, pitr, scope, pairs_t, at_ns, ops)

    dbs_now_all = dst.databases(None)
    lowered = {d.lower(): d for d in dbs_now_all}
    if scope.level in (Level.ACCOUNT, Level.CLUSTER):
        pairs_now = dst.tables(dbs_now_all, None)
        db_lines = []
        for db in sorted(set(dbs_t or ()) | set(dbs_now_all)):
            in_t, in_now = db in (dbs_t or ()), db in dbs_now_all
            db_lines.append(ObjectAction(db, None, REPLACE if in_t and in_now else (RECREATE if in_t else DROP)))
    else:
        db_now = lowered.get(str(scope.database).lower())
        pairs_now = dst.tables([db_now], None) if db_now else []
        if scope.level is Level.TABLE:
            pairs_now = [p for p in pairs_now if p[1].lower() == str(scope.table).lower()]
            db_lines = []
        else:
            db_lines = [ObjectAction(str(scope.database), None, REPLACE if db_now else RECREATE)]
    counts_now = {k: v.rows for k, v in dst.counts(pairs_now, None).items()}
    statements_sent = src.statements + (dst.statements if dst is not src else 0) + 1  # + SHOW PITR

    return RestorePlan(
        pitr=pitr,
        scope=scope,
        sql=sql,
        instant_utc=_iso(parsed.instant),
        at_ns=at_ns,
        server_literal=literal,
        server_timezone=_zone_name(ops.server_timezone),
        window=window,
        source_account=source,
        target_account=target_name,
        databases=tuple(db_lines),
        tables=tuple(_actions(counts_t, counts_now)),
        read_statements=statements_sent,
        timestamp_note=parsed.note,
        notes=tuple(notes),
    )
