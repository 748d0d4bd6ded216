"""The SQL of the content fingerprint: a server-side, order-independent, exact proof of a table's rows.

Why this shape (the alternatives were each shown unsound in issue 13):

* **Each value is encoded exactly and unambiguously.** Strings, binary and JSON are ``HEX``-ed (so
  ``X'FF'`` cannot crash a character conversion, a trailing space is two hex digits, and no value
  can contain the ``,`` that separates columns); numbers, decimals and temporal values are
  ``CAST(... AS CHAR)`` (a DECIMAL keeps all its scale digits); a DOUBLE is its 15-digit text *plus*
  the exact residual ``d - CAST(CAST(d AS CHAR) AS DOUBLE)``, so ``0.1e0+0.2e0`` and ``0.3`` differ
  although both print as ``0.3``. NULL is ``N``, which no encoding of a value produces (so NULL and
  ``''`` differ).
* **Each row gets a 64-bit hash that cannot be steered**: ``MD5`` of the row's encoding, folded into
  two 32-bit halves with ``CRC32`` of each half of the digest. CRC32 of the raw row would be affine
  over GF(2), which is how a crafted swap defeats ``SUM(CRC32(...))``; MD5 in between removes that.
* **Rows are combined so that order does not matter and duplicates do not cancel**: ``COUNT(*)``,
  ``SUM`` and ``BIT_XOR`` of both halves (128 bits of state; XOR alone cancels two equal rows, SUM
  alone is what the brute-forced collision attacked).
* **Column names, types, nullability, defaults and order are part of the proof** (the schema
  signature, read from ``information_schema.columns`` at the same instant), so a renamed or
  retyped column never matches.

Only functions MatrixOne has: COUNT, SUM, BIT_XOR, CRC32, MD5, SUBSTRING, HEX, CONCAT, CONCAT_WS,
IFNULL, CAST ([MO] pkg/sql/plan/function/function_id.go: 82, 183, 66, 81, 112, 210, 110, 16, 76, 114, 21).

Large tables are fingerprinted in primary-key chunks (``chunk_rows``) so a mismatch names the key
range; the aggregates add up (sums add, XORs XOR), so the table digest does not depend on chunking.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from . import errors, statements
from .identifiers import describe_value, quote_contained, quote_string

__all__ = ["CHUNK_ROWS", "Aggregate", "Column", "chunk_where", "encode_column", "fingerprint_select",
           "schema_signature", "table_digest"]

#: Tables with more rows than this are fingerprinted in primary-key chunks of this many rows.
CHUNK_ROWS = 200_000

#: A LIMIT that keeps every row (2**63 - 1: a valid LIMIT in MySQL, MatrixOne and SQLite alike; MySQL's
#: manual spells "all rows" 18446744073709551615, which SQLite rejects). It only marks the derived
#: tables of :func:`fingerprint_select` as not to be merged into the aggregate (see there).
ALL_ROWS = 2**63 - 1

_DOUBLE = ("float", "double", "real")
_EXACT_TEXT = ("tinyint", "smallint", "mediumint", "int", "integer", "bigint", "decimal", "numeric", "bit",
               "bool", "boolean", "date", "time", "datetime", "timestamp", "year")
_HEX = ("char", "varchar", "text", "tinytext", "mediumtext", "longtext", "binary", "varbinary", "blob",
        "tinyblob", "mediumblob", "longblob", "enum", "set", "uuid", "datalink")


@dataclass(frozen=True)
class Column:
    """One column as the server reports it (``information_schema.columns``)."""

    name: str
    type: str
    nullable: bool
    default: str | None
    position: int
    key: str = ""

    def to_list(self) -> list[Any]:
        return [self.name, self.type, self.nullable, self.default, self.position, self.key]

    @classmethod
    def from_list(cls, data: Any) -> Column:
        if not isinstance(data, (list, tuple)) or len(data) != 6:
            raise errors.InvalidInput("reference", f"column entry {describe_value(data)} needs 6 fields")
        name, typ, nullable, default, position, key = data
        return cls(str(name), str(typ), bool(nullable), None if default is None else str(default), int(position),
                   str(key or ""))

    @property
    def base_type(self) -> str:
        return self.type.lower().split("(", 1)[0].split(" ", 1)[0].strip()


def _quote_column(name: str) -> str:
    """Column names come from the server's catalog, not from users: back-quote them."""
    if not isinstance(name, str) or not name or any(ord(c) < 32 for c in name):
        raise errors.InvalidInput("column", f"unusable column name {describe_value(name)}")
    return "`" + name.replace("`", "``") + "`"


