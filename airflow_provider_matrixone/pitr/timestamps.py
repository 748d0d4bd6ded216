"""Timestamp parsing, zone handling and rendering for MatrixOne restores.

MatrixOne reads a restore literal in the *server process's* local zone (reference §2.6, §4.5) and
testers keep mixing up UTC and UTC+8 (#19357, #19066). So every user input becomes an exact UTC
instant first, and is only rendered into the server's zone at the last moment.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pendulum

from .errors import InvalidInput
from .identifiers import describe_value

__all__ = [
    "ParsedTimestamp",
    "format_server_seconds",
    "from_epoch_ns",
    "parse_timestamp",
    "render_for_server",
    "resolve_zone",
    "to_epoch_ns",
    "validate_ts_literal",
]

MAX_INPUT_LENGTH = 64
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MIN_NS = 10**15  # 16 digits: anything shorter is almost certainly seconds or milliseconds
_MAX_NS = 10**19 - 1
_EXAMPLES = ("RFC 3339 with an offset, YYYY-MM-DD HH:MM:SS[.ffffff] with a zone, or epoch nanoseconds "
             "(example: 2024-10-28T17:30:00+08:00)")
_TS_RE = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?"
    r"(?:\s*([Zz])|\s*([+-])(\d{2}):(\d{2}))?"
)
_TYPO_RE = re.compile(r"(?<=\d:) +(?=\d)")
_OFFSET_RE = re.compile(r"([+-])(\d{2}):?(\d{2})")
_LITERAL_RE = re.compile(r"(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?")


@dataclass(frozen=True)
class ParsedTimestamp:
    """An exact instant in UTC, the input it came from, and an optional one-line note to log."""

    instant: pendulum.DateTime
    source: str
    note: str | None = None


def resolve_zone(name: Any) -> tzinfo:
    """Resolve ``UTC``, an IANA name (``Asia/Shanghai``) or a fixed offset (``+08:00``) to a tzinfo."""
    if isinstance(name, tzinfo):
        return name
    if not isinstance(name, str) or not name.strip() or len(name) > MAX_INPUT_LENGTH:
        raise InvalidInput("zone", f"invalid zone {describe_value(name)}: use UTC, an IANA name or an offset "
                           "(example: Asia/Shanghai or +08:00)")
    text = name.strip()
    if text.upper() in ("UTC", "Z", "GMT", "ETC/UTC"):
        return UTC
    offset = _OFFSET_RE.fullmatch(text)
    if offset:
        sign, hh, mm = offset.groups()
        if int(hh) > 23 or int(mm) > 59:
            raise InvalidInput("zone", f"invalid zone offset {describe_value(name)} (example: +08:00)")
        delta = timedelta(hours=int(hh), minutes=int(mm))
        return timezone(-delta if sign == "-" else delta)
    if text.upper() == "SYSTEM":
        raise InvalidInput("zone", "zone 'SYSTEM' means the server host's zone, which is not known here; "
                           "pass the server's zone explicitly (example: Asia/Shanghai)")
    if not re.fullmatch(r"[A-Za-z0-9_+\-/]+", text) or ".." in text or text.startswith("/"):
        raise InvalidInput("zone", f"invalid zone {describe_value(name)} (example: Asia/Shanghai or +08:00)")
    try:
        return ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise InvalidInput("zone", f"unknown zone {describe_value(name)} (example: Asia/Shanghai or +08:00)") from None


def _zone_label(zone: tzinfo) -> str:
    return str(getattr(zone, "key", None) or zone)


def _localize(naive: datetime, zone: tzinfo, field: str, source: str) -> datetime:
    """Attach ``zone`` to a wall-clock time, refusing DST gaps and overlaps instead of guessing."""
    first = naive.replace(tzinfo=zone, fold=0)
    second = naive.replace(tzinfo=zone, fold=1)
    label = _zone_label(zone)
    if first.utcoffset() != second.utcoffset():
        back0 = first.astimezone(UTC).astimezone(zone).replace(tzinfo=None)
        back1 = second.astimezone(UTC).astimezone(zone).replace(tzinfo=None)
        if back0 != naive and back1 != naive:
            raise InvalidInput(field, f"{field} {describe_value(source)} does not exist in {label} "
                               "(clocks skip it for daylight saving); pick another time or add an offset "
                               "(example: 2024-03-10T03:30:00-04:00)")
        raise InvalidInput(field, f"{field} {describe_value(source)} is ambiguous in {label} (daylight saving "
                           "overlap, it happens twice); add an offset (example: 2024-11-03T01:30:00-04:00)")
    return first


def _to_pendulum_utc(value: datetime) -> pendulum.DateTime:
    utc = value.astimezone(UTC)
    return pendulum.instance(utc, tz=pendulum.UTC)


def _bad(field: str, value: Any, why: str) -> InvalidInput:
    return InvalidInput(field, f"invalid {field} {describe_value(value)}: {why}; use {_EXAMPLES}")


def _from_ns(ns: int, field: str, source: Any) -> pendulum.DateTime:
    if not _MIN_NS <= ns <= _MAX_NS:
        raise _bad(field, source, "epoch nanoseconds must have 16-19 digits")
    return from_epoch_ns(ns)


def parse_timestamp(value: Any, *, zone: Any = None, field: str = "timestamp") -> ParsedTimestamp:
    """Parse a user timestamp into an exact UTC instant.

    Accepted: RFC 3339 with an offset (``T`` or space, ``Z`` or ``+hh:mm``); ``YYYY-MM-DD
    HH:MM:SS[.ffffff]`` read in ``zone`` (required); aware datetimes; naive datetimes with ``zone``;
    epoch nanoseconds as an int or a 16-19 digit string. The seed guide's ``17:30: 00`` typo is
    repaired and reported in ``note``.
    """
    if isinstance(value, bool):
        raise _bad(field, value, "a boolean is not a timestamp")
    if isinstance(value, int):
        return ParsedTimestamp(_from_ns(value, field, value), str(value))
    if isinstance(value, datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            if zone is None:
                raise InvalidInput(field, f"{field} {value.isoformat()} has no zone; pass a timezone or use an "
                                   "aware datetime (example: 2024-10-28T17:30:00+08:00)")
            value = _localize(value, resolve_zone(zone), field, value.isoformat())
        return ParsedTimestamp(_to_pendulum_utc(value), value.isoformat())
    if not isinstance(value, str):
        raise _bad(field, value, f"unsupported type {type(value).__name__}")
    if len(value) > MAX_INPUT_LENGTH:
        raise _bad(field, value, f"too long ({len(value)} characters)")
    text = value.strip()
    if not text:
        raise _bad(field, value, "empty")
    note = None
    repaired = _TYPO_RE.sub("", text)
    if repaired != text and _TS_RE.fullmatch(repaired):
        note = f"normalised {field} {text!r} to {repaired!r} (removed a stray space after ':')"
        text = repaired
    if text.isdigit() and text.isascii():
        if not 16 <= len(text) <= 19:
            raise _bad(field, value, "epoch nanoseconds must have 16-19 digits")
        return ParsedTimestamp(_from_ns(int(text), field, value), value, note)
    match = _TS_RE.fullmatch(text)
    if match is None or not text.isascii():
        raise _bad(field, value, "not a recognised timestamp")
    year, month, day, hour, minute, second, frac, zulu, sign, off_h, off_m = match.groups()
    micro = 0
    if frac:
        micro = int(frac[:6].ljust(6, "0"))
        if len(frac) > 6 and int(frac[6:]) != 0:
            extra = f"truncated {field} fraction .{frac} to microseconds"
            note = f"{note}; {extra}" if note else extra
    if not 1970 <= int(year) <= 9998:
        raise _bad(field, value, "year out of range 1970-9998")
    try:
        naive = datetime(int(year), int(month), int(day), int(hour), int(minute), int(second), micro)
    except ValueError as exc:
        raise _bad(field, value, f"date or time out of range ({exc})") from None
    if zulu:
        aware = naive.replace(tzinfo=UTC)
    elif sign:
        if int(off_h) > 23 or int(off_m) > 59:
            raise _bad(field, value, "offset out of range")
        delta = timedelta(hours=int(off_h), minutes=int(off_m))
        aware = naive.replace(tzinfo=timezone(-delta if sign == "-" else delta))
    else:
        if zone is None:
            raise InvalidInput(field, f"{field} {describe_value(value)} has no zone: add an offset or pass a "
                               "timezone (example: 2024-10-28T17:30:00+08:00, or 2024-10-28 17:30:00 with "
                               "zone Asia/Shanghai)")
        aware = _localize(naive, resolve_zone(zone), field, value)
    return ParsedTimestamp(_to_pendulum_utc(aware), value, note)


def _require_aware(instant: Any, field: str) -> datetime:
    if not isinstance(instant, datetime) or instant.tzinfo is None or instant.utcoffset() is None:
        raise InvalidInput(field, f"{field} must be a timezone-aware datetime, got {describe_value(instant)}")
    return instant


def render_for_server(instant: datetime, server_zone: Any) -> str:
    """Render ``instant`` as MatrixOne's restore literal in the server's zone.

    Microseconds appear only when non-zero. A wall time that is ambiguous in the server zone is
    refused because Go's ``ParseInLocation`` would pick one of the two instants for us.
    """
    aware = _require_aware(instant, "timestamp")
    zone = resolve_zone(server_zone)
    local = aware.astimezone(zone)
    naive = local.replace(tzinfo=None, fold=0)
    if naive.replace(tzinfo=zone, fold=0).utcoffset() != naive.replace(tzinfo=zone, fold=1).utcoffset():
        raise InvalidInput("timestamp", f"timestamp {aware.isoformat()} falls in a daylight-saving overlap of "
                           f"the server zone {_zone_label(zone)}; MatrixOne cannot tell the two apart, pick "
                           "a time outside that hour")
    text = naive.strftime("%Y-%m-%d %H:%M:%S")
    if naive.microsecond:
        text += f".{naive.microsecond:06d}"
    return text


def format_server_seconds(instant: datetime, server_zone: Any) -> str:
    """``YYYY-MM-DD hh:mm:ss`` in the server zone, the format of MatrixOne's window errors."""
    aware = _require_aware(instant, "timestamp")
    return aware.astimezone(resolve_zone(server_zone)).strftime("%Y-%m-%d %H:%M:%S")


