"""Client-side recovery-window math, mirroring MatrixOne's ``checkPitrInValidDurtion`` (reference §4.5).

Checking before sending means a DAG fails fast with the server's own wording instead of after a
round trip (or, on old servers that lacked some checks, not at all).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from .errors import InvalidInput, TimestampOutsideWindow
from .models import Pitr, PitrRange, RangeUnit, RecoveryWindow
from .timestamps import format_server_seconds

__all__ = ["check_restore_window", "range_start", "recovery_window"]


def _aware(value: Any, field: str) -> datetime:
    if not isinstance(value, datetime) or value.tzinfo is None or value.utcoffset() is None:
        raise InvalidInput(field, f"{field} must be a timezone-aware datetime")
    utc = value.astimezone(UTC)
    # A plain datetime: pendulum.DateTime carrying datetime.timezone.utc loses its tzinfo on
    # subtraction of a timedelta (pendulum 3.3), which breaks the comparisons below.
    return datetime.combine(utc.date(), utc.time(), tzinfo=UTC)


def _go_add_date(dt: datetime, years: int, months: int, days: int) -> datetime:
    """Go's ``time.AddDate``: overflowing days roll forward (Mar 31 - 1 month = Mar 2/3), no clamping."""
    month_index = dt.month - 1 + months
    year = dt.year + years + month_index // 12
    month = month_index % 12 + 1
    first = dt.replace(year=year, month=month, day=1)
    return first + timedelta(days=dt.day - 1 + days)


def range_start(now: datetime, rng: PitrRange) -> datetime:
    """``now - range`` with MatrixOne's calendar arithmetic in UTC (``addTimeSpan``)."""
    utc_now = _aware(now, "now")
    if rng.unit is RangeUnit.HOUR:
        return utc_now - timedelta(hours=rng.value)
    if rng.unit is RangeUnit.DAY:
        return _go_add_date(utc_now, 0, 0, -rng.value)
    if rng.unit is RangeUnit.MONTH:
        return _go_add_date(utc_now, 0, -rng.value, 0)
    return _go_add_date(utc_now, -rng.value, 0, 0)


def recovery_window(pitr: Pitr, now: datetime) -> RecoveryWindow:
    """``[max(created, now - range), now]``; a timestamp equal to ``created`` is still refused."""
    utc_now = _aware(now, "now")
    start = range_start(utc_now, pitr.range)
    created = _aware(pitr.created, "created")
    return RecoveryWindow(earliest=max(created, start), latest=utc_now)


def check_restore_window(instant: datetime, pitr: Pitr, now: datetime, server_zone: Any) -> None:
    """Raise ``TimestampOutsideWindow`` with MatrixOne's message if ``instant`` cannot be restored.

    Same order and comparisons as the server: ``ts <= created``, ``ts < now - range``, ``ts > now``.
    Note SHOW PITR gives ``created`` to the second only; the server compares nanoseconds.
    """
    ts = _aware(instant, "timestamp")
    utc_now = _aware(now, "now")
    created = _aware(pitr.created, "created")

    def fmt(value: datetime) -> str:
        return format_server_seconds(value, server_zone)

    if ts <= created:
        raise TimestampOutsideWindow(
            f"input timestamp {fmt(ts)} is less than the pitr valid time {fmt(created)}")
    start = range_start(utc_now, pitr.range)
    if ts < start:
        raise TimestampOutsideWindow(
            f"input timestamp {fmt(ts)} is less than the pitr range minest timestamp {fmt(start)}")
    if ts > utc_now:
        raise TimestampOutsideWindow(
            f"input timestamp {fmt(ts)} is bigger than now timestamp {fmt(utc_now)}")
