"""The object inventory at T and now: databases, tables and columns, and their differences as sentences.

Why a separate inventory: a restore can leave every row right and still be wrong (a column renamed,
retyped or added after T; an empty database dropped; MatrixOne #26070/#27078 dropped objects and
reported success). Columns come from ``information_schema.columns`` read with the same time-travel
hint as the data, so the schema at T and now are read by one statement each, however many tables.
``SHOW INDEX`` does not exist in matrixone_lite yet; primary keys are compared through ``column_key``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from . import statements
from .fingerprint import Column
from .identifiers import quote_string
from .table_state import TableState

__all__ = ["column_sql", "diff_columns", "parse_columns", "unexpected_table_sentence"]

#: Databases per information_schema statement.
COLUMN_BATCH = 100


def column_sql(dbs: Sequence[str], at_ns: int | None) -> list[str]:
    """One statement per batch of databases; rows: schema, table, column, type, null, default, position, key."""
    hint = f" {statements.time_travel_hint(at_ns=at_ns)}" if at_ns is not None else ""
    out = []
    for i in range(0, len(dbs), COLUMN_BATCH):
        names = ", ".join(quote_string(d) for d in dbs[i : i + COLUMN_BATCH])
        # database names were validated by the caller and are quoted as string literals
        out.append("SELECT table_schema, table_name, column_name, column_type, is_nullable, column_default, "  # noqa: S608
                   f"ordinal_position, column_key FROM information_schema.columns{hint} "
                   f"WHERE table_schema IN ({names})")
    return out


def _text(value: Any) -> str:
    return bytes(value).decode() if isinstance(value, (bytes, bytearray)) else str(value)


def parse_columns(rows: Sequence[tuple[Any, ...]]) -> dict[str, list[Column]]:
    """``{"db.table": [Column, ...]}`` from :func:`column_sql` rows (keys in the server's spelling)."""
    out: dict[str, list[Column]] = {}
    for schema, table, name, typ, nullable, default, position, key in rows:
        out.setdefault(f"{_text(schema)}.{_text(table)}", []).append(Column(
            _text(name), _text(typ), _text(nullable).upper() == "YES", None if default is None else _text(default),
            int(position), _text(key or "")))
    for cols in out.values():
        cols.sort(key=lambda c: c.position)
    return out


def _key(key: str) -> str:
    return {"PRI": "part of the primary key", "UNI": "a unique key", "MUL": "indexed"}.get(key.upper(), "not a key")


def diff_columns(table: str, at_t: Sequence[Column], now: Sequence[Column]) -> list[str]:
    """Each difference of one table's columns as a sentence a person understands."""
    before = {c.name.lower(): c for c in at_t}
    after = {c.name.lower(): c for c in now}
    out: list[str] = []
    for name, c in before.items():
        n = after.get(name)
        where = f"column {table}.{c.name}"
        if n is None:
            out.append(f"{where} ({c.type}) existed at T and is missing now")
            continue
        if c.type.lower() != n.type.lower():
            out.append(f"{where} was {c.type.lower()} at T and is {n.type.lower()} now")
        if c.nullable != n.nullable:
            out.append(f"{where} was {'NULL' if c.nullable else 'NOT NULL'} at T and is "
                       f"{'NULL' if n.nullable else 'NOT NULL'} now")
        if c.default != n.default:
            out.append(f"{where} had default {c.default!r} at T and has {n.default!r} now")
        if c.position != n.position:
            out.append(f"{where} was column {c.position} at T and is column {n.position} now")
        if c.key.upper() != n.key.upper():
            out.append(f"{where} was {_key(c.key)} at T and is {_key(n.key)} now")
    for name, n in after.items():
        if name not in before:
            out.append(f"column {table}.{n.name} ({n.type}) did not exist at T and exists now")
    return out


def unexpected_table_sentence(name: str, now: TableState, at_t: Mapping[str, TableState]) -> str:
    """The sentence for a table that exists now and was not in its database at T.

    Why more than "did not exist at T": MatrixOne #27116 restored *another database's* table into
    the scope. When the table's digest now (columns, types, keys and content: it does not include
    the table's own name) equals the digest of a table of another database at T (``at_t``: the
    reference, plus any same-named tables of other databases read at T), the sentence names it,
    preferring a table of the same name. Without a content digest, or no match, nothing more can
    truthfully be said. Either way it stays a MISMATCH: the table is not part of the scope at T.
    """
    db, table = name.split(".", 1)
    if now.fingerprint and not now.unverifiable:
        same: list[str] = []
        other: list[str] = []
        for candidate, state in sorted(at_t.items()):
            cdb, ctable = candidate.split(".", 1)
            if cdb.lower() == db.lower() or state.unverifiable or state.fingerprint != now.fingerprint:
                continue
            (same if ctable.lower() == table.lower() else other).append(candidate)
        if same or other:
            return (f"table {name} is not part of {db} at T; its content ({now.rows} rows, same columns) matches "
                    f"{(same or other)[0]} at T (a restore from another database's snapshot? MatrixOne #27116)")
    return f"table {name} did not exist at T and exists now"
