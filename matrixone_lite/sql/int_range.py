"""Integer columns refuse values outside their type, as MatrixOne does.

Why: SQLite stores any integer (or text) in any column, so ``INSERT INTO t(tinyint_col) VALUES (300)``
or ``'abc'`` into an INT was stored; MatrixOne casts every written value to the column's type and
fails the statement (nothing is stored). Texts and codes from MatrixOne v4.2.0
``pkg/sql/plan/function/func_cast.go``:

- a number outside the type (``overflowForNumericToNumeric``): 1690 ``data out of range: data type
  int8, value '300'`` with the type named ``int8/int16/int32/int64/uint8/uint16/uint32/uint64``;
- a string that is no integer (``strToSigned`` / ``strToUnsigned``): 20203 ``invalid argument cast to
  int, bad value abc`` (``cast to uint8`` … for unsigned columns), and a string integer out of
  range is the same 1690 as a number.

A number with a fraction is rounded half away from zero first (MySQL's rule; MatrixOne's decimal to
integer cast was not checked for this). BIGINT UNSIGNED has its own exact path
(``sql/decimal.py`` ``mo_ubig_in``, text ``uint64``); MEDIUMINT is checked as ``int32``.

Cost: a literal in range is left as it is (checked at translation), a bound parameter (the bulk
INSERT path binds every value) is checked by an SQL ``CASE`` without a Python call when it is an
integer in range; anything else goes through the ``mo_int_in`` function.
"""

from __future__ import annotations

import re
import sqlite3
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from sqlglot import exp

from matrixone_lite.errors import MOError, invalid_argument
from matrixone_lite.storage.catalog import ColumnDef

# MySQL type -> bits (MatrixOne has no 24-bit integer: MEDIUMINT is an int32 there)
_BITS = {"TINYINT": 8, "SMALLINT": 16, "MEDIUMINT": 32, "INT": 32, "INTEGER": 32, "BIGINT": 64}
_INTEGER = re.compile(r"^[+-]?\d+$")


def int_kind(col: ColumnDef) -> tuple[str, int, int] | None:
    """(MatrixOne type name, min, max) of an integer column checked here; None for other columns."""
    bits = _BITS.get(col.type)
    if bits is None:
        return None
    if "unsigned" in col.type_text.lower():
        if bits == 64:
            return None  # BIGINT UNSIGNED: sql/decimal.py's exact path
        return f"uint{bits}", 0, 2**bits - 1
    return f"int{bits}", -(2 ** (bits - 1)), 2 ** (bits - 1) - 1


def out_of_range(kind: str, shown: object) -> MOError:
    return MOError(1690, f"data out of range: data type {kind}, value '{shown}'", "22003")


def check(value: Any, kind: str, low: int, high: int) -> int | None:
    """``value`` as an integer of ``kind``; MOError when it is not one or does not fit."""
    if value is None:
        return None
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    if isinstance(value, str):
        s = value.strip()
        if not _INTEGER.match(s):
            raise invalid_argument("cast to int" if kind.startswith("int") else f"cast to {kind}", s)
        n, shown = int(s), s
    elif isinstance(value, int):
        n, shown = value, str(value)
    else:
        try:
            d = Decimal(repr(float(value)))
            n = int(d.quantize(Decimal(1), rounding=ROUND_HALF_UP))
        except (InvalidOperation, ValueError, OverflowError):
            raise out_of_range(kind, value) from None
        shown = format(value, "g") if not float(value).is_integer() else str(n)
    if not low <= n <= high:
        raise out_of_range(kind, shown)
    return n


def register(conn: sqlite3.Connection, park: Any) -> None:
    """``mo_int_in(value, kind, min, max)``; ``park`` hands the MOError to the engine (decimal._raise)."""

    def int_in(value: Any, kind: str, low: int, high: int) -> int | None:
        try:
            return check(value, kind, low, high)
        except MOError as e:
            park(e)  # raises: SQLite fails the statement, the engine reports the parked MOError
            return None

    conn.create_function("mo_int_in", 4, int_in, deterministic=True)


def _fn(value: exp.Expression, kind: str, low: int, high: int) -> exp.Expression:
    return exp.Anonymous(this="mo_int_in", expressions=[
        value, exp.Literal.string(kind), exp.Literal.number(low), exp.Literal.number(high)])


def stored(col: ColumnDef, value: exp.Expression) -> exp.Expression:
    """``value`` as written into the integer column ``col`` (unchanged when ``col`` is not one)."""
    k = int_kind(col)
    if k is None:
        return value
    kind, low, high = k
    lit, neg = value, False
    if isinstance(value, exp.Neg) and isinstance(value.this, exp.Literal):
        lit, neg = value.this, True
    if isinstance(lit, exp.Literal) and not lit.is_string and _INTEGER.match(lit.this):
        n = -int(lit.this) if neg else int(lit.this)
        if low <= n <= high:
            return value  # checked now: no per-row cost
        return _fn(value, kind, low, high)
    if isinstance(value, exp.Placeholder | exp.Parameter):
        # the same parameter read twice is the same value; an in-range integer costs no Python call
        return exp.Case(
            ifs=[exp.If(
                this=exp.and_(
                    exp.EQ(this=exp.Anonymous(this="typeof", expressions=[value.copy()]),
                           expression=exp.Literal.string("integer")),
                    exp.Between(this=value.copy(), low=exp.Literal.number(low), high=exp.Literal.number(high)),
                ),
                true=value.copy(),
            )],
            default=_fn(value.copy(), kind, low, high),
        )
    return _fn(value, kind, low, high)
