"""SQLite value converters keyed by the declared types chosen in ``physical.py``.

Registered once per process; connections opened with ``PARSE_DECLTYPES`` then return ``Decimal``
(with the column's scale), ``date`` and ``datetime`` values like a MySQL driver would.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

MAX_SCALE = 30
_QUANT = [Decimal(1).scaleb(-s) for s in range(MAX_SCALE + 1)]


def to_decimal(value: object, scale: int) -> Decimal | None:
    """A value (int/float/str/bytes/Decimal) as a Decimal quantized to ``scale``."""
    if value is None:
        return None
    if isinstance(value, bytes):
        value = value.decode()
    try:
        d = value if isinstance(value, Decimal) else Decimal(str(value).strip() or "0")
        return d.quantize(_QUANT[min(max(scale, 0), MAX_SCALE)])
    except (InvalidOperation, ValueError):
        return Decimal(0).quantize(_QUANT[min(max(scale, 0), MAX_SCALE)])


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
        sqlite3.register_converter(f"DECIMAL_{s}", _decimal_converter(s))
    sqlite3.register_converter("DATE_TEXT", to_date)
    sqlite3.register_converter("DATETIME_TEXT", to_datetime)
    sqlite3.register_converter("TIMESTAMP_TEXT", to_datetime)


_register()
