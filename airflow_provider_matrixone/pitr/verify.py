"""Restore verification: a reference at T, the current state, and a table-by-table comparison.

Pure domain code (no Airflow): the restore operator captures a :class:`Reference` before it
restores, the sensor and the trigger read the current state with :func:`capture_state` and decide
with :func:`compare`. Every read is batched (``UNION ALL`` counts, one connection per step), so
verifying 1,000 tables costs a handful of round trips instead of 1,000.

MatrixOne fact that shapes the API: time-travel reads and counts only see the *connected*
account's databases, so the reading client's account must be the scope's account
(:class:`AccountMismatch` otherwise).
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from . import errors, statements, timestamps
from .client import SYSTEM_DATABASES, PitrOperations, _set_autocommit, translate_driver_error
from .identifiers import describe_value, quote_contained, quote_string, validate_name
from .models import Level, Scope

__all__ = [
    "AccountMismatch",
    "CurrentState",
    "Reference",
    "TableResult",
    "TableState",
    "VerificationReport",
    "capture_reference",
    "capture_state",
    "check_reader_account",
    "compare",
    "fingerprint_sql",
    "parse_table_names",
    "reference_from_counts",
]

STATUS_PASS = "pass"
STATUS_WAIT = "wait"
STATUS_FAIL = "fail"

OK = "ok"
MISSING = "missing"
COUNT_MISMATCH = "count_mismatch"
FINGERPRINT_MISMATCH = "fingerprint_mismatch"
UNEXPECTED = "unexpected"

#: Tables per UNION ALL statement: large enough for few round trips, small enough for the planner.
COUNT_BATCH = 200
FINGERPRINT_BATCH = 50


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


@dataclass(frozen=True)
class TableState:
    """Row count and optional order-independent fingerprint of one table."""

    rows: int
    fingerprint: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"rows": self.rows, "fingerprint": self.fingerprint}

    @classmethod
    def from_dict(cls, data: Any) -> TableState:
        if isinstance(data, int) and not isinstance(data, bool):
            data = {"rows": data}
        if not isinstance(data, Mapping) or "rows" not in data:
            raise errors.InvalidInput("reference", f"table entry {describe_value(data)} needs 'rows'")
        rows = data["rows"]
        if isinstance(rows, bool) or not isinstance(rows, int) or rows < 0:
            raise errors.InvalidInput("reference", f"rows must be a non-negative int, got {describe_value(rows)}")
        fp = data.get("fingerprint")
        return cls(rows=rows, fingerprint=None if fp is None else str(fp))


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
        )


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


@dataclass(frozen=True)
class TableResult:
    """One line of the verification report."""

    name: str
    verdict: str
    expected_rows: int | None = None
    actual_rows: int | None = None
    expected_fingerprint: str | None = None
    actual_fingerprint: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"table": self.name, "verdict": self.verdict, "expected_rows": self.expected_rows,
                "actual_rows": self.actual_rows, "expected_fingerprint": self.expected_fingerprint,
                "actual_fingerprint": self.actual_fingerprint}


@dataclass(frozen=True)
class VerificationReport:
    """Outcome of :func:`compare`: ``pass`` | ``wait`` (tables missing) | ``fail``."""

    status: str
    results: tuple[TableResult, ...]
    reference_at_utc: str | None
    account: str | None
    checked_at_utc: str
    statements: int = 0
    unexpected_databases: tuple[str, ...] = ()
    notes: tuple[str, ...] = field(default_factory=tuple)

    def counts(self) -> dict[str, int]:
        out = {OK: 0, MISSING: 0, COUNT_MISMATCH: 0, FINGERPRINT_MISMATCH: 0, UNEXPECTED: 0}
        for r in self.results:
            out[r.verdict] = out.get(r.verdict, 0) + 1
        return out

    @property
    def problems(self) -> list[TableResult]:
        return [r for r in self.results if r.verdict != OK]

    def summary(self) -> str:
        c = self.counts()
        parts = [f"{v} {k}" for k, v in c.items() if v]
        dbs = f", unexpected databases: {', '.join(self.unexpected_databases)}" if self.unexpected_databases else ""
        return f"verification {self.status}: {len(self.results)} tables ({', '.join(parts) or 'none'}){dbs}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "summary": self.summary(),
            "counts": self.counts(),
            "reference_at_utc": self.reference_at_utc,
            "account": self.account,
            "checked_at_utc": self.checked_at_utc,
            "statements": self.statements,
            "unexpected_databases": list(self.unexpected_databases),
            "tables": [r.to_dict() for r in self.results],
            "notes": list(self.notes),
        }

    def render(self, *, only_problems: bool = False) -> str:
        """A fixed-width table for task logs; ``only_problems`` keeps the diff short."""
        rows = self.problems if only_problems else list(self.results)
        header = ("table", "expected", "actual", "verdict", "fingerprint (expected / actual)")
        body = []
        for r in rows:
            fp = ""
            if r.expected_fingerprint is not None or r.actual_fingerprint is not None:
                fp = f"{r.expected_fingerprint or '-'} / {r.actual_fingerprint or '-'}"
            body.append((r.name, _cell(r.expected_rows), _cell(r.actual_rows), r.verdict, fp))
        widths = [max(len(h), *(len(b[i]) for b in body)) if body else len(h) for i, h in enumerate(header)]
        lines = [self.summary()]
        if self.reference_at_utc:
            lines.append(f"reference at {self.reference_at_utc}; account {self.account or '-'}; "
                         f"checked at {self.checked_at_utc}")
        fmt = "  ".join(f"{{:{'>' if i in (1, 2) else '<'}{w}}}" for i, w in enumerate(widths))
        lines.append(fmt.format(*header).rstrip())
        lines.append("  ".join("-" * w for w in widths))
        lines.extend(fmt.format(*b).rstrip() for b in body)
        lines.extend(f"note: {n}" for n in self.notes)
        return "\n".join(lines)


def _cell(value: int | None) -> str:
    return "-" if value is None else str(value)


# --------------------------------------------------------------------------------------- comparison


def compare(reference: Reference, state: CurrentState) -> VerificationReport:
    """Table by table: missing tables mean *wait*, any other difference means *fail*."""
    results: list[TableResult] = []
    for name in sorted(reference.tables):
        exp = reference.tables[name]
        act = state.tables.get(name)
        if act is None:
            results.append(TableResult(name, MISSING, exp.rows, None, exp.fingerprint, None))
            continue
        verdict = OK
        if exp.rows != act.rows:
            verdict = COUNT_MISMATCH
        elif exp.fingerprint is not None and act.fingerprint is not None and exp.fingerprint != act.fingerprint:
            verdict = FINGERPRINT_MISMATCH
        results.append(TableResult(name, verdict, exp.rows, act.rows, exp.fingerprint, act.fingerprint))
    unexpected_dbs: tuple[str, ...] = ()
    if reference.complete:
        for name in sorted(set(state.tables) - set(reference.tables)):
            act = state.tables[name]
            results.append(TableResult(name, UNEXPECTED, None, act.rows, None, act.fingerprint))
        if reference.databases is not None and state.databases is not None:
            known = {d.lower() for d in reference.databases}
            unexpected_dbs = tuple(sorted(d for d in state.databases if d.lower() not in known))
    verdicts = {r.verdict for r in results}
    if MISSING in verdicts:
        status = STATUS_WAIT
    elif verdicts - {OK} or unexpected_dbs:
        status = STATUS_FAIL
    else:
        status = STATUS_PASS
    return VerificationReport(
        status=status,
        results=tuple(results),
        reference_at_utc=reference.at_utc,
        account=state.account,
        checked_at_utc=state.read_at_utc,
        statements=state.statements,
        unexpected_databases=unexpected_dbs,
        notes=reference.notes,
    )


# ------------------------------------------------------------------------------------------ reading


class _Reader:
    """Sends batched statements over ONE connection (opened lazily) and counts them.

    ``PitrOperations.execute_many`` opens a connection per call; a capture needs three dependent
    steps (databases, tables, counts), so holding one connection saves two handshakes per read.
    """

    def __init__(self, ops: PitrOperations) -> None:
        self.ops = ops
        self.statements = 0
        self._conn: Any = None

    def __enter__(self) -> _Reader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._conn is not None:
            conn, self._conn = self._conn, None
            try:
                conn.close()
            except Exception:  # noqa: BLE001 - closing a broken connection must not hide the real error
                pass

    def run(self, sqls: Sequence[str]) -> list[tuple[list[str], list[tuple[Any, ...]]]]:
        if not sqls:
            return []
        self.statements += len(sqls)
        try:
            if self._conn is None:
                self._conn = self.ops._open_connection()
                _set_autocommit(self._conn, True)
            results = []
            cur = self._conn.cursor()
            try:
                for sql in sqls:
                    if self.ops.log_sql:
                        self.ops._logger.info("MatrixOne SQL: %s", sql if len(sql) < 300 else sql[:300] + " ...")
                    cur.execute(sql)
                    columns = [d[0] for d in (cur.description or [])]
                    rows = [tuple(r) for r in cur.fetchall()] if cur.description else []
                    results.append((columns, rows))
            finally:
                cur.close()
            return results
        except errors.MatrixOneError:
            raise
        except Exception as exc:
            self.close()
            mapped = translate_driver_error(exc)
            if mapped is None:
                raise
            raise mapped from exc

    def databases(self, at_ns: int | None) -> list[str]:
        (_, rows), = self.run([statements.show_databases(at_ns)])
        return sorted(str(r[0]) for r in rows if str(r[0]).lower() not in SYSTEM_DATABASES)

    def tables(self, dbs: Sequence[str], at_ns: int | None) -> list[tuple[str, str]]:
        results = self.run([statements.show_tables(db, at_ns) for db in dbs])
        pairs: list[tuple[str, str]] = []
        for db, (_, rows) in zip(dbs, results, strict=True):
            pairs.extend((db, str(r[0])) for r in rows)
        return sorted(pairs)

    def counts(self, pairs: Sequence[tuple[str, str]], at_ns: int | None) -> dict[str, TableState]:
        out: dict[str, TableState] = {}
        sqls = statements.count_rows(list(pairs), at_ns=at_ns, batch_size=COUNT_BATCH) if pairs else []
        for _, rows in self.run(sqls):
            for db_name, table_name, n in rows:
                out[f"{_text(db_name)}.{_text(table_name)}"] = TableState(int(n))
        return out

    def fingerprints(self, pairs: Sequence[tuple[str, str]], at_ns: int | None) -> dict[str, TableState]:
        """Column lists (``SELECT * ... LIMIT 0``, one connection), then batched fingerprint sums."""
        if not pairs:
            return {}
        probes = self.run([_column_probe(db, t, at_ns) for db, t in pairs])
        with_columns = [(db, t, cols) for (db, t), (cols, _) in zip(pairs, probes, strict=True)]
        out: dict[str, TableState] = {}
        for _, rows in self.run(fingerprint_sql(with_columns, at_ns=at_ns)):
            for db_name, table_name, n, fp in rows:
                out[f"{_text(db_name)}.{_text(table_name)}"] = TableState(int(n), f"{int(n)}:{int(fp or 0)}")
        return out

    def states(self, pairs: Sequence[tuple[str, str]], at_ns: int | None, fingerprint: bool) -> dict[str, TableState]:
        return self.fingerprints(pairs, at_ns) if fingerprint else self.counts(pairs, at_ns)


def _text(value: Any) -> str:
    return bytes(value).decode() if isinstance(value, (bytes, bytearray)) else str(value)


def _hint(at_ns: int | None) -> str:
    return f" {statements.time_travel_hint(at_ns=at_ns)}" if at_ns is not None else ""


def _column_probe(db: str, table: str, at_ns: int | None) -> str:
    source = f"{quote_contained(db, 'database')}.{quote_contained(table, 'table')}"
    return f"SELECT * FROM {source}{_hint(at_ns)} LIMIT 0"  # noqa: S608 - names back-quoted, back-quotes doubled


def _quote_column(name: str) -> str:
    """Column names come from the server's result metadata, not from users: back-quote them."""
    if not isinstance(name, str) or not name or any(ord(c) < 32 for c in name):
        raise errors.InvalidInput("column", f"unusable column name {describe_value(name)}")
    return "`" + name.replace("`", "``") + "`"


