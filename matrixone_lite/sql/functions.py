"""MySQL functions SQLite lacks, registered on every connection as ``mo_*`` / native names."""

from __future__ import annotations

import hashlib
import sqlite3
import time
import zlib
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any


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
    return str(sep).join(_s(a) for a in args if a is not None)


def _s(v: Any) -> str:
    if isinstance(v, float) and v.is_integer():
        return str(v)
    return v.decode() if isinstance(v, bytes) else str(v)


def _crc32(v: Any) -> int | None:
    if v is None:
        return None
    b = v if isinstance(v, bytes) else _s(v).encode()
    return zlib.crc32(b) & 0xFFFFFFFF


def _md5(v: Any) -> str | None:
    if v is None:
        return None
    b = v if isinstance(v, bytes) else _s(v).encode()
    return hashlib.md5(b, usedforsecurity=False).hexdigest()


def _unix_ts(v: Any = None) -> int | None:
    if v is None:
        return int(time.time())
    try:
        return int(datetime.fromisoformat(str(v)).replace(tzinfo=UTC).timestamp())
    except ValueError:
        return None


def register(conn: sqlite3.Connection, now: Callable[[], datetime]) -> None:
    """Register the functions; ``now`` returns the session-local current time (naive)."""
    conn.create_function("mo_now", 0, lambda: now().strftime("%Y-%m-%d %H:%M:%S"))
    conn.create_function("mo_now", 1, lambda p: now().strftime("%Y-%m-%d %H:%M:%S.%f")[: 20 + int(p or 0)].rstrip("."))
    conn.create_function("mo_curdate", 0, lambda: now().strftime("%Y-%m-%d"))
    conn.create_function(
        "mo_utc_now", 0, lambda: datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S")
    )
    conn.create_function("mo_unix_timestamp", 0, _unix_ts)
    conn.create_function("mo_unix_timestamp", 1, _unix_ts)
    conn.create_function("mo_concat_ws", -1, _concat_ws)
    conn.create_function("crc32", 1, _crc32, deterministic=True)
    conn.create_function("md5", 1, _md5, deterministic=True)
    conn.create_aggregate("bit_xor", 1, _BitXor)  # type: ignore[arg-type]