def to_epoch_ns(instant: datetime) -> int:
    """Exact integer nanoseconds since the Unix epoch (no float rounding)."""
    delta = _require_aware(instant, "timestamp") - EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000_000 + delta.microseconds * 1_000


def from_epoch_ns(ns: int) -> pendulum.DateTime:
    """UTC instant for epoch nanoseconds, truncated to microseconds (Python's resolution)."""
    if isinstance(ns, bool) or not isinstance(ns, int):
        raise InvalidInput("timestamp", f"epoch nanoseconds must be an int, got {describe_value(ns)}")
    try:
        return _to_pendulum_utc(EPOCH + timedelta(microseconds=ns // 1_000))
    except OverflowError:
        raise InvalidInput("timestamp", f"epoch nanoseconds {ns} out of range") from None


def validate_ts_literal(value: Any, field: str = "timestamp") -> str:
    """Check a restore literal is exactly ``YYYY-MM-DD HH:MM:SS[.fraction]`` and a real date/time."""
    if not isinstance(value, str) or len(value) > MAX_INPUT_LENGTH:
        raise InvalidInput(field, f"invalid {field} literal {describe_value(value)}: use YYYY-MM-DD HH:MM:SS"
                           "[.ffffff] (example: 2024-10-28 17:30:00)")
    match = _LITERAL_RE.fullmatch(value)
    ok = match is not None and value.isascii()
    if match is not None and ok:
        year, month, day, hour, minute, second, _ = match.groups()
        try:
            datetime(int(year), int(month), int(day), int(hour), int(minute), int(second))
        except ValueError:
            ok = False
    if not ok:
        raise InvalidInput(field, f"invalid {field} literal {describe_value(value)}: use YYYY-MM-DD HH:MM:SS"
                           "[.ffffff] (example: 2024-10-28 17:30:00)")
    return value