def fingerprint_sql(
    tables: Sequence[tuple[str, str, Sequence[str]]], *, at_ns: int | None = None, batch_size: int = FINGERPRINT_BATCH
) -> list[str]:
    """Order-independent per-table fingerprints, ``UNION ALL``-batched.

    ``SUM(CRC32(CONCAT_WS('|', IFNULL(CONCAT('v', CAST(c AS CHAR)), 'n'), ...)))``: a sum of row
    hashes does not depend on row order; the ``'v'`` prefix keeps NULL apart from the string 'n'.
    Only functions MatrixOne has: COUNT, SUM, CRC32, CONCAT_WS, CONCAT, IFNULL, CAST
    ([MO] pkg/sql/plan/function/function_id.go: COUNT=82, SUM=183, CRC32=81, CONCAT_WS=76,
    IFNULL=114, CONCAT=16, CAST=21; overloads in list_builtIn.go / list_agg.go).
    """
    selects: list[str] = []
    for db, table, columns in tables:
        if not columns:
            raise errors.InvalidInput("columns", f"table {db}.{table} has no columns to fingerprint")
        parts = ", ".join(f"IFNULL(CONCAT('v', CAST({_quote_column(c)} AS CHAR)), 'n')" for c in columns)
        # Every name is validated and quoted (columns back-quoted): not an injection vector.
        source = f"{quote_contained(db, 'database')}.{quote_contained(table, 'table')}{_hint(at_ns)}"
        cols = (f"{quote_string(db)} AS db_name, {quote_string(table)} AS table_name, COUNT(*) AS row_count, "
                f"SUM(CRC32(CONCAT_WS('|', {parts}))) AS fp")
        selects.append(" ".join(("SELECT", cols, "FROM", source)))
    return [" UNION ALL ".join(selects[i : i + batch_size]) for i in range(0, len(selects), batch_size)]


