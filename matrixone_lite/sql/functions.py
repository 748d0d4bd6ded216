"""MySQL functions SQLite lacks, registered on every connection as ``mo_*`` / native names."""

from __future__ import annotations

import calendar
import functools
import hashlib
import sqlite3
import time
import zlib
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any

from matrixone_lite import native
from matrixone_lite.sql import decimal as exact
from matrixone_lite.sql.guard import authorize
from matrixone_lite.storage.codec import canonical, to_decimal


class _BitXor:
    def __init__(self) -> None:
        self.v = 0

    def step(self, value: Any) -> None:
        if value is not None:
            self.v ^= int(value)

    def finalize(self) -> int:
        return self.v


def _concat_ws(sep: Any, *args: Any) -> str | None:
    if sep is None:
        return None
    if type(sep) is str:
        try:  # the common case (every argument text, e.g. the restore proof's row encoding) joins in C
            return sep.join(args)
        except TypeError:  # a NULL (skipped, as MySQL does), a number or bytes among them
            pass
    return str(sep).join(_s(a) for a in args if a is not None)


def _s(v: Any) -> str:
    if type(v) is str:  # the common case first: one type check per value, not three
        return v
    if isinstance(v, float) and v.is_integer():
        return str(v)
    return v.decode() if isinstance(v, bytes) else str(v)


def _dec_text(v: Any, scale: Any) -> str | None:
    if v is None:
        return None
    d = to_decimal(v, int(scale or 0))
    return None if d is None else canonical(d)  # plain digits: '0.0000000000', never str()'s '0E-10'


def _crc32(v: Any) -> int | None:
    if v is None:
        return None
    if type(v) is str:
        return zlib.crc32(v.encode())
    b = v if isinstance(v, bytes) else _s(v).encode()
    return zlib.crc32(b) & 0xFFFFFFFF


def _hex(v: Any) -> str | None:
    """MySQL/MatrixOne ``HEX``: NULL stays NULL (SQLite's built-in returns ''), integers are
    written in base 16, strings and binary as the hex of their bytes (upper case)."""
    if v is None:
        return None
    if type(v) is str:
        return v.encode().hex().upper()
    if isinstance(v, int):
        return format(v & 0xFFFFFFFFFFFFFFFF, "X")
    if isinstance(v, float):
        return format(int(round(v)) & 0xFFFFFFFFFFFFFFFF, "X")
    b = bytes(v) if isinstance(v, (bytes, bytearray, memoryview)) else str(v).encode()
    return b.hex().upper()


def _md5(v: Any) -> str | None:
    if v is None:
        return None
    b = v.encode() if type(v) is str else v if isinstance(v, bytes) else _s(v).encode()
    return hashlib.md5(b, usedforsecurity=False).hexdigest()


def _unix_ts(v: Any = None) -> int | None:
    if v is None:
        return int(time.time())
    try:
        return int(datetime.fromisoformat(str(v)).replace(tzinfo=UTC).timestamp())
    except ValueError:
        return None


def _parse(v: Any) -> datetime | None:
    if v is None:
        return None
    if isinstance(v, datetime):
        return v
    s = str(v).strip().replace("T", " ")
    try:
        return datetime.fromisoformat(s)
    except ValueError:
        return None


def _part(attr: str) -> Callable[[Any], int | None]:
    def get(v: Any) -> int | None:
        d = _parse(v)
        return None if d is None else int(getattr(d, attr))

    return get


_UNITS = {
    "MICROSECOND": "microseconds", "SECOND": "seconds", "MINUTE": "minutes", "HOUR": "hours",
    "DAY": "days", "WEEK": "weeks",
}


def _date_add(v: Any, n: Any, unit: Any) -> str | None:
    d = _parse(v)
    if d is None or n is None:
        return None
    u = str(unit).upper().rstrip("S") if unit else "DAY"
    k = float(n)
    if u in _UNITS:
        d = d + timedelta(**{_UNITS[u]: k})
    elif u in ("MONTH", "QUARTER", "YEAR"):
        months = int(k) * {"MONTH": 1, "QUARTER": 3, "YEAR": 12}[u]
        y, m = divmod(d.month - 1 + months, 12)
        day = min(d.day, calendar.monthrange(d.year + y, m + 1)[1])
        d = d.replace(year=d.year + y, month=m + 1, day=day)
    else:
        return None
    out = d.strftime("%Y-%m-%d %H:%M:%S")
    return out + f".{d.microsecond:06d}" if d.microsecond else out


_FMT = {"%i": "%M", "%s": "%S", "%f": "%f", "%c": "%m", "%e": "%d", "%k": "%H", "%l": "%I", "%h": "%I"}


