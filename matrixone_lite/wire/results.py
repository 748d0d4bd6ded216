"""Engine results -> mysql-mimic result sets with MySQL column types.

Typing comes from ``Result.columns`` (never inferred from values), so drivers get ``Decimal`` for
DECIMAL (NEWDECIMAL), ``datetime``/``date`` for DATETIME/TIMESTAMP/DATE, ints for integer types.
Values are normalised to what the binary protocol encoders need (prepared statements).
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Sequence
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from mysql_mimic import ResultColumn, ResultSet
from mysql_mimic.charset import CharacterSet
from mysql_mimic.types import ColumnType

from matrixone_lite.storage.codec import quantize

_TYPES: dict[str, ColumnType] = {
    "BIGINT": ColumnType.LONGLONG, "INT": ColumnType.LONG, "INTEGER": ColumnType.LONG,
    "MEDIUMINT": ColumnType.INT24, "SMALLINT": ColumnType.SHORT, "TINYINT": ColumnType.TINY,
    "BOOL": ColumnType.TINY, "BOOLEAN": ColumnType.TINY, "BIT": ColumnType.LONGLONG,
    "DECIMAL": ColumnType.NEWDECIMAL, "NUMERIC": ColumnType.NEWDECIMAL,
    "DOUBLE": ColumnType.DOUBLE, "REAL": ColumnType.DOUBLE, "FLOAT": ColumnType.FLOAT,
    "DATE": ColumnType.DATE, "DATETIME": ColumnType.DATETIME, "TIMESTAMP": ColumnType.TIMESTAMP,
    "TIME": ColumnType.TIME, "YEAR": ColumnType.YEAR, "JSON": ColumnType.JSON,
    "BLOB": ColumnType.BLOB, "BINARY": ColumnType.STRING, "VARBINARY": ColumnType.VAR_STRING,
    "NULL": ColumnType.NULL,
}
_BINARY = {"BLOB", "BINARY", "VARBINARY", "TINYBLOB", "MEDIUMBLOB", "LONGBLOB"}
_INT_TYPES = {ColumnType.LONGLONG, ColumnType.LONG, ColumnType.INT24, ColumnType.SHORT, ColumnType.TINY,
              ColumnType.YEAR}


def column_type(type_name: str) -> ColumnType:
    name = (type_name or "VARCHAR").upper().split("(")[0].split()[0]
    return _TYPES.get(name, ColumnType.VAR_STRING)


def _binary_int(fmt: str) -> Callable[[ResultColumn, Any], bytes]:
    s = struct.Struct(fmt)

    def enc(col: ResultColumn, val: Any) -> bytes:
        return s.pack(int(val))

    return enc


def _text_bool_safe(col: ResultColumn, val: Any) -> bytes:
    return str(int(val)).encode()


def _parse_datetime(val: Any) -> Any:
    if isinstance(val, (datetime, date)):
        return val
    if isinstance(val, (int, float)):
        return datetime.fromtimestamp(val)
    text = str(val).strip()
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return date.fromisoformat(text[:10])


def _to_decimal(val: Any, scale: int | None) -> Any:
    if isinstance(val, Decimal):
        d = val
    else:
        try:
            d = Decimal(str(val))
        except InvalidOperation:
            return val
    if scale is not None and d.is_finite():
        d = quantize(d, scale)  # wide context: DECIMAL(38,10) has more digits than the default 28
    return d


def _text_decimal(col: ResultColumn, val: Any) -> bytes:
    return (format(val, "f") if isinstance(val, Decimal) else str(val)).encode()


def _to_time(val: Any) -> Any:
    if isinstance(val, (timedelta, time)):
        return val if isinstance(val, timedelta) else timedelta(
            hours=val.hour, minutes=val.minute, seconds=val.second, microseconds=val.microsecond)
    text = str(val)
    neg = text.startswith("-")
    parts = text.lstrip("-").split(":")
    try:
        h, m = int(parts[0]), int(parts[1])
        s = float(parts[2]) if len(parts) > 2 else 0.0
    except (ValueError, IndexError):
        return val
    td = timedelta(hours=h, minutes=m, seconds=s)
    return -td if neg else td


def make_column(name: str, type_name: str) -> ResultColumn:
    ct = column_type(type_name)
    base = (type_name or "").upper().split("(")[0].strip()
    charset = CharacterSet.binary if base in _BINARY else CharacterSet.utf8mb4
    if ct is ColumnType.TINY:
        return ResultColumn(name, ct, charset, text_encoder=_text_bool_safe, binary_encoder=_binary_int("<b"))
    if ct is ColumnType.NEWDECIMAL:  # every digit, never an exponent ('0E-10', '1.2E+5')
        return ResultColumn(name, ct, charset, text_encoder=_text_decimal)
    if ct is ColumnType.NULL:
        return ResultColumn(name, ct, charset, text_encoder=lambda c, v: str(v).encode(),
                            binary_encoder=lambda c, v: str(v).encode())
    return ResultColumn(name, ct, charset)


def convert_value(val: Any, ct: ColumnType, scale: int | None) -> Any:
    if val is None:
        return None
    try:
        if ct in _INT_TYPES:
            return int(val) if not isinstance(val, bool) else int(val)
        if ct is ColumnType.NEWDECIMAL:
            return _to_decimal(val, scale)
        if ct in (ColumnType.DOUBLE, ColumnType.FLOAT):
            return float(val)
        if ct in (ColumnType.DATETIME, ColumnType.TIMESTAMP, ColumnType.DATE):
            v = _parse_datetime(val)
            if ct is ColumnType.DATE and isinstance(v, datetime):
                return v.date()
            return v
        if ct is ColumnType.TIME:
            return _to_time(val)
    except (TypeError, ValueError):
        return val
    if isinstance(val, (bytes, bytearray, memoryview)):
        return bytes(val)
    if isinstance(val, str) and ct in (ColumnType.BLOB, ColumnType.STRING, ColumnType.VAR_STRING):
        return val.encode("utf-8", "surrogateescape")
    if isinstance(val, Decimal):
        return str(val)
    return val


def to_result_set(names: Sequence[str], types: Sequence[str], scales: Sequence[int | None],
                  rows: Sequence[Sequence[Any]]) -> ResultSet:
    cols = [make_column(n, t) for n, t in zip(names, types, strict=True)]
    cts = [c.type for c in cols]
    # Values already of the column's Python type pass through untouched: converting every cell
    # was the largest cost of a 200-row verification batch on the wire.
    keep = [_PASS_THROUGH.get(ct, ()) for ct in cts]
    for i, c in enumerate(cols):
        if c.character_set == CharacterSet.binary:
            keep[i] = (bytes,)  # a BLOB holding text (older files) goes out as its UTF-8 bytes
    out = [
        tuple(
            v if v is None or type(v) in ok else convert_value(v, ct, sc)
            for v, ct, sc, ok in zip(row, cts, scales, keep, strict=False)
        )
        for row in rows
    ]
    return ResultSet(rows=out, columns=cols)


_PASS_THROUGH: dict[ColumnType, tuple[type, ...]] = {
    **{ct: (int,) for ct in _INT_TYPES},
    ColumnType.DOUBLE: (float,),
    ColumnType.FLOAT: (float,),
    ColumnType.VARCHAR: (str,),
    ColumnType.VAR_STRING: (str,),
    ColumnType.STRING: (str,),
    ColumnType.BLOB: (str,),
    ColumnType.DATETIME: (datetime,),
    ColumnType.TIMESTAMP: (datetime,),
}
