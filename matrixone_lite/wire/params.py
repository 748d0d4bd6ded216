"""COM_STMT_EXECUTE parameters: read every MySQL binary type and render safe SQL literals.

mysql-mimic interpolates parameters as ``'{value}'`` without escaping and rejects DATE/DATETIME
parameters; this module replaces that step.
"""

from __future__ import annotations

import io
import re
import struct
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from mysql_mimic.charset import CharacterSet
from mysql_mimic.results import NullBitmap
from mysql_mimic.types import read_str_len, read_uint_1

from matrixone_lite.errors import MOError
from matrixone_lite.mo.lexer import Kind, tokenize

_STRING_TYPES = {15, 253, 254, 249, 250, 251, 252, 245, 247, 248, 255, 16}
_NUMERIC_TEXT = {0, 246}
_NUMBER = re.compile(r"^[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$")


def placeholder_positions(sql: str) -> list[int]:
    """Offsets of ``?`` placeholders outside strings, identifiers and comments."""
    return [t.start for t in tokenize(sql) if t.kind is Kind.OP and t.value == "?"]


def _read_exact(r: io.BytesIO, n: int) -> bytes:
    data = r.read(n)
    if len(data) != n:
        raise MOError(1835, "Malformed communication packet.")
    return data


def _read_temporal(r: io.BytesIO, type_code: int) -> Any:
    n = read_uint_1(r)
    raw = _read_exact(r, n)
    if type_code == 11:  # TIME
        if n == 0:
            return timedelta(0)
        neg = raw[0] == 1
        days = struct.unpack("<I", raw[1:5])[0]
        h, m, s = raw[5], raw[6], raw[7]
        us = struct.unpack("<I", raw[8:12])[0] if n >= 12 else 0
        td = timedelta(days=days, hours=h, minutes=m, seconds=s, microseconds=us)
        return -td if neg else td
    if n == 0:
        return "0000-00-00 00:00:00"
    y = struct.unpack("<H", raw[0:2])[0]
    mo, d = raw[2], raw[3]
    if n == 4:
        return date(y, mo, d) if type_code == 10 else datetime(y, mo, d)
    h, mi, s = raw[4], raw[5], raw[6]
    us = struct.unpack("<I", raw[7:11])[0] if n >= 11 else 0
    return datetime(y, mo, d, h, mi, s, us)


def read_value(r: io.BytesIO, type_code: int, unsigned: bool, charset: CharacterSet) -> Any:
    if type_code in _STRING_TYPES:
        return charset.decode(read_str_len(r))
    if type_code in _NUMERIC_TEXT:
        return Decimal(charset.decode(read_str_len(r)))
    if type_code == 1:
        return struct.unpack("<B" if unsigned else "<b", _read_exact(r, 1))[0]
    if type_code in (2, 13):
        return struct.unpack("<H" if unsigned else "<h", _read_exact(r, 2))[0]
    if type_code in (3, 9):
        return struct.unpack("<I" if unsigned else "<i", _read_exact(r, 4))[0]
    if type_code == 8:
        return struct.unpack("<Q" if unsigned else "<q", _read_exact(r, 8))[0]
    if type_code == 4:
        return struct.unpack("<f", _read_exact(r, 4))[0]
    if type_code == 5:
        return struct.unpack("<d", _read_exact(r, 8))[0]
    if type_code in (7, 10, 11, 12):
        return _read_temporal(r, type_code)
    if type_code == 6:
        return None
    raise MOError(1235, f"Unsupported parameter type: {type_code}", "42000")


def read_params(r: io.BytesIO, count: int, charset: CharacterSet, cached_types: list[tuple[int, bool]] | None,
                long_data: dict[int, bytearray] | None) -> tuple[list[Any], list[tuple[int, bool]]]:
    """Read ``count`` parameters; returns (values, the types to reuse when the client omits them)."""
    nulls = NullBitmap.from_buffer(r, count)
    bound = read_uint_1(r)
    if bound:
        types = []
        for _ in range(count):
            t = read_uint_1(r)
            flags = read_uint_1(r)
            types.append((t, bool(flags & 0x80)))
    elif cached_types is not None and len(cached_types) == count:
        types = cached_types
    else:
        raise MOError(1835, "Malformed communication packet: parameter types missing.")
    values: list[Any] = []
    for i, (t, unsigned) in enumerate(types):
        if nulls.is_flipped(i):
            values.append(None)
        elif long_data and i in long_data:
            values.append(bytes(long_data[i]))
        else:
            values.append(read_value(r, t, unsigned, charset))
    return values, types


def sql_literal(value: Any) -> str:
    """Render a parameter as a SQL literal that cannot break out of its quotes."""
    if value is None:
        return "NULL"
    if value is True:
        return "TRUE"
    if value is False:
        return "FALSE"
    if isinstance(value, (int, float)):
        return repr(value) if isinstance(value, float) else str(value)
    if isinstance(value, Decimal):
        return str(value) if value.is_finite() else "NULL"
    if isinstance(value, datetime):
        return "'" + value.isoformat(sep=" ") + "'"
    if isinstance(value, date):
        return "'" + value.isoformat() + "'"
    if isinstance(value, timedelta):
        total = int(value.total_seconds())
        sign = "-" if total < 0 else ""
        total = abs(total)
        return f"'{sign}{total // 3600:02d}:{total % 3600 // 60:02d}:{total % 60:02d}'"
    if isinstance(value, (bytes, bytearray)):
        try:
            value = bytes(value).decode("utf-8")
        except UnicodeDecodeError:
            return "X'" + bytes(value).hex() + "'"
    text = str(value)
    return "'" + text.replace("\\", "\\\\").replace("'", "''").replace("\0", "\\0") + "'"


def interpolate(sql: str, values: list[Any]) -> str:
    positions = placeholder_positions(sql)
    if len(positions) != len(values):
        raise MOError(1210, "Incorrect arguments to mysqld_stmt_execute", "HY000")
    out = []
    last = 0
    for pos, v in zip(positions, values, strict=True):
        out.append(sql[last:pos])
        out.append(sql_literal(v))
        last = pos + 1
    out.append(sql[last:])
    return "".join(out)
