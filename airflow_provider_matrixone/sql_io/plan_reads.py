"""Planning a PITR restore: the read statements a plan and its guards are built from.

Why here and not in :mod:`airflow_provider_matrixone.pitr.restore_plan`: building a plan sends
SHOW PITR, SHOW DATABASES/TABLES (now and ``{MO_TS = T}``), catalog reads for the guards and
batched counts through :class:`~.reading.BatchReader` connections on the source and the target,
and ``pitr`` is the pure domain layer. What the reads mean (accounts, guards' decisions, the plan's
lines) is decided by the pure functions of ``pitr.restore_plan``; this module only sequences the
reads, never a mutating statement, so ``dry_run=True`` is safe by construction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import tzinfo
from typing import Any

from airflow_provider_matrixone.pitr import errors, guards, statements, timestamps
from airflow_provider_matrixone.pitr.identifiers import validate_name
from airflow_provider_matrixone.pitr.models import Level, Pitr, Scope
from airflow_provider_matrixone.pitr.restore_plan import (
    RECREATE,
    REPLACE,
    ObjectAction,
    RestorePlan,
    database_actions,
    fk_children_sql,
    guard_fk_children,
    guard_partitioned,
    partitioned_sql,
    resolve_accounts,
    scope_tables,
    table_actions,
)
from airflow_provider_matrixone.pitr.timestamps import to_epoch_ns
from airflow_provider_matrixone.pitr.verify import check_reader_account

from .capture import scope_databases_and_tables
from .operations import PitrOperations
from .reading import BatchReader

__all__ = ["plan_restore", "plan_snapshot_restore"]

_NOT_LISTED = ("objects: not listed: MatrixOne shows an account's objects only to that account; connect as its "
               "admin for a detailed plan")


def _zone_name(zone: Any) -> str:
    return str(getattr(zone, "key", None) or getattr(zone, "name", None) or zone)


def _iso(value: Any) -> str:
    return str(value.isoformat()).replace("+00:00", "Z")


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

    ``target_account`` restores *beside* (:func:`~airflow_provider_matrixone.pitr.restore_plan.resolve_accounts`).
    ``source_ops``/``target_ops`` read the source at T and the target now; both default to
    ``ops`` and must be logged in to those accounts (time-travel reads see only their own).
    ``list_objects=False`` plans the SQL and the guards only (no connection of that account to read
    with, e.g. ``mo-pitr`` logged in as sys restoring a tenant): the plan says so in a note.
    """
    parsed = ops.resolve_timestamp(timestamp, timezone)
    scope = Scope.build(level, account=account, database=database, table=table)
    target = validate_name(target_account, "target account", "account") if target_account else None
    src_arg = validate_name(source_account, "source account", "account") if source_account else None
    pitr = ops.require_pitr(pitr_name)
    who = resolve_accounts(pitr, scope, ops.account, target, src_arg)
    scope, source, target_name = who.scope, who.source, who.target

    now = ops.now()  # the server's clock: MatrixOne checks the window against it
    sql, literal = ops.build_restore_pitr(pitr, parsed.instant, who.restore_scope,
                                          source_account=who.source_for_sql, now=now)
    window = ops.recovery_window(pitr, now).to_dict()
    at_ns = to_epoch_ns(parsed.instant)
    notes: list[str] = []

    if not list_objects:
        notes.append(_NOT_LISTED)
        return RestorePlan(pitr=pitr, scope=scope, sql=sql, instant_utc=_iso(parsed.instant), at_ns=at_ns,
                           server_literal=literal, server_timezone=_zone_name(ops.server_timezone), window=window,
                           source_account=source, target_account=target_name, databases=(), tables=(),
                           read_statements=1, timestamp_note=parsed.note, notes=tuple(notes), listed=False)
    listing = _list_objects(pitr, scope, at_ns, _iso(parsed.instant), ops, source_ops, target_ops, source, target_name,
                            "every account existing at T is restored")
    return RestorePlan(
        pitr=pitr, scope=scope, sql=sql, instant_utc=_iso(parsed.instant), at_ns=at_ns, server_literal=literal,
        server_timezone=_zone_name(ops.server_timezone), window=window, source_account=listing.source,
        target_account=listing.target, databases=tuple(listing.databases), tables=tuple(listing.tables),
        read_statements=listing.statements, timestamp_note=parsed.note, notes=tuple(notes + listing.notes),
    )


