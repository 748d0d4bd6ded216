"""Parsing of SHOW PITR / SHOW SNAPSHOTS result sets into models (reference §3.1, §3.2).

Headers are upper-case without WHERE and lower-case with it, and drivers hand back ``str``,
``bytes`` or ``datetime`` cells, so everything is matched by name and normalised here once.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from .errors import InvalidInput
from .identifiers import describe_value
from .models import Level, Pitr, PitrRange, Snapshot
from .timestamps import EPOCH, resolve_zone, to_epoch_ns

__all__ = ["parse_show_pitr", "parse_show_snapshots"]

PITR_COLUMNS = ("PITR_NAME", "CREATED_TIME", "MODIFIED_TIME", "PITR_LEVEL", "ACCOUNT_NAME", "DATABASE_NAME",
                "TABLE_NAME", "PITR_LENGTH", "PITR_UNIT")
SNAPSHOT_COLUMNS = ("SNAPSHOT_NAME", "TIMESTAMP", "SNAPSHOT_LEVEL", "ACCOUNT_NAME", "DATABASE_NAME", "TABLE_NAME")
_DT_RE = re.compile(r"(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?")


def _column_index(columns: Sequence[Any], required: Sequence[str], what: str) -> dict[str, int]:
    """Map upper-cased header -> position; accepts names or DB-API ``cursor.description`` tuples."""
    index: dict[str, int] = {}
    for pos, col in enumerate(columns):
        label = col[0] if isinstance(col, (tuple, list)) else col
        if isinstance(label, bytes):
            label = label.decode()
        index[str(label).strip().upper().replace(" ", "_")] = pos
    missing = [c for c in required if c not in index]
    if missing:
        raise InvalidInput("columns", f"columns of {what} lack {', '.join(missing)}; got {list(index)}")
    return index


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, (bytes, bytearray)):
        value = bytes(value).decode()
    return str(value)


def _name(value: Any) -> str | None:
    text = _text(value)
    if text is None or text == "" or text == "*":
        return None
    return text


def _parse_naive(value: Any, field: str) -> tuple[datetime, int]:
    """Return (naive datetime at µs, extra nanoseconds below µs) from a str/bytes/datetime cell."""
    if isinstance(value, datetime):
        return value, 0
    text = _text(value)
    match = _DT_RE.fullmatch(text.strip()) if text is not None else None
    if match is None:
        raise InvalidInput(field, f"unreadable {field} {describe_value(value)} (expected YYYY-MM-DD HH:MM:SS)")
    year, month, day, hour, minute, second, frac = match.groups()
    frac = (frac or "").ljust(9, "0")
    try:
        naive = datetime(int(year), int(month), int(day), int(hour), int(minute), int(second), int(frac[:6]))
    except ValueError:
        raise InvalidInput(field, f"unreadable {field} {describe_value(value)}") from None
    return naive, int(frac[6:])


def _session_time(value: Any, field: str, zone: Any) -> datetime:
    naive, _ = _parse_naive(value, field)
    if naive.tzinfo is not None and naive.utcoffset() is not None:
        return naive.astimezone(UTC)
    # SHOW output is never inside a DST gap; in an overlap fold=0 (the earlier instant) is used.
    return naive.replace(tzinfo=resolve_zone(zone), fold=0).astimezone(UTC)


def parse_show_pitr(columns: Sequence[Any], rows: Iterable[Sequence[Any]], session_zone: Any) -> list[Pitr]:
    """SHOW PITR rows -> ``Pitr``; times are naive in the session zone and come back aware UTC."""
    idx = _column_index(columns, PITR_COLUMNS, "SHOW PITR")
    resolve_zone(session_zone)
    result: list[Pitr] = []
    for row in rows:
        def cell(col: str, row: Sequence[Any] = row) -> Any:
            return row[idx[col]]

        name = _name(cell("PITR_NAME"))
        if name is None:
            raise InvalidInput("PITR_NAME", "SHOW PITR row without a PITR_NAME")
        result.append(Pitr(
            name=name,
            level=Level.parse(_text(cell("PITR_LEVEL")), "PITR_LEVEL"),
            account=_name(cell("ACCOUNT_NAME")),
            database=_name(cell("DATABASE_NAME")),
            table=_name(cell("TABLE_NAME")),
            range=PitrRange.from_server(cell("PITR_LENGTH"), _text(cell("PITR_UNIT"))),
            created=_session_time(cell("CREATED_TIME"), "CREATED_TIME", session_zone),
            modified=_session_time(cell("MODIFIED_TIME"), "MODIFIED_TIME", session_zone),
        ))
    return result


def parse_show_snapshots(columns: Sequence[Any], rows: Iterable[Sequence[Any]]) -> list[Snapshot]:
    """SHOW SNAPSHOTS rows -> ``Snapshot``; ``TIMESTAMP`` is UTC with up to 9 fractional digits."""
    idx = _column_index(columns, SNAPSHOT_COLUMNS, "SHOW SNAPSHOTS")
    result: list[Snapshot] = []
    for row in rows:
        name = _name(row[idx["SNAPSHOT_NAME"]])
        if name is None:
            raise InvalidInput("SNAPSHOT_NAME", "SHOW SNAPSHOTS row without a SNAPSHOT_NAME")
        naive, extra_ns = _parse_naive(row[idx["TIMESTAMP"]], "TIMESTAMP")
        ts = naive.astimezone(UTC) if naive.tzinfo is not None else naive.replace(tzinfo=UTC)
        result.append(Snapshot(
            name=name,
            timestamp=ts,
            ts_ns=to_epoch_ns(ts) + extra_ns if ts >= EPOCH else to_epoch_ns(ts),
            level=Level.parse(_text(row[idx["SNAPSHOT_LEVEL"]]), "SNAPSHOT_LEVEL"),
            account=_name(row[idx["ACCOUNT_NAME"]]),
            database=_name(row[idx["DATABASE_NAME"]]),
            table=_name(row[idx["TABLE_NAME"]]),
        ))
    return result
