"""PitrClient follows the server's clock and zone (reference §4.5), measured over TCP."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pymysql

from airflow_provider_matrixone.pitr.identifiers import parse_login
from airflow_provider_matrixone.sql_io.driver import measure_skew
from airflow_provider_matrixone.sql_io.operations import PitrClient
from tests.provider.support import TEST_PASSWORD


def _client(server: Any) -> PitrClient:
    def connect() -> Any:
        return pymysql.connect(host=server.host, port=server.port, user="root", password=TEST_PASSWORD)

    return PitrClient(connect, parse_login("root"))


def test_skew_is_ignored_within_two_seconds() -> None:
    local = datetime(2026, 1, 1, 12, 0, 0, 400_000, tzinfo=UTC)
    assert measure_skew(datetime(2026, 1, 1, 12, 0, 0), local, local) == timedelta(0)
    assert measure_skew(None, local, local) == timedelta(0)


def test_skew_is_applied_when_the_server_clock_is_off() -> None:
    local = datetime(2026, 1, 1, 12, 0, 0, tzinfo=UTC)
    skew = measure_skew(datetime(2026, 1, 1, 12, 5, 0), local, local)
    assert timedelta(minutes=4, seconds=59) < skew < timedelta(minutes=5, seconds=1)


def test_same_machine_server_has_no_skew(mo_server: Any) -> None:
    client = _client(mo_server)
    client.get_server_info()
    assert client._clock_skew == timedelta(0)
    assert abs((client.now() - datetime.now(UTC)).total_seconds()) < 1


def test_non_iana_system_zone_falls_back_to_the_measured_server_offset(mo_server: Any) -> None:
    # The session server runs in Asia/Shanghai (UTC+8, no DST): a MySQL-style "CST" name is not
    # resolvable, so the offset is measured on the server with the session zone reset to SYSTEM.
    zone = _client(mo_server)._detect_server_zone("CST")
    assert zone.utcoffset(datetime(2026, 1, 1)) == timedelta(hours=8)