@dataclass(frozen=True)
class _Listing:
    """The objects a plan lists, and who was read: a cluster plan reads the connected account."""

    source: str
    target: str
    notes: list[str]
    databases: list[ObjectAction]
    tables: list[ObjectAction]
    statements: int


def _list_objects(pitr: Pitr | None, scope: Scope, at_ns: int, when_utc: str, ops: PitrOperations,
                  source_ops: PitrOperations | None, target_ops: PitrOperations | None, source: str, target: str,
                  cluster_note: str) -> _Listing:
    """Check the reading accounts, open the readers (one if the source and target are read alike), list."""
    src_ops, dst_ops = source_ops or ops, target_ops or ops
    notes: list[str] = []
    if scope.level is Level.CLUSTER:
        notes.append(f"cluster restore: objects listed for account {src_ops.account} only "
                     f"(reads see the connected account); {cluster_note}")
        source = target = src_ops.account
    else:
        check_reader_account(src_ops, source, "the plan's reads at T")
        check_reader_account(dst_ops, target, "the plan's reads of the current state")
    src = BatchReader(src_ops)
    dst = src if dst_ops is src_ops else BatchReader(dst_ops)
    try:
        db_lines, table_lines, sent = _read_objects(pitr, scope, at_ns, when_utc, ops, src, dst)
    finally:
        src.close()
        dst.close()
    return _Listing(source, target, notes, db_lines, table_lines, sent)


def _guard_reads(src: BatchReader, dst: BatchReader, pitr: Pitr, scope: Scope, pairs_t: list[tuple[str, str]],
                 at_ns: int, ops: PitrOperations) -> None:
    """The reads the guards (:mod:`~airflow_provider_matrixone.pitr.guards`) decide on."""
    partitions = partitioned_sql(pairs_t, at_ns)
    if partitions is not None:
        (_, rows), = src.run([partitions])
        guard_partitioned(rows, pairs_t, pitr.name)
    at_t, now = fk_children_sql(scope, at_ns), fk_children_sql(scope, None)
    if at_t is not None and now is not None:
        refs = [r for _, rows in src.run([at_t]) + dst.run([now]) for r in rows]
        guard_fk_children(scope, refs, ops.version)


def _read_objects(pitr: Pitr | None, scope: Scope, at_ns: int, when_utc: str, ops: PitrOperations,
                  src: BatchReader, dst: BatchReader) -> tuple[list[ObjectAction], list[ObjectAction], int]:
    """The plan's lines (databases, tables with rows now and at T) and the statements they took.

    With a ``pitr`` the guards' reads run too (partitioned tables, foreign-key parents); a snapshot
    restore is guarded by :func:`~airflow_provider_matrixone.pitr.guards.check_snapshot_covers`.
    """
    when = f"at timestamp {when_utc}"
    try:
        dbs_t, pairs_t = scope_databases_and_tables(src, scope, at_ns, when=when)
        # the probe read at T, SELECT COUNT(*) FROM t {MO_TS = T}: fails now if GC took T (#19033)
        counts_t = {k: v.rows for k, v in src.counts(pairs_t, at_ns).items()}
    except Exception as exc:  # noqa: BLE001 - re-raised unless it is collected history
        if isinstance(exc, errors.ObjectNotFound):
            raise
        guards.check_history_readable(exc, when_utc, [f"{d}.{t}" for d, t in scope_tables(scope)])
    if pitr is not None:
        _guard_reads(src, dst, pitr, scope, pairs_t, at_ns, ops)

    dbs_now_all = dst.databases(None)
    lowered = {d.lower(): d for d in dbs_now_all}
    db_lines: list[ObjectAction]
    if scope.level in (Level.ACCOUNT, Level.CLUSTER):
        pairs_now = dst.tables(dbs_now_all, None)
        db_lines = database_actions(dbs_t, dbs_now_all)
    else:
        db_now = lowered.get(str(scope.database).lower())
        pairs_now = dst.tables([db_now], None) if db_now else []
        if scope.level is Level.TABLE:
            pairs_now = [p for p in pairs_now if p[1].lower() == str(scope.table).lower()]
            db_lines = []
        else:
            db_lines = [ObjectAction(str(scope.database), None, REPLACE if db_now else RECREATE)]
    counts_now = {k: v.rows for k, v in dst.counts(pairs_now, None).items()}
    statements_sent = src.statements + (dst.statements if dst is not src else 0) + 1  # + SHOW PITR / SNAPSHOTS
    return db_lines, table_actions(counts_t, counts_now), statements_sent


