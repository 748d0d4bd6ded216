"""What a statement returns (``Result``, ``Column``) and how a result column's type is guessed.

Its own module because every layer builds results: the engine session's mixins
(``matrixone_lite/execution/``), ``mo/``, ``sql/`` and the wire. ``matrixone_lite.engine``
re-exports these names, which is where the rest of the package imports them from.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from matrixone_lite.storage.codec import to_decimal


@dataclass
class Column:
    """A result-set column; ``type`` is a MySQL type name."""

    name: str
    type: str
    scale: int | None = None


@dataclass
class Result:
    columns: list[Column] | None = None  # None -> OK packet
    rows: list[tuple[Any, ...]] = field(default_factory=list)
    affected_rows: int = 0
    last_insert_id: int = 0


@dataclass
class UserInfo:
    account: str
    account_id: int
    name: str
    auth_string: str
    default_role: str


def column_of(name: str, i: int, rows: list[tuple[Any, ...]], t: tuple[str, int | None] | None) -> Column:
    """Column ``i``'s MySQL type: from its first non-NULL value, else the translator's type."""
    for r in rows:
        v = r[i]
        if v is None:
            continue
        if isinstance(v, bool):
            return Column(name, "TINYINT")
        if isinstance(v, int):
            return Column(name, "BIGINT")
        if isinstance(v, float):
            return Column(name, "DOUBLE")
        if isinstance(v, Decimal):
            exp_ = v.as_tuple().exponent
            return Column(name, "DECIMAL", -exp_ if isinstance(exp_, int) and exp_ < 0 else 0)
        if isinstance(v, datetime):
            return Column(name, "DATETIME")
        if isinstance(v, date):
            return Column(name, "DATE")
        if isinstance(v, bytes):
            return Column(name, "BLOB")
        return Column(name, "VARCHAR")
    if t is not None:
        return Column(name, t[0], t[1] if t[0] == "DECIMAL" else None)
    return Column(name, "NULL" if rows else "VARCHAR")


def decimal_conv(scale: int) -> Callable[[Any], Any]:
    return lambda v: v if v is None or isinstance(v, Decimal) else to_decimal(v, scale)


__all__ = ["Column", "Result", "UserInfo", "column_of", "decimal_conv"]
