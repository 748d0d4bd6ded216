"""SQLite value converters and the exact-decimal collation, keyed by the declared types chosen in
``physical.py``.

Registered once per process; connections opened with ``PARSE_DECLTYPES`` then return ``Decimal``
(with the column's scale), ``int``, ``date`` and ``datetime`` values like a MySQL driver would.

DECIMAL and BIGINT UNSIGNED values are stored as canonical TEXT (``DECTEXT_<scale>``,
``UBIGTEXT``: TEXT affinity, so SQLite never turns them into a lossy REAL) in columns declared
``COLLATE MO_DEC``. The collation compares them as exact numbers, so ``=``/``<``/``ORDER BY``/
``GROUP BY``/``MIN``/``MAX``/indexes stay numeric, through subqueries and the UNION ALL of a read
at ``T`` too. Files written before physical version 3 keep their ``DECIMAL_<scale>`` (REAL) columns;
their converters stay registered so those tables still read.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Context, Decimal, InvalidOperation

MAX_SCALE = 38
_QUANT = [Decimal(1).scaleb(-s) for s in range(MAX_SCALE + 1)]
# wide enough for DECIMAL(38,38) products and sums; half away from zero like MatrixOne's rounding
DEC_CONTEXT = Context(prec=120, rounding=ROUND_HALF_UP, Emax=999, Emin=-999)
COLLATION = "MO_DEC"


def parse_decimal(value: object) -> Decimal | None:
    """An exact Decimal of a stored or computed value (str/bytes/int/float/Decimal); None when not a
    number. A float goes through its shortest repr, which gives back the literal it was parsed from."""
    if value is None:
        return None
    t = type(value)
    if t is str:  # the stored form: one C call on the fast path
        try:
            d = Decimal(value)  # type: ignore[arg-type]
        except (InvalidOperation, ValueError):
            return _parse_slow(value)
        return d if d.is_finite() else None
    if t is float:
        return None if value != value or value in _INF else Decimal(repr(value))
    if t is int:
        return Decimal(value)  # type: ignore[arg-type]
    if isinstance(value, Decimal):
        return value
    return _parse_slow(value)


_INF = (float("inf"), float("-inf"))
_LIMITS = [Decimal(10) ** k for k in range(MAX_SCALE + 42)]


def _parse_slow(value: object) -> Decimal | None:
    if isinstance(value, bool):
        return Decimal(int(value))
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return parse_decimal(float(value))
    if isinstance(value, bytes):
        value = value.decode(errors="replace")
    try:
        d = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None
    return d if d.is_finite() else None


def limit(int_digits: int) -> Decimal:
    """10 ** int_digits: the first value that no longer fits DECIMAL(p, s) with p - s = int_digits."""
    return _LIMITS[int_digits] if 0 <= int_digits < len(_LIMITS) else Decimal(10) ** int_digits


def quantize(d: Decimal, scale: int) -> Decimal:
    """``d`` rounded half away from zero to ``scale`` digits (the default 28-digit context when the
    result fits it: several times faster than a wide context)."""
    s = min(max(scale, 0), MAX_SCALE)
    if d.adjusted() + s < 27:
        return d.quantize(_QUANT[s], rounding=ROUND_HALF_UP)
    return d.quantize(_QUANT[s], context=DEC_CONTEXT)


def canonical(d: Decimal) -> str:
    """The stored text of a value: plain notation, no exponent (``0.0000001``, not ``1E-7``)."""
    text = str(d)
    return format(d, "f") if "E" in text else text


def to_decimal(value: object, scale: int) -> Decimal | None:
    """A value (int/float/str/bytes/Decimal) as a Decimal quantized to ``scale``."""
    if value is None:
        return None
    d = parse_decimal(value)
    if d is None:
        d = Decimal(0)
    return quantize(d, scale)


def to_unsigned(value: object) -> int | object:
    """A stored BIGINT UNSIGNED (text) as int."""
    d = parse_decimal(value)
    return value if d is None else int(d)


def dec_collate(a: str, b: str) -> int:
    """``COLLATE MO_DEC``: numeric order of two stored texts (text order if one is not a number)."""
    if a == b:
        return 0
    x, y = parse_decimal(a), parse_decimal(b)
    if x is None or y is None:
        return (a > b) - (a < b)
    return (x > y) - (x < y)


def register_connection(conn: sqlite3.Connection) -> None:
    """Every connection that reads or writes user tables needs the collation their columns declare."""
    conn.create_collation(COLLATION, dec_collate)


def to_datetime(value: object) -> datetime | object:
    if isinstance(value, bytes):
        value = value.decode()
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value.strip().replace("T", " "))
        except ValueError:
            return value
    return value


def to_date(value: object) -> date | object:
    if isinstance(value, bytes):
        value = value.decode()
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip()[:10])
        except ValueError:
            return value
    return value


def _decimal_converter(scale: int) -> Callable[[bytes], Decimal | None]:
    return lambda b: to_decimal(b, scale)


def _register() -> None:
    for s in range(MAX_SCALE + 1):
        sqlite3.register_converter(f"DECIMAL_{s}", _decimal_converter(s))  # physical version <= 2
        sqlite3.register_converter(f"DECTEXT_{s}", _decimal_converter(s))
    sqlite3.register_converter("UBIGTEXT", to_unsigned)
    sqlite3.register_converter("DATE_TEXT", to_date)
    sqlite3.register_converter("DATETIME_TEXT", to_datetime)
    sqlite3.register_converter("TIMESTAMP_TEXT", to_datetime)


_register()