def plan_snapshot_restore(
    ops: PitrOperations,
    *,
    snapshot_name: str,
    at_ns: int | None = None,
    level: Any,
    account: str | None = None,
    database: str | None = None,
    table: str | None = None,
    target_account: str | None = None,
    source_ops: PitrOperations | None = None,
    target_ops: PitrOperations | None = None,
    list_objects: bool = True,
) -> RestorePlan:
    """Plan a restore from a snapshot with read statements only: T is the snapshot's instant.

    The objects at T are read with ``{MO_TS = <snapshot ts>}`` (a snapshot keeps its instant from
    GC), so the plan lists what is dropped, recreated or replaced exactly as for a PITR restore.
    ``at_ns`` is the instant the request was built for: a snapshot of that name taken at another
    instant (dropped and re-created meanwhile) is refused. ``target_account`` is ``TO ACCOUNT``.
    """
    snap = ops.get_snapshot(snapshot_name)
    if snap is None:
        raise errors.SnapshotNotFound(f"snapshot {snapshot_name} does not exist (for account {ops.account})")
    if at_ns is not None and snap.ts_ns != at_ns:
        raise errors.InvalidInput("snapshot", f"snapshot {snap.name} was taken at {snap.to_dict()['timestamp']}, "
                                  "not at the instant this restore was planned for: it was re-created meanwhile")
    scope = Scope.build(level, account=account, database=database, table=table)
    target = validate_name(target_account, "target account", "account") if target_account else None
    if target is not None and scope.level is not Level.ACCOUNT:
        raise errors.InvalidInput("target account", "a snapshot restore into another account restores a whole "
                                  "account (example: level=account account=acc1 to_account=acc3)")
    # a snapshot serves its own object only (#27116; v4.2.0 and older restore it anyway)
    guards.check_snapshot_covers(snap.name, snap.level, snap.database, snap.table, scope)
    sql = statements.restore_snapshot(snap.name, scope, version=ops.version, to_account=target)
    source = scope.account or ops.account
    target_name = target or source
    instant = timestamps.from_epoch_ns(snap.ts_ns)
    literal = timestamps.render_for_server(instant, ops.server_timezone)
    common: dict[str, Any] = dict(pitr=None, snapshot=snap, scope=scope, sql=sql, instant_utc=_iso(instant),
                                  at_ns=snap.ts_ns, server_literal=literal,
                                  server_timezone=_zone_name(ops.server_timezone), window={})
    if not list_objects:
        return RestorePlan(**common, source_account=source, target_account=target_name, databases=(), tables=(),
                           read_statements=1, notes=(_NOT_LISTED,), listed=False)
    listing = _list_objects(None, scope, snap.ts_ns, _iso(instant), ops, source_ops, target_ops, source, target_name,
                            "every account in the snapshot is restored")
    return RestorePlan(**common, source_account=listing.source, target_account=listing.target,
                       databases=tuple(listing.databases), tables=tuple(listing.tables),
                       read_statements=listing.statements, notes=tuple(listing.notes))
