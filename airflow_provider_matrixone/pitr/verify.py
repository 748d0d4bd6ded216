"""Restore verification: a reference at T, the current state, and an object-by-object comparison.

Pure domain code (no Airflow): the restore operator captures a :class:`Reference` before it
restores, the sensor and the trigger read the current state with :func:`capture_state` and decide
with :func:`compare` (:mod:`.verdicts`). What is compared by default: databases, tables, columns,
row counts and exact content fingerprints (:mod:`.fingerprint`, :mod:`.inventory`), read by
:mod:`.reading`. Every read is batched (``UNION ALL``, one connection per step), so verifying
1,000 tables costs a few dozen round trips instead of thousands.

MatrixOne fact that shapes the API: time-travel reads and counts only see the *connected*
account's databases, so the reading client's account must be the scope's account
(:class:`AccountMismatch` otherwise).
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

# Run-time I/O: this module orchestrates batched reads, an exception named in
# tests/unit/pitr/test_pitr_is_pure.py (issue 12, point 3).
from airflow_provider_matrixone.sql_io.reading import BatchReader

from . import errors, inventory_objects, timestamps
from .fingerprint import CHUNK_ROWS
from .identifiers import describe_value, quote_contained, validate_name
from .models import Level, Scope
from .table_state import TableState
from .verdicts import (
    MISMATCH,
    STATUS_FAIL,
    STATUS_PASS,
    STATUS_WAIT,
    UNVERIFIABLE,
    VERIFIED,
    ObjectResult,
    TableResult,
    VerificationReport,
    compare,
)

if TYPE_CHECKING:
    from airflow_provider_matrixone.sql_io.operations import PitrOperations

__all__ = [
    "MISMATCH",
    "STATUS_FAIL",
    "STATUS_PASS",
    "STATUS_WAIT",
    "UNVERIFIABLE",
    "VERIFIED",
    "AccountMismatch",
    "CurrentState",
    "ObjectResult",
    "Reference",
    "TableResult",
    "TableState",
    "VerificationReport",
    "capture_reference",
    "capture_state",
    "check_reader_account",
    "compare",
    "parse_table_names",
    "reference_from_counts",
]

class AccountMismatch(errors.InvalidInput):
    """The reading connection belongs to another account than the data it must read."""

    def __init__(self, purpose: str, expected: str, actual: str) -> None:
        super().__init__(
            "account",
            f"account: {purpose} must read account {expected!r} but the connection is logged in to account "
            f"{actual!r}; MatrixOne time-travel reads and counts only see the connected account's databases, "
            f"so use a connection of account {expected!r} (example: login {expected}#admin)",
        )
        self.expected = expected
        self.actual = actual


def check_reader_account(ops: PitrOperations, expected: str | None, purpose: str) -> None:
    """Refuse to read ``expected``'s data through a connection of another account."""
    if expected is None:
        return
    actual = ops.account
    if actual.lower() != expected.lower():
        raise AccountMismatch(purpose, expected, actual)


# --------------------------------------------------------------------------------------- data model


def _split_name(name: Any, field_name: str = "tables", *, user: bool = True) -> tuple[str, str]:
    """``'db.table'`` -> ``(db, table)``; the table part may contain dots (split at the first one).

    ``user=False`` for names the server listed (references, XCom): any text MatrixOne allows is
    kept as is (quoted later); ``user=True`` applies the user-name rule of ``identifiers``.
    """
    if not isinstance(name, str) or "." not in name:
        raise errors.InvalidInput(field_name, f"table name {describe_value(name)} must be 'database.table' "
                                  "(example: db2.orders)")
    db, tbl = name.split(".", 1)
    if not user:
        if not db or not tbl or "\0" in name:
            raise errors.InvalidInput(field_name, f"table name {describe_value(name)} is not a name a server lists")
        return db, tbl
    return validate_name(db, "database", "database"), validate_name(tbl, "table", "table")


