"""Hostile input through every mo-pitr flag: a clear error (exit 1 or 2, message, no traceback) and
zero mutating statements reaching the server (checked with the server's statement log).

The server is real (the session's matrixone_lite) and the credentials are right, so a value that
slipped through validation would reach MatrixOne and show up in the log.
"""

from __future__ import annotations

import io
import time
from collections.abc import Iterator
from typing import Any

import pendulum
import pytest

from airflow_provider_matrixone.cli.main import main
from tests.hostile.payloads import NAMES, TIMESTAMPS
from tests.provider.support import TENANT_PASSWORD, TEST_PASSWORD, make_tenant, root_sql, tenant_sql

ACC = "hostilecli"
X = "\x00X\x00"  # placeholder replaced by the payload

# (case id, argv with X where the hostile value goes): every identifier flag of every command.
SLOTS: list[tuple[str, list[str]]] = [
    ("pitr-create-pname", ["pitr", "create", "--pname", X, "--level", "account", "--account", ACC,
                           "--rangevalue", "1"]),
    ("pitr-create-account", ["pitr", "create", "--pname", "hp1", "--level", "account", "--account", X,
                             "--rangevalue", "1"]),
    ("pitr-create-database", ["pitr", "create", "--pname", "hp1", "--level", "database", "--account", ACC,
                              "--database", X, "--rangevalue", "1"]),
    ("pitr-create-table", ["pitr", "create", "--pname", "hp1", "--level", "table", "--account", ACC,
                           "--database", "db1", "--table", X, "--rangevalue", "1"]),
    ("pitr-alter-pname", ["pitr", "alter", "--pname", X, "--rangevalue", "2"]),
    ("pitr-drop-pname", ["pitr", "drop", "--pname", X]),
    ("pitr-restore-pname", ["pitr", "restore", "--pname", X, "--account", ACC, "--timestamp", "@T", "--yes"]),
    ("pitr-restore-account", ["pitr", "restore", "--pname", "hostile_p", "--account", X, "--timestamp", "@T",
                              "--yes"]),
    ("pitr-restore-database", ["pitr", "restore", "--pname", "hostile_p", "--account", ACC, "--database", X,
                               "--timestamp", "@T", "--yes"]),
    ("pitr-restore-table", ["pitr", "restore", "--pname", "hostile_p", "--account", ACC, "--database", "db1",
                            "--table", X, "--timestamp", "@T", "--yes"]),
    ("pitr-restore-new-account", ["pitr", "restore", "--pname", "hostile_p", "--account", ACC, "--new_account", X,
                                  "--new_admin_name", "admin", "--new_admin_password", "pw-123456",
                                  "--timestamp", "@T"]),
    ("snapshot-create-sname", ["snapshot", "create", "--level", "account", "--account", ACC, "--sname", X]),
    ("snapshot-create-account", ["snapshot", "create", "--level", "account", "--account", X, "--sname", "hs1"]),
    ("snapshot-drop-sname", ["snapshot", "drop", "--sname", X]),
    ("snapshot-restore-sname", ["snapshot", "restore", "--sname", X, "--account", ACC, "--yes"]),
]

NAME_CASES = [pytest.param(argv, value, id=f"{slot}-{name}") for slot, argv in SLOTS
              for name, value in NAMES.items()]

OTHER_CASES = [
    # wrong types and ranges
    pytest.param(["pitr", "create", "--pname", "hp1", "--level", "cluster", "--rangevalue", "ten"], id="range-word"),
    pytest.param(["pitr", "create", "--pname", "hp1", "--level", "cluster", "--rangevalue", "1.5"], id="range-float"),
    pytest.param(["pitr", "create", "--pname", "hp1", "--level", "cluster", "--rangevalue", "0"], id="range-zero"),
    pytest.param(["pitr", "create", "--pname", "hp1", "--level", "cluster", "--rangevalue", "-1"], id="range-neg"),
    pytest.param(["pitr", "create", "--pname", "hp1", "--level", "cluster", "--rangevalue", "101"], id="range-101"),
    pytest.param(["pitr", "create", "--pname", "hp1", "--level", "cluster", "--rangevalue", "9" * 5000],
                 id="range-huge"),
    pytest.param(["pitr", "create", "--pname", "hp1", "--level", "cluster", "--rangevalue", "1e3"], id="range-exp"),
    pytest.param(["pitr", "create", "--pname", "hp1", "--level", "cluster", "--rangevalue", "1; drop"],
                 id="range-injection"),
    pytest.param(["pitr", "create", "--pname", "hp1", "--level", "cluster", "--rangevalue", "1", "--rangeunit",
                  "d'; drop account a; --"], id="unit-injection"),
    pytest.param(["pitr", "create", "--pname", "hp1", "--level", "cluster", "--rangevalue", "1", "--rangeunit",
                  "week"], id="unit-unknown"),
    pytest.param(["pitr", "alter", "--pname", "hostile_p", "--rangevalue", "-5"], id="alter-range-neg"),
    pytest.param(["--port", "-1", "pitr", "show"], id="port-negative"),
    pytest.param(["--port", "6001; drop", "pitr", "show"], id="port-injection"),
    # impossible level/object combinations
    pytest.param(["pitr", "create", "--pname", "hp1", "--level", "galaxy", "--rangevalue", "1"], id="level-unknown"),
    pytest.param(["pitr", "create", "--pname", "hp1", "--level", "cluster'; drop", "--rangevalue", "1"],
                 id="level-injection"),
    pytest.param(["pitr", "create", "--pname", "hp1", "--level", "cluster", "--account", ACC, "--rangevalue", "1"],
                 id="cluster-with-account"),
    pytest.param(["pitr", "create", "--pname", "hp1", "--level", "table", "--account", ACC, "--database", "db1",
                  "--rangevalue", "1"], id="table-without-table"),
    pytest.param(["pitr", "create", "--pname", "hp1", "--level", "database", "--account", ACC, "--rangevalue", "1"],
                 id="database-without-database"),
    pytest.param(["pitr", "create", "--pname", "hp1", "--level", "account", "--account", ACC, "--table", "t1",
                  "--rangevalue", "1"], id="account-with-table"),
    pytest.param(["pitr", "restore", "--pname", "hostile_p", "--account", ACC, "--table", "products",
                  "--timestamp", "@T", "--yes"], id="restore-table-without-database"),
    pytest.param(["pitr", "restore", "--pname", "hostile_p", "--cluster", "sys", "--database", "db1",
                  "--timestamp", "@T", "--yes"], id="restore-cluster-with-database"),
    pytest.param(["pitr", "restore", "--pname", "hostile_p", "--cluster", "evil", "--timestamp", "@T", "--yes"],
                 id="restore-cluster-not-sys"),
    pytest.param(["snapshot", "create", "--level", "database", "--sname", "hs1"], id="snapshot-level-database"),
    pytest.param(["snapshot", "create", "--level", "cluster", "--account", ACC, "--sname", "hs1"],
                 id="snapshot-cluster-with-account"),
    pytest.param(["snapshot", "restore", "--sname", "hs1", "--table", "t1", "--yes"],
                 id="snapshot-restore-table-without-db"),
]

