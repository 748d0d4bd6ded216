"""Capturing a scope for verification: the reference at T and the current state, read in batches.

Why here and not in :mod:`airflow_provider_matrixone.pitr.verify`: these functions open a
:class:`~.reading.BatchReader` (a connection) and stamp the capture with the local clock, and
``pitr`` is the pure domain layer (``tests/unit/pitr/test_pitr_is_pure.py``). The model they
fill (:class:`~airflow_provider_matrixone.pitr.verify.Reference`, ``CurrentState``) and the
comparison (:func:`~airflow_provider_matrixone.pitr.verdicts.compare`) stay pure in ``pitr``.

Every read is batched (``UNION ALL``, one connection per step), so verifying 1,000 tables costs a
few dozen round trips instead of thousands. MatrixOne fact that shapes the API: time-travel reads
and counts only see the *connected* account's databases, so the reading client's account must be
the scope's account (:class:`~airflow_provider_matrixone.pitr.verify.AccountMismatch` otherwise).
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from airflow_provider_matrixone.pitr import errors, inventory_objects, timestamps
from airflow_provider_matrixone.pitr.fingerprint import CHUNK_ROWS
from airflow_provider_matrixone.pitr.models import Level, Scope
from airflow_provider_matrixone.pitr.verdicts import VerificationReport, compare
from airflow_provider_matrixone.pitr.verify import (
    CurrentState,
    Reference,
    check_reader_account,
    cluster_note,
    databases_to_read_now,
    expected_tables,
    parse_table_names,
)

from .operations import PitrOperations
from .reading import BatchReader

__all__ = ["capture_reference", "capture_state", "scope_databases_and_tables", "verify"]


def scope_databases_and_tables(
    reader: BatchReader, scope: Scope, at_ns: int | None, *, when: str
) -> tuple[tuple[str, ...] | None, list[tuple[str, str]]]:
    """Databases (account/cluster) and tables of ``scope`` at ``at_ns`` (None = now)."""
    dbs = reader.databases(at_ns)
    lowered = {d.lower(): d for d in dbs}
    if scope.level is Level.TABLE:
        db = lowered.get(str(scope.database).lower())
        if db is None:
            raise errors.ObjectNotFound(f"database '{scope.database}' does not exist {when}")
        tables = [p for p in reader.tables([db], at_ns) if p[1].lower() == str(scope.table).lower()]
        if not tables:
            raise errors.ObjectNotFound(f"database '{scope.database}' table '{scope.table}' does not exist {when}")
        return None, tables
    if scope.level is Level.DATABASE:
        db = lowered.get(str(scope.database).lower())
        if db is None:
            raise errors.ObjectNotFound(f"database '{scope.database}' does not exist {when}")
        return None, reader.tables([db], at_ns)
    return tuple(dbs), reader.tables(dbs, at_ns)


def _now_iso() -> str:
    return timestamps.from_epoch_ns(time.time_ns()).isoformat().replace("+00:00", "Z")


def capture_reference(
    ops: PitrOperations,
    scope: Scope,
    at: Any,
    *,
    fingerprint: bool = True,
    target_account: str | None = None,
    tables: Any = None,
    chunk_rows: int = CHUNK_ROWS,
) -> Reference:
    """Read the scope as it was at ``at`` through time travel (``{MO_TS = ns}``), batched.

    ``tables`` narrows the reference to an explicit list (then ``complete`` is False). The client
    must be logged in to the scope's account (cluster scope: the client's own account).
    """
    at_ns = ops.at_ns(at)
    if at_ns is None:
        raise errors.InvalidInput("timestamp", "a reference needs a timestamp (example: 2024-10-28T17:30:00+08:00)")
    at_utc = timestamps.from_epoch_ns(at_ns).isoformat().replace("+00:00", "Z")
    notes: list[str] = []
    if scope.level is Level.CLUSTER:
        notes.append(cluster_note(ops.account))
    else:
        check_reader_account(ops, scope.account, "the reference (state at T)")
    with BatchReader(ops) as reader:
        return _capture_reference(reader, ops, scope, at_ns, at_utc, fingerprint, target_account, tables, notes,
                                  chunk_rows)


def _capture_reference(reader: BatchReader, ops: PitrOperations, scope: Scope, at_ns: int, at_utc: str,
                       fingerprint: bool, target_account: str | None, tables: Any, notes: list[str],
                       chunk_rows: int = CHUNK_ROWS) -> Reference:
    when = f"at timestamp {at_utc}"
    if tables is not None:
        pairs = parse_table_names(tables)
        present = set(reader.tables(sorted({db for db, _ in pairs}), at_ns))
        absent = [f"{db}.{t}" for db, t in pairs if (db, t) not in present]
        if absent:
            raise errors.ObjectNotFound(f"tables {', '.join(absent)} do not exist {when}")
        dbs: tuple[str, ...] | None = None
        complete = False
    else:
        dbs, pairs = scope_databases_and_tables(reader, scope, at_ns, when=when)
        complete = scope.level is not Level.TABLE
    own = {d for d, _ in pairs} | ({scope.database} if scope.database and tables is None else set())
    params = inventory_objects.read_params(scope.level.value, dbs if dbs is not None else own, pairs,
                                           explicit=tables is not None,
                                           beside=target_account is not None)
    objects = inventory_objects.capture(reader.run, params, at_ns)
    pairs = inventory_objects.without_views(pairs, objects)
    states = reader.states(pairs, at_ns, fingerprint, chunk_rows=chunk_rows)
    return Reference(
        scope=scope,
        tables=states,
        at_utc=at_utc,
        at_ns=at_ns,
        databases=dbs,
        account=scope.account or ops.account,
        target_account=target_account,
        complete=complete,
        fingerprint=fingerprint,
        notes=tuple(notes),
        objects=objects,
    )


def capture_state(ops: PitrOperations, reference: Reference) -> CurrentState:
    """Read the same scope now: which tables exist, their counts (and fingerprints), batched.

    Missing databases or tables are not errors here: they are what *wait* means.
    """
    is_cluster = reference.scope is not None and reference.scope.level is Level.CLUSTER
    check_reader_account(ops, None if is_cluster else reference.verify_account, "verification (current state)")
    start = time.monotonic()
    with BatchReader(ops) as reader:
        return _capture_state(reader, ops, reference, start)


def _capture_state(reader: BatchReader, ops: PitrOperations, reference: Reference, start: float) -> CurrentState:
    dbs_now = reader.databases(None)
    lowered = {d.lower(): d for d in dbs_now}
    wanted_dbs = databases_to_read_now(reference, dbs_now)
    present = reader.tables(wanted_dbs, None)
    objects = None
    if reference.objects is not None and isinstance(reference.objects.get("read"), Mapping):
        params = dict(reference.objects["read"])
        read_dbs = wanted_dbs if reference.complete and params.get("account") else \
            [lowered[d.lower()] for d in params.get("dbs") or () if d.lower() in lowered]
        objects = inventory_objects.capture(reader.run, params, None, read_dbs)
        present = inventory_objects.without_views(present, objects)
    present = expected_tables(reference, present)
    chunks = {name: st.chunks for name, st in reference.tables.items() if st.chunks}
    # the reference's chunk boundaries, and no new chunking: tables chunked at T are compared chunk by chunk
    states = reader.states(present, None, reference.fingerprint, chunks=chunks, chunk_rows=2**62)
    return CurrentState(
        tables=states,
        databases=tuple(dbs_now) if reference.databases is not None else None,
        account=ops.account,
        read_at_utc=_now_iso(),
        statements=reader.statements,
        duration_s=round(time.monotonic() - start, 6),
        objects=objects,
    )


def verify(ops: PitrOperations, reference: Reference) -> VerificationReport:
    """Convenience: :func:`capture_state` then :func:`compare`."""
    return compare(reference, capture_state(ops, reference))