def encode_column(column: Column) -> str:
    """An exact, separator-free text for one value; ``N`` for NULL (see the module docstring)."""
    c = _quote_column(column.name)
    base = column.base_type
    if base in _DOUBLE:
        enc = f"CONCAT(CAST({c} AS CHAR), '~', CAST({c} - CAST(CAST({c} AS CHAR) AS DOUBLE) AS CHAR))"
    elif base in _EXACT_TEXT:
        enc = f"CAST({c} AS CHAR)"
    elif base in _HEX:
        enc = f"HEX({c})"
    else:  # json, vectors, anything newer: its text form, hex-encoded so it cannot hold a separator
        enc = f"HEX(CAST({c} AS CHAR))"
    return f"IFNULL({enc}, 'N')"


def _literal(value: Any) -> str:
    if isinstance(value, bool) or value is None:
        raise errors.InvalidInput("chunk", f"unusable chunk boundary {describe_value(value)}")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, (bytes, bytearray)):
        return "X'" + bytes(value).hex() + "'"
    return quote_string(str(value))


def chunk_where(key: str, lo: Any, hi: Any) -> str:
    """``WHERE`` of one primary-key chunk ``[lo, hi)``; ``None`` is an open end."""
    k = _quote_column(key)
    parts = []
    if lo is not None:
        parts.append(f"{k} >= {_literal(lo)}")
    if hi is not None:
        parts.append(f"{k} < {_literal(hi)}")
    return f" WHERE {' AND '.join(parts)}" if parts else ""


def fingerprint_select(db: str, table: str, columns: Sequence[Column], at_ns: int | None, *, label: str = "",
                       where: str = "") -> str:
    """One ``SELECT`` returning ``db, table, label, n, sum_a, sum_b, xor_a, xor_b`` for a table or chunk."""
    if not columns:
        raise errors.InvalidInput("columns", f"table {db}.{table} has no columns to fingerprint")
    row = f"MD5(CONCAT_WS(',', {', '.join(encode_column(c) for c in sorted(columns, key=lambda c: c.position))}))"
    hint = f" {statements.time_travel_hint(at_ns=at_ns)}" if at_ns is not None else ""
    # names the server listed: back-quoted as they are (quote_contained), never re-validated as user input
    source = f"{quote_contained(db, 'database')}.{quote_contained(table, 'table')}{hint}"
    # The digest is computed once per row in a derived table, then split into its two halves. Both
    # derived tables carry a no-op LIMIT (ALL_ROWS) so an engine that merges derived tables into the
    # outer query (SQLite: "query flattening") cannot re-evaluate MD5 once per aggregate that uses it.
    # Every name is validated and quoted (columns back-quoted), boundaries are literals: not an injection vector.
    inner = (f"SELECT CRC32(SUBSTRING(h, 1, 16)) AS a, CRC32(SUBSTRING(h, 17, 16)) AS b "  # noqa: S608
             f"FROM (SELECT {row} AS h FROM {source}{where} LIMIT {ALL_ROWS}) AS fp_digest LIMIT {ALL_ROWS}")
    return (f"SELECT {quote_string(db)} AS db_name, "  # noqa: S608
            f"{quote_string(table)} AS table_name, {quote_string(label)} AS chunk, "
            f"COUNT(*) AS n, SUM(a) AS sa, SUM(b) AS sb, BIT_XOR(a) AS xa, BIT_XOR(b) AS xb FROM ({inner}) AS fp_rows")


@dataclass(frozen=True)
class Aggregate:
    """The additive state of a table or chunk: count, two sums and two XORs."""

    rows: int = 0
    sum_a: int = 0
    sum_b: int = 0
    xor_a: int = 0
    xor_b: int = 0

    @classmethod
    def from_row(cls, n: Any, sa: Any, sb: Any, xa: Any, xb: Any) -> Aggregate:
        return cls(int(n), int(sa or 0), int(sb or 0), int(xa or 0), int(xb or 0))

    def __add__(self, other: Aggregate) -> Aggregate:
        return Aggregate(self.rows + other.rows, self.sum_a + other.sum_a, self.sum_b + other.sum_b,
                         self.xor_a ^ other.xor_a, self.xor_b ^ other.xor_b)

    def text(self) -> str:
        return f"{self.rows}:{self.sum_a}:{self.sum_b}:{self.xor_a}:{self.xor_b}"


def schema_signature(columns: Sequence[Column]) -> str:
    """Column names, types, nullability, defaults, keys and order, as canonical text."""
    cols = [[c.name.lower(), c.type.lower(), c.nullable, c.default, c.position, c.key]
            for c in sorted(columns, key=lambda c: c.position)]
    return json.dumps(cols, separators=(",", ":"))


def table_digest(columns: Sequence[Column], aggregate: Aggregate) -> str:
    """``<rows>:<sha256 prefix>`` of the schema signature and the content aggregate."""
    h = hashlib.sha256(f"{schema_signature(columns)}|{aggregate.text()}".encode()).hexdigest()[:32]
    return f"{aggregate.rows}:{h}"