TIMESTAMP_CASES = [pytest.param(value, zone, id=f"timestamp-{name}") for name, (value, zone) in TIMESTAMPS.items()]


@pytest.fixture(scope="module")
def scenario(mo_server: Any) -> Iterator[dict[str, Any]]:
    """A tenant with a PITR created by sys, and a valid instant T inside its window."""
    make_tenant(mo_server, ACC)
    root_sql(mo_server, ["drop pitr if exists hostile_p", f"create pitr hostile_p for account {ACC} range 1 'd'"])
    time.sleep(1.05)
    t = pendulum.now("UTC")
    time.sleep(0.05)
    tenant_sql(mo_server, ACC, ["delete from db1.products where id > 4"])
    yield {"t": t.isoformat()}
    root_sql(mo_server, ["drop pitr if exists hostile_p", f"drop account if exists {ACC}"])


def run(server: Any, argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str, list[str]]:
    """mo-pitr as sys root; returns (exit code, stdout, stderr, mutating statements it caused)."""
    conn = ["--host", server.host, "--port", str(server.port), "--user", "root", "--password", TEST_PASSWORD]
    capsys.readouterr()
    mark = len(server.statement_log.entries)
    code = main([*argv, *conn], stdin=io.StringIO(""))
    out, err = capsys.readouterr()
    from matrixone_lite.wire.statement_log import is_mutating

    return code, out, err, [e["sql"] for e in server.statement_log.entries[mark:] if is_mutating(e["sql"])]


def assert_refused(code: int, out: str, err: str, mutating: list[str]) -> None:
    assert code in (1, 2), (code, out[-500:], err[-500:])
    assert mutating == []
    assert "Traceback" not in err and "Traceback" not in out
    message = err.strip()
    assert message.startswith("mo-pitr") or "error" in message.lower(), message[:500]
    assert len(message) < 5000, "the error echoes a huge value back"


def _fill(argv: list[str], value: str, t: str) -> list[str]:
    return [value if a == X else (t if a == "@T" else a) for a in argv]


@pytest.mark.parametrize(("argv", "value"), NAME_CASES)
def test_hostile_identifier(argv: list[str], value: str, scenario: dict[str, Any], mo_server: Any,
                            capsys: pytest.CaptureFixture[str]) -> None:
    assert_refused(*run(mo_server, _fill(argv, value, scenario["t"]), capsys))


@pytest.mark.parametrize("argv", OTHER_CASES)
def test_hostile_flag(argv: list[str], scenario: dict[str, Any], mo_server: Any,
                      capsys: pytest.CaptureFixture[str]) -> None:
    assert_refused(*run(mo_server, _fill(argv, "", scenario["t"]), capsys))


@pytest.mark.parametrize(("value", "zone"), TIMESTAMP_CASES)
def test_hostile_timestamp(value: str, zone: str | None, scenario: dict[str, Any], mo_server: Any,
                           capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["pitr", "restore", "--pname", "hostile_p", "--account", ACC, "--timestamp", value, "--yes"]
    if zone:
        argv += ["--timezone", zone]
    assert_refused(*run(mo_server, argv, capsys))


def test_the_valid_restore_goes_through(scenario: dict[str, Any], mo_server: Any,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    """Control: the same command with valid values is accepted, so the refusals above are real."""
    code, out, err, mutating = run(mo_server, ["pitr", "restore", "--pname", "hostile_p", "--account", ACC,
                                               "--timestamp", scenario["t"], "--yes"], capsys)
    assert code == 0, err
    assert any(s.upper().startswith("RESTORE") for s in mutating)
    assert tenant_sql(mo_server, ACC, ["select count(*) from db1.products"]) == [(9,)]
    assert TENANT_PASSWORD not in out + err
