"""Recovery-window math at the edges, with MatrixOne's exact messages in the server zone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from airflow_provider_matrixone.pitr import (
    Level,
    Pitr,
    PitrRange,
    TimestampOutsideWindow,
    check_restore_window,
    range_start,
    recovery_window,
)

US = timedelta(microseconds=1)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def make_pitr(created: datetime, value: int = 1, unit: str = "d") -> Pitr:
    return Pitr(name="p1", level=Level.ACCOUNT, account="acc1", database=None, table=None,
                range=PitrRange.parse(value, unit), created=created, modified=created)


@pytest.mark.parametrize(("now", "value", "unit", "start"), [
    (utc(2024, 10, 28, 12), 1, "h", utc(2024, 10, 28, 11)),
    (utc(2024, 10, 28, 12), 100, "h", utc(2024, 10, 24, 8)),
    (utc(2024, 10, 28, 12), 1, "d", utc(2024, 10, 27, 12)),
    (utc(2024, 3, 1, 12), 1, "d", utc(2024, 2, 29, 12)),
    (utc(2024, 10, 28, 12), 1, "mo", utc(2024, 9, 28, 12)),
    (utc(2024, 1, 15), 2, "mo", utc(2023, 11, 15)),
    # Go's AddDate normalises instead of clamping: Mar 31 - 1 month = "Feb 31" = Mar 2 (2024 is leap)
    (utc(2024, 3, 31, 6), 1, "mo", utc(2024, 3, 2, 6)),
    (utc(2023, 3, 31, 6), 1, "mo", utc(2023, 3, 3, 6)),
    (utc(2024, 10, 28, 12), 1, "y", utc(2023, 10, 28, 12)),
    (utc(2024, 2, 29), 1, "y", utc(2023, 3, 1)),
    (utc(2024, 10, 28, 12, 0, 0, 5), 100, "y", utc(1924, 10, 28, 12, 0, 0, 5)),
])
def test_range_start_calendar_arithmetic(now: datetime, value: int, unit: str, start: datetime) -> None:
    assert range_start(now, PitrRange.parse(value, unit)) == start


def test_recovery_window() -> None:
    now = utc(2024, 10, 28, 12)
    young = make_pitr(now - timedelta(hours=3))
    assert recovery_window(young, now).earliest == now - timedelta(hours=3)
    assert recovery_window(young, now).latest == now
    old = make_pitr(now - timedelta(days=30), 1, "d")
    assert recovery_window(old, now).earliest == now - timedelta(days=1)
    assert recovery_window(old, now).to_dict() == {"earliest": "2024-10-27T12:00:00Z", "latest": "2024-10-28T12:00:00Z"}


def test_edges_accept() -> None:
    now = utc(2024, 10, 28, 12)
    created = now - timedelta(hours=3)
    pitr = make_pitr(created)
    for ok in (created + US, now, now - US, now - timedelta(hours=1)):
        check_restore_window(ok, pitr, now, "Asia/Shanghai")
    old = make_pitr(now - timedelta(days=5), 1, "d")
    check_restore_window(now - timedelta(days=1), old, now, "Asia/Shanghai")  # exactly at range start


def test_messages_exact_in_server_zone() -> None:
    now = utc(2024, 10, 28, 12)
    pitr = make_pitr(utc(2024, 10, 28, 9))
    with pytest.raises(TimestampOutsideWindow) as info:
        check_restore_window(pitr.created - US, pitr, now, "Asia/Shanghai")
    assert str(info.value) == "input timestamp 2024-10-28 16:59:59 is less than the pitr valid time 2024-10-28 17:00:00"
    with pytest.raises(TimestampOutsideWindow) as info:
        check_restore_window(pitr.created, pitr, now, "Asia/Shanghai")
    assert str(info.value) == "input timestamp 2024-10-28 17:00:00 is less than the pitr valid time 2024-10-28 17:00:00"
    old = make_pitr(utc(2024, 10, 1), 1, "h")
    with pytest.raises(TimestampOutsideWindow) as info:
        check_restore_window(now - timedelta(hours=1) - US, old, now, "Asia/Shanghai")
    assert str(info.value) == (
        "input timestamp 2024-10-28 18:59:59 is less than the pitr range minest timestamp 2024-10-28 19:00:00")
    with pytest.raises(TimestampOutsideWindow) as info:
        check_restore_window(now + US, pitr, now, "UTC")
    assert str(info.value) == "input timestamp 2024-10-28 12:00:00 is bigger than now timestamp 2024-10-28 12:00:00"


def test_naive_inputs_refused() -> None:
    pitr = make_pitr(utc(2024, 10, 28, 9))
    with pytest.raises(ValueError, match="timestamp"):
        check_restore_window(datetime(2024, 10, 28, 10), pitr, utc(2024, 10, 28, 12), "UTC")
    with pytest.raises(ValueError, match="now"):
        check_restore_window(utc(2024, 10, 28, 10), pitr, datetime(2024, 10, 28, 12), "UTC")