def _str_to_date(v: Any, fmt: Any) -> str | None:
    if v is None or fmt is None:
        return None
    f = str(fmt)
    for a, b in _FMT.items():
        f = f.replace(a, b)
    try:
        d = datetime.strptime(str(v), f)
    except ValueError:
        return None
    has_time = any(x in str(fmt) for x in ("%H", "%i", "%s", "%T", "%k", "%h", "%l"))
    return d.strftime("%Y-%m-%d %H:%M:%S") if has_time else d.strftime("%Y-%m-%d")


def _memo(fn: Callable[..., Any]) -> Callable[..., Any]:
    """A small per-process cache for pure per-row functions.

    SQLite flattens derived tables, so an expression computed once per row in a subquery is
    evaluated once per *reference*; the cache turns the repeats into lookups. Kept for
    ``mo_dec_text`` (few distinct decimals per column, a costly conversion). ``typed=True`` keeps
    ``1`` and ``1.0`` apart (their text differs)."""
    return functools.lru_cache(maxsize=1024, typed=True)(fn)


def register(conn: sqlite3.Connection, now: Callable[[], datetime], zone: Callable[[], tzinfo] | None = None) -> None:
    """Register the functions; ``now`` returns the session-local current time (naive).

    Also installs the SQL guard's authorizer: these are the connections tenants' SQL runs on.
    """
    conn.set_authorizer(authorize)
    conn.create_function("mo_now", 0, lambda: now().strftime("%Y-%m-%d %H:%M:%S"))
    conn.create_function("mo_now", 1, lambda p: now().strftime("%Y-%m-%d %H:%M:%S.%f")[: 20 + int(p or 0)].rstrip("."))
    conn.create_function("mo_curdate", 0, lambda: now().strftime("%Y-%m-%d"))
    conn.create_function(
        "mo_utc_now", 0, lambda: datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S")
    )
    conn.create_function("mo_unix_timestamp", 0, _unix_ts)

    def unix_ts(v: Any) -> int | None:
        d = _parse(v)
        if d is None:
            return None
        tz = zone() if zone is not None else UTC
        return int(d.replace(tzinfo=d.tzinfo or tz).timestamp())

    def from_unixtime(v: Any) -> str | None:
        if v is None:
            return None
        tz = zone() if zone is not None else UTC
        return datetime.fromtimestamp(float(v), tz).strftime("%Y-%m-%d %H:%M:%S")

    conn.create_function("mo_unix_timestamp", 1, unix_ts)
    conn.create_function("mo_from_unixtime", 1, from_unixtime)
    for name, attr in (("year", "year"), ("month", "month"), ("day", "day"), ("dayofmonth", "day"),
                       ("hour", "hour"), ("minute", "minute"), ("second", "second")):
        conn.create_function(name, 1, _part(attr), deterministic=True)
    conn.create_function("mo_date_add", 3, _date_add, deterministic=True)
    conn.create_function("str_to_date", 2, _str_to_date, deterministic=True)
    exact.register(conn)
    register_per_row(conn)


def _int(v: Any) -> int | str:
    """BIT_XOR's conversion of a non-integer, for the native aggregate: ``int()`` as ``_BitXor`` does;
    a result beyond 64 bits comes back as text (the Python aggregate fails on it only at the end)."""
    i = int(v)
    return i if -(2**63) <= i < 2**63 else "overflow"


def register_per_row(conn: sqlite3.Connection) -> None:
    """The restore proof's per-row functions: native (C) when available, else these Python ones.

    The Python ones are always registered as ``mo_py_<name>`` too: the native code hands them
    every value it does not handle itself, so both modes give identical results (see
    ``matrixone_lite/native``). They are called once per row: the restore proof's SQL keeps
    SQLite from flattening its derived tables (fingerprint.ALL_ROWS), so a cache would only add a
    hash of every (long) argument and an eviction per row. Registered deterministic: pure functions.
    """
    dec_text = _memo(_dec_text)
    python: list[tuple[str, int, Callable[..., Any]]] = [
        ("mo_concat_ws", -1, _concat_ws), ("crc32", 1, _crc32), ("md5", 1, _md5), ("hex", 1, _hex),
        ("mo_dec_text", 2, dec_text)]
    for name, n, fn in python:
        conn.create_function("mo_py_" + name.removeprefix("mo_"), n, fn, deterministic=True)
    conn.create_function("mo_py_int", 1, _int, deterministic=True)
    if native.attach(conn):
        return
    for name, n, fn in python:
        conn.create_function(name, n, fn, deterministic=True)
    conn.create_aggregate("bit_xor", 1, _BitXor)  # type: ignore[arg-type]