def _scope_databases_and_tables(
    reader: _Reader, scope: Scope, at_ns: int | None, *, when: str
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
    fingerprint: bool = False,
    target_account: str | None = None,
    tables: Any = None,
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
    with _Reader(ops) as reader:
        return _capture_reference(reader, ops, scope, at_ns, at_utc, fingerprint, target_account, tables, notes)


def _capture_reference(reader: _Reader, ops: PitrOperations, scope: Scope, at_ns: int, at_utc: str,
                       fingerprint: bool, target_account: str | None, tables: Any, notes: list[str]) -> Reference:
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
        dbs, pairs = _scope_databases_and_tables(reader, scope, at_ns, when=when)
        complete = scope.level is not Level.TABLE
    states = reader.states(pairs, at_ns, fingerprint)
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
    )


def capture_state(ops: PitrOperations, reference: Reference) -> CurrentState:
    """Read the same scope now: which tables exist, their counts (and fingerprints), batched.

    Missing databases or tables are not errors here: they are what *wait* means.
    """
    is_cluster = reference.scope is not None and reference.scope.level is Level.CLUSTER
    check_reader_account(ops, None if is_cluster else reference.verify_account, "verification (current state)")
    start = time.monotonic()
    with _Reader(ops) as reader:
        return _capture_state(reader, ops, reference, start)


def _capture_state(reader: _Reader, ops: PitrOperations, reference: Reference, start: float) -> CurrentState:
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
    if not reference.complete:
        expected = {(db.lower(), t.lower()) for db, t in reference.table_pairs()}
        present = [p for p in present if (p[0].lower(), p[1].lower()) in expected]
    states = reader.states(present, None, reference.fingerprint)
    return CurrentState(
        tables=states,
        databases=tuple(dbs_now) if reference.databases is not None else None,
        account=ops.account,
        read_at_utc=_now_iso(),
        statements=reader.statements,
        duration_s=round(time.monotonic() - start, 6),
    )


def verify(ops: PitrOperations, reference: Reference) -> VerificationReport:
    """Convenience: :func:`capture_state` then :func:`compare`."""
    return compare(reference, capture_state(ops, reference))
