"""Timestamp parsing, zone conversion across DST edges, server rendering and epoch-ns round trips."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pendulum
import pytest

from airflow_provider_matrixone.pitr import (
    InvalidInput,
    from_epoch_ns,
    parse_timestamp,
    render_for_server,
    resolve_zone,
    to_epoch_ns,
    validate_ts_literal,
)

SHANGHAI = "Asia/Shanghai"


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(("value", "zone", "expected"), [
    ("2024-10-28T17:30:00+08:00", None, utc(2024, 10, 28, 9, 30)),
    ("2024-10-28 17:30:00+08:00", None, utc(2024, 10, 28, 9, 30)),
    ("2024-10-28T09:30:00Z", None, utc(2024, 10, 28, 9, 30)),
    ("2024-10-28t09:30:00z", None, utc(2024, 10, 28, 9, 30)),
    ("2024-10-28T05:30:00-04:00", "Asia/Shanghai", utc(2024, 10, 28, 9, 30)),  # offset beats zone
    ("2024-10-28T09:30:00.123456Z", None, utc(2024, 10, 28, 9, 30, 0, 123456)),
    ("2024-10-28 17:30:00", SHANGHAI, utc(2024, 10, 28, 9, 30)),
    ("2024-10-28 17:30:00.5", SHANGHAI, utc(2024, 10, 28, 9, 30, 0, 500000)),
    ("2024-10-28 17:30:00", "UTC", utc(2024, 10, 28, 17, 30)),
    ("2024-10-28 17:30:00", "+08:00", utc(2024, 10, 28, 9, 30)),
    ("2024-10-28 17:30:00", "-05:30", utc(2024, 10, 28, 23, 0)),
    ("  2024-10-28 17:30:00  ", "UTC", utc(2024, 10, 28, 17, 30)),
    # America/New_York across DST: EDT (-4) before 2024-11-03, EST (-5) after
    ("2024-11-02 12:00:00", "America/New_York", utc(2024, 11, 2, 16, 0)),
    ("2024-11-04 12:00:00", "America/New_York", utc(2024, 11, 4, 17, 0)),
    ("2024-03-10 01:59:59", "America/New_York", utc(2024, 3, 10, 6, 59, 59)),
    ("2024-03-10 03:00:00", "America/New_York", utc(2024, 3, 10, 7, 0)),
    ("2024-11-03T01:30:00-04:00", None, utc(2024, 11, 3, 5, 30)),  # overlap resolved by offset
    ("2024-11-03T01:30:00-05:00", None, utc(2024, 11, 3, 6, 30)),
    ("2024-03-31 01:59:59", "Europe/Berlin", utc(2024, 3, 31, 0, 59, 59)),
    ("2024-03-31 03:00:00", "Europe/Berlin", utc(2024, 3, 31, 1, 0)),
])
def test_parse_strings(value: str, zone: str | None, expected: datetime) -> None:
    parsed = parse_timestamp(value, zone=zone)
    assert parsed.instant == expected
    assert parsed.instant.utcoffset() == timedelta(0)
    assert isinstance(parsed.instant, pendulum.DateTime)
    assert parsed.source == value
    assert parsed.note is None


def test_seed_typo_is_normalised_with_note() -> None:
    parsed = parse_timestamp("2024-10-28 17:30: 00", zone=SHANGHAI)
    assert parsed.instant == utc(2024, 10, 28, 9, 30)
    assert parsed.note is not None and "17:30:00" in parsed.note and "\n" not in parsed.note


def test_nanosecond_fraction_truncated_with_note() -> None:
    parsed = parse_timestamp("2024-10-28T09:30:00.123456789Z")
    assert parsed.instant == utc(2024, 10, 28, 9, 30, 0, 123456)
    assert parsed.note is not None and "truncated" in parsed.note
    assert parse_timestamp("2024-10-28T09:30:00.123456000Z").note is None


def test_datetime_inputs() -> None:
    aware = datetime(2024, 10, 28, 17, 30, tzinfo=ZoneInfo(SHANGHAI))
    assert parse_timestamp(aware).instant == utc(2024, 10, 28, 9, 30)
    assert parse_timestamp(pendulum.datetime(2024, 10, 28, 9, 30, tz="UTC")).instant == utc(2024, 10, 28, 9, 30)
    naive = datetime(2024, 10, 28, 17, 30)
    assert parse_timestamp(naive, zone=SHANGHAI).instant == utc(2024, 10, 28, 9, 30)
    assert parse_timestamp(naive, zone="America/New_York").instant == utc(2024, 10, 28, 21, 30)


@pytest.mark.parametrize("ns", [1730107800000000000, 1730107800123456789, 1_000_000_000_000_000, 9_000_000_000_000_000_000])
def test_epoch_ns_int_and_string(ns: int) -> None:
    from_int = parse_timestamp(ns)
    from_str = parse_timestamp(str(ns))
    assert from_int.instant == from_str.instant
    assert to_epoch_ns(from_int.instant) == ns // 1000 * 1000


def test_epoch_ns_round_trip_exact() -> None:
    instant = utc(2024, 10, 28, 9, 30, 0, 123456)
    ns = to_epoch_ns(instant)
    assert ns == 1730107800123456000
    assert from_epoch_ns(ns) == instant
    assert to_epoch_ns(from_epoch_ns(ns)) == ns
    assert to_epoch_ns(utc(1970, 1, 1)) == 0
    # server literal -> instant -> ns -> instant -> literal
    literal = render_for_server(parse_timestamp("2024-10-28 17:30:00.25", zone=SHANGHAI).instant, SHANGHAI)
    assert literal == "2024-10-28 17:30:00.250000"
    again = parse_timestamp(to_epoch_ns(parse_timestamp(literal, zone=SHANGHAI).instant))
    assert render_for_server(again.instant, SHANGHAI) == literal


@pytest.mark.parametrize(("user_value", "user_zone", "server_literal"), [
    ("2024-10-28 17:30:00", SHANGHAI, "2024-10-28 17:30:00"),
    ("2024-10-28 09:30:00", "UTC", "2024-10-28 17:30:00"),
    ("2024-10-28T09:30:00Z", None, "2024-10-28 17:30:00"),
    ("2024-12-31 20:00:00", "UTC", "2025-01-01 04:00:00"),  # crosses a year in the server zone
    # New York across DST edges -> Shanghai (no DST, +8)
    ("2024-03-10 01:59:59", "America/New_York", "2024-03-10 14:59:59"),
    ("2024-03-10 03:00:00", "America/New_York", "2024-03-10 15:00:00"),
    ("2024-11-03 00:59:59", "America/New_York", "2024-11-03 12:59:59"),
    ("2024-11-03 02:00:00", "America/New_York", "2024-11-03 15:00:00"),
    ("2024-11-03T01:30:00-04:00", None, "2024-11-03 13:30:00"),
    ("2024-11-03T01:30:00-05:00", None, "2024-11-03 14:30:00"),
    ("2024-10-27 03:00:00", "Europe/Berlin", "2024-10-27 10:00:00"),
    ("2024-10-28 17:30:00.000001", SHANGHAI, "2024-10-28 17:30:00.000001"),
])
def test_render_for_server_shanghai(user_value: str, user_zone: str | None, server_literal: str) -> None:
    instant = parse_timestamp(user_value, zone=user_zone).instant
    assert render_for_server(instant, SHANGHAI) == server_literal
    assert validate_ts_literal(server_literal) == server_literal


def test_render_in_dst_server_zone() -> None:
    ny = "America/New_York"
    assert render_for_server(utc(2024, 7, 1, 12), ny) == "2024-07-01 08:00:00"
    assert render_for_server(utc(2024, 1, 1, 12), ny) == "2024-01-01 07:00:00"
    with pytest.raises(InvalidInput, match="overlap"):
        render_for_server(utc(2024, 11, 3, 5, 30), ny)  # 01:30 EDT, ambiguous for the server's parser
    with pytest.raises(InvalidInput, match="timestamp"):
        render_for_server(datetime(2024, 1, 1), ny)  # naive


def test_resolve_zone() -> None:
    assert resolve_zone("UTC") is UTC
    assert resolve_zone("+08:00") == timezone(timedelta(hours=8))
    assert resolve_zone("-0530") == timezone(-timedelta(hours=5, minutes=30))
    assert resolve_zone(SHANGHAI) == ZoneInfo(SHANGHAI)
    tz = ZoneInfo("Europe/Berlin")
    assert resolve_zone(tz) is tz
    for bad in ("", "Nowhere/City", "SYSTEM", "+25:00", None, "a" * 100):
        with pytest.raises(InvalidInput, match="zone"):
            resolve_zone(bad)


@pytest.mark.parametrize("literal", ["2024-10-28 17:30:00", "2024-08-08 15:42:20.249966", "2024-02-29 00:00:00",
                                     "2024-10-28 17:30:00.123456789"])
def test_validate_ts_literal_accepts(literal: str) -> None:
    assert validate_ts_literal(literal) == literal