def parse_table_names(tables: Any, field_name: str = "tables") -> list[tuple[str, str]]:
    """``["db1.t1", ("db2", "t2")]`` -> validated, de-duplicated, sorted ``(db, table)`` pairs."""
    if isinstance(tables, str):
        tables = [t.strip() for t in tables.split(",") if t.strip()]
    if not isinstance(tables, Iterable) or isinstance(tables, Mapping):
        raise errors.InvalidInput(field_name, f"{field_name} must be a list of 'database.table' names "
                                  "(example: ['db1.products', 'db2.orders'])")
    pairs: set[tuple[str, str]] = set()
    for item in tables:
        if isinstance(item, (tuple, list)) and len(item) == 2:
            pairs.add((validate_name(item[0], "database", "database"), validate_name(item[1], "table", "table")))
        else:
            pairs.add(_split_name(item, field_name))
    if not pairs:
        raise errors.InvalidInput(field_name, f"{field_name} is empty (example: ['db2.orders'])")
    return sorted(pairs)


def _scope_from_dict(data: Any) -> Scope | None:
    if data is None:
        return None
    if not isinstance(data, Mapping):
        raise errors.InvalidInput("reference", f"scope must be a mapping, got {describe_value(data)}")
    return Scope.build(data.get("level"), account=data.get("account"), database=data.get("database"),
                       table=data.get("table"))


@dataclass(frozen=True)
class Reference:
    """What the scope looked like at T (or what the user expects): the sensor's expectation.

    ``complete`` means ``tables`` is the whole scope at T, so a table present now but absent at T
    is *unexpected*; it is False for explicit table lists and ``expected_counts``.
    ``account`` is the account whose data was read; ``target_account`` is where restored data is
    expected (restore beside), ``None`` meaning the same account.
    """

    scope: Scope | None
    tables: dict[str, TableState]
    at_utc: str | None = None
    at_ns: int | None = None
    databases: tuple[str, ...] | None = None
    account: str | None = None
    target_account: str | None = None
    complete: bool = False
    fingerprint: bool = False
    notes: tuple[str, ...] = ()
    #: indexes, foreign keys, views, sequences, roles and grants at T (:mod:`.inventory_objects`)
    objects: dict[str, Any] | None = None

    @property
    def verify_account(self) -> str | None:
        """The account whose *current* state must match this reference."""
        return self.target_account or self.account

    def table_pairs(self) -> list[tuple[str, str]]:
        return sorted(_split_name(name, "reference", user=False) for name in self.tables)

    def to_dict(self) -> dict[str, Any]:
        return {
            "scope": self.scope.to_dict() if self.scope else None,
            "at_utc": self.at_utc,
            "at_ns": self.at_ns,
            "account": self.account,
            "target_account": self.target_account,
            "databases": list(self.databases) if self.databases is not None else None,
            "tables": {name: self.tables[name].to_dict() for name in sorted(self.tables)},
            "complete": self.complete,
            "fingerprint": self.fingerprint,
            "notes": list(self.notes),
            "objects": self.objects,
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), sort_keys=True)

    @classmethod
    def from_dict(cls, data: Any) -> Reference:
        """Rebuild from :meth:`to_dict` output; also accepts the restore operator's whole XCom."""
        if isinstance(data, str):
            data = _loads(data)
        if isinstance(data, Mapping) and "reference" in data and "tables" not in data:
            data = data["reference"]
        if not isinstance(data, Mapping) or not isinstance(data.get("tables"), Mapping):
            raise errors.InvalidInput("reference", f"reference must be a mapping with 'tables' (the restore "
                                      f"operator's XCom), got {describe_value(data)}")
        tables = {}
        for name, entry in data["tables"].items():
            db, tbl = _split_name(name, "reference", user=False)
            tables[f"{db}.{tbl}"] = TableState.from_dict(entry)
        at_ns = data.get("at_ns")
        if at_ns is not None and (isinstance(at_ns, bool) or not isinstance(at_ns, int)):
            raise errors.InvalidInput("reference", f"at_ns must be an int, got {describe_value(at_ns)}")
        dbs = data.get("databases")
        account = data.get("account")
        target = data.get("target_account")
        return cls(
            scope=_scope_from_dict(data.get("scope")),
            tables=tables,
            at_utc=data.get("at_utc"),
            at_ns=at_ns,
            databases=tuple(_listed_name(d) for d in dbs) if dbs is not None else None,
            account=validate_name(account, "account", "account") if account else None,
            target_account=validate_name(target, "target account", "account") if target else None,
            complete=bool(data.get("complete", False)),
            fingerprint=bool(data.get("fingerprint", False)),
            notes=tuple(str(n) for n in data.get("notes") or ()),
            objects=_objects(data.get("objects")),
        )


