"""Go-compatible parsing of RESTORE timestamps.

MatrixOne parses the literal with ``time.ParseInLocation("2006-01-02 15:04:05", s, Local)``
(matrixone-pitr.md §2.6). Failures are not MatrixOne errors, so the client gets code 1105 with
Go's own message; this module reproduces Go's parser closely enough that the same inputs are
accepted (optional fraction, 1-digit hour, runs of spaces) and rejected with Go's wording.
"""

from __future__ import annotations

import calendar
from datetime import datetime
from zoneinfo import ZoneInfo

LAYOUT = "2006-01-02 15:04:05"


class GoTimeParseError(ValueError):
    """Raised with Go's error text (``parsing time "..." as "...": ...``)."""


def _quote(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _err(value: str, elem: str, rest: str) -> GoTimeParseError:
    return GoTimeParseError(
        f"parsing time {_quote(value)} as {_quote(LAYOUT)}: cannot parse {_quote(rest)} as {_quote(elem)}"
    )


def _msg(value: str, message: str) -> GoTimeParseError:
    return GoTimeParseError(f"parsing time {_quote(value)}{message}")


def _getnum(s: str, fixed: bool) -> tuple[int, str] | None:
    if not s[:1].isdigit():
        return None
    if not s[1:2].isdigit():
        if fixed:
            return None
        return int(s[0]), s[1:]
    return int(s[:2]), s[2:]


def _skip(value: str, prefix: str) -> str | None:
    while prefix:
        if prefix[0] == " ":
            if value and value[0] != " ":
                return None
            prefix = prefix.lstrip(" ")
            value = value.lstrip(" ")
            continue
        if not value or value[0] != prefix[0]:
            return None
        value, prefix = value[1:], prefix[1:]
    return value


# layout chunks: (literal prefix, element)
_CHUNKS = [("", "2006"), ("-", "01"), ("-", "02"), (" ", "15"), (":", "04"), (":", "05")]


def parse_go_timestamp(text: str, zone: ZoneInfo) -> int:
    """Parse ``text`` as Go would in ``zone``; return UTC nanoseconds since the epoch."""
    value = text
    fields: dict[str, int] = {}
    nanos = 0
    for prefix, elem in _CHUNKS:
        skipped = _skip(value, prefix)
        if skipped is None:
            raise _err(text, prefix, value)
        value = skipped
        hold = value
        if elem == "2006":
            if len(value) < 4 or not value[0].isdigit() or not value[:4].isdigit():
                raise _err(text, elem, hold)
            fields["year"], value = int(value[:4]), value[4:]
            continue
        got = _getnum(value, fixed=elem != "15")
        if got is None:
            raise _err(text, elem, hold)
        num, value = got
        limits = {"01": (1, 12, "month"), "02": (1, 31, "day"), "15": (0, 23, "hour"),
                  "04": (0, 59, "minute"), "05": (0, 59, "second")}
        lo, hi, name = limits[elem]
        if not lo <= num <= hi:
            raise _msg(text, f": {name} out of range")
        fields[name] = num
        if elem == "05" and len(value) >= 2 and value[0] in ".," and value[1].isdigit():
            n = 2
            while n < len(value) and value[n].isdigit():
                n += 1
            digits = value[1:n][:9]
            nanos = int(digits.ljust(9, "0"))
            value = value[n:]
    if value:
        raise _msg(text, f": extra text: {_quote(value)}")
    year, month, day = fields["year"], fields["month"], fields["day"]
    if year < 1:
        raise _msg(text, ": year out of range")  # Go accepts year 0; Python cannot represent it
    if day > calendar.monthrange(year, month)[1]:
        raise _msg(text, ": day out of range")
    local = datetime(year, month, day, fields["hour"], fields["minute"], fields["second"], tzinfo=zone)
    seconds = calendar.timegm(local.utctimetuple())
    return seconds * 1_000_000_000 + nanos


def format_ns(ts_ns: int, zone: ZoneInfo) -> str:
    """Format UTC nanoseconds as ``YYYY-MM-DD hh:mm:ss`` in ``zone`` (Go's nanoTimeFormat)."""
    return datetime.fromtimestamp(ts_ns // 1_000_000_000, tz=zone).strftime("%Y-%m-%d %H:%M:%S")


def range_start_ns(now_ns: int, length: int, unit: str) -> int:
    """``now - range`` with Go's calendar arithmetic in UTC (pitr.go ``addTimeSpan``)."""
    from datetime import UTC, timedelta

    secs, rem = divmod(now_ns, 1_000_000_000)
    now = datetime.fromtimestamp(secs, tz=UTC)
    if unit == "h":
        start = now - timedelta(hours=length)
    else:
        years = length if unit == "y" else 0
        months = length if unit == "mo" else 0
        days = length if unit == "d" else 0
        # Go's AddDate normalises overflow (Mar 31 - 1 month = Mar 3), so build from the 1st
        total_month = now.year * 12 + (now.month - 1) - years * 12 - months
        y, m = divmod(total_month, 12)
        start = now.replace(year=y, month=m + 1, day=1) + timedelta(days=now.day - 1 - days)
    return int(start.timestamp()) * 1_000_000_000 + rem
