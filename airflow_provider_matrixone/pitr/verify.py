"""Restore verification model: a reference at T, the current state, and what a comparison needs.

Pure domain code (no Airflow, no connection, no clock): the restore operator captures a
:class:`Reference` before it restores, the sensor and the trigger read the current state and decide
with :func:`compare` (:mod:`.verdicts`). The reads themselves (``capture_reference``,
``capture_state``, batched ``UNION ALL`` statements over one connection) live in
:mod:`airflow_provider_matrixone.sql_io.capture`; what they decide on without a round trip (which
databases to read now, which tables are expected) is here, so it is testable without a server.
What is compared by default: databases, tables, columns, row counts and exact content
fingerprints (:mod:`.fingerprint`, :mod:`.inventory`).

MatrixOne fact that shapes the API: time-travel reads and counts only see the *connected*
account's databases, so the reading client's account must be the scope's account
(:class:`AccountMismatch` otherwise).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from . import errors
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
    "check_reader_account",
    "cluster_note",
    "compare",
    "databases_to_read_now",
    "expected_tables",
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



def databases_to_read_now(reference: Reference, dbs_now: list[str]) -> list[str]:
    """Which of the databases present now the current-state capture reads (pure: given the listing).

    A complete account/cluster reference reads every database (a new one is *unexpected*);
    otherwise only the reference's own databases (and the scope's) that exist now.
    """
    scope = reference.scope
    if reference.complete and scope is not None and scope.level in (Level.ACCOUNT, Level.CLUSTER):
        return dbs_now
    lowered = {d.lower(): d for d in dbs_now}
    wanted = {db for db, _ in reference.table_pairs()}
    if scope is not None and scope.database:
        wanted.add(scope.database)
    return sorted(lowered[d.lower()] for d in wanted if d.lower() in lowered)


def expected_tables(reference: Reference, present: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """``present`` narrowed to the reference's tables unless the reference is the whole scope."""
    if reference.complete:
        return present
    expected = {(db.lower(), t.lower()) for db, t in reference.table_pairs()}
    return [p for p in present if (p[0].lower(), p[1].lower()) in expected]


def cluster_note(account: str) -> str:
    """Why a cluster-scope reference verifies one account only."""
    return f"cluster scope: only account {account} is verified (reads see the connected account)"