def _objects(value: Any) -> dict[str, Any] | None:
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise errors.InvalidInput("reference", f"objects must be a mapping, got {describe_value(value)}")
    return dict(value)


def _listed_name(value: Any) -> str:
    """A database name the server listed at T: any non-empty string (quoted when used)."""
    quote_contained(value, "database")
    return str(value)


def _loads(text: str) -> Any:
    """XCom templates render dicts as JSON or as Python reprs; accept both, never eval code."""
    try:
        return json.loads(text)
    except ValueError:
        import ast

        try:
            return ast.literal_eval(text)
        except (ValueError, SyntaxError):
            raise errors.InvalidInput("reference", f"reference {describe_value(text)} is neither JSON nor a "
                                      "dict literal") from None


def reference_from_counts(expected_counts: Any, *, account: str | None = None) -> Reference:
    """An expectation without time travel: ``{"db2.orders": 3}``."""
    if isinstance(expected_counts, str):
        expected_counts = _loads(expected_counts)
    if not isinstance(expected_counts, Mapping) or not expected_counts:
        raise errors.InvalidInput("expected_counts", "expected_counts must be a non-empty mapping of "
                                  "'database.table' to a row count (example: {'db2.orders': 3})")
    tables: dict[str, TableState] = {}
    for name, rows in expected_counts.items():
        db, tbl = _split_name(name, "expected_counts")
        if isinstance(rows, str) and rows.strip().isdigit():
            rows = int(rows.strip())
        if isinstance(rows, bool) or not isinstance(rows, int) or rows < 0:
            raise errors.InvalidInput("expected_counts", f"expected_counts[{name!r}] must be a non-negative int, "
                                      f"got {describe_value(rows)}")
        tables[f"{db}.{tbl}"] = TableState(rows)
    return Reference(scope=None, tables=tables, account=account, complete=False)


@dataclass(frozen=True)
class CurrentState:
    """The scope as it is now: present tables (counts, fingerprints) and databases."""

    tables: dict[str, TableState]
    databases: tuple[str, ...] | None
    account: str
    read_at_utc: str
    statements: int
    duration_s: float
    objects: dict[str, Any] | None = None


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
        notes.append(f"cluster scope: only account {ops.account} is verified (reads see the connected account)")
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
    scope = reference.scope
    if reference.complete and scope is not None and scope.level in (Level.ACCOUNT, Level.CLUSTER):
        wanted_dbs = dbs_now
    else:
        wanted = {db for db, _ in reference.table_pairs()}
        if scope is not None and scope.database:
            wanted.add(scope.database)
        wanted_dbs = sorted(lowered[d.lower()] for d in wanted if d.lower() in lowered)
    present = reader.tables(wanted_dbs, None)
    objects = None
    if reference.objects is not None and isinstance(reference.objects.get("read"), Mapping):
        params = dict(reference.objects["read"])
        read_dbs = wanted_dbs if reference.complete and params.get("account") else \
            [lowered[d.lower()] for d in params.get("dbs") or () if d.lower() in lowered]
        objects = inventory_objects.capture(reader.run, params, None, read_dbs)
        present = inventory_objects.without_views(present, objects)
    if not reference.complete:
        expected = {(db.lower(), t.lower()) for db, t in reference.table_pairs()}
        present = [p for p in present if (p[0].lower(), p[1].lower()) in expected]
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
