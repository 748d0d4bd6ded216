"""``mo-pitr ... --verify --probe-user``: the access proof of the CLI's verification (issue 13, point 3).

Before, ``--verify`` proved the content as the admin only: a restore after which the application
could not read its table (MatrixOne #26640: grants left on the old table ids) exited 0 with
VERIFIED. Now an application login reads each restored table; a refusal is a MISMATCH (exit 1)
naming the login, the table and the privilege. Its password comes from the environment or a
prompt, never the command line, and never reaches the output.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.cli.conftest import Cli, Pipe, count, make_account, sql_as
from tests.cli.test_cli_commands import stamp

APP_PASSWORD = "app-pw-7f3e91"


def _account_with_app(server: Any, cli: Cli, account: str) -> str:
    """A tenant whose application login ``app`` may read db2.orders, a PITR of db2, and T (server literal)."""
    make_account(server, account)
    u = f"{account}#admin"
    sql_as(server, u, ["create role r_app", "grant select on table db2.orders to r_app",
                       f"create user app identified by '{APP_PASSWORD}' default role r_app"])
    assert cli("pitr", "create", "--pname", "pp", "--level", "database", "--database", "db2", "--rangevalue", "1",
               "--rangeunit", "h", user=u).code == 0
    t, _ = stamp()
    return t


def _restore(cli: Cli, account: str, t: str, *extra: str) -> Any:
    return cli("pitr", "restore", "--pname", "pp", "--timestamp", t, "--database", "db2", "--verify", *extra,
               user=f"{account}#admin")


def test_application_that_reads_the_restored_table_is_verified(cli: Cli, cli_server: Any,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    t = _account_with_app(cli_server, cli, "prb1")
    sql_as(cli_server, "prb1#admin", ["delete from db2.orders"])
    monkeypatch.setenv("MO_PROBE_PASSWORD", APP_PASSWORD)
    r = _restore(cli, "prb1", t, "--probe-user", "prb1#app", "--format", "json")
    assert r.code == 0, r.err
    access = json.loads(r.out)["verification"]["access"]
    assert access == {"login": "prb1#app", "tables_read": 1, "tables_unread": 0, "verdict": "VERIFIED",
                      "reasons": []}, access


def test_grant_lost_after_the_restore_is_a_mismatch_exit_1(cli: Cli, cli_server: Any,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """Rows all back, the grant gone (a database restore does not bring account grants back)."""
    t = _account_with_app(cli_server, cli, "prb2")
    sql_as(cli_server, "prb2#admin", ["delete from db2.orders", "revoke select on table db2.orders from r_app"])
    monkeypatch.setenv("APP_PW", APP_PASSWORD)
    r = _restore(cli, "prb2", t, "--probe-user", "prb2#app", "--probe-password-env", "APP_PW")
    assert r.code == 1, (r.out, r.err)
    assert "verification: MISMATCH" in r.out, r.out
    assert "application login prb2#app cannot read table db2.orders" in r.out, r.out
    assert "missing privilege: SELECT on table db2.orders" in r.out, r.out
    assert "verification FAILED" in r.err
    assert APP_PASSWORD not in r.out + r.err
    assert count(cli_server, "prb2#admin", "db2.orders") == 3  # the content itself came back


def test_refused_login_is_a_mismatch_without_the_password(cli: Cli, cli_server: Any,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    t = _account_with_app(cli_server, cli, "prb3")
    sql_as(cli_server, "prb3#admin", ["delete from db2.orders"])
    monkeypatch.setenv("MO_PROBE_PASSWORD", APP_PASSWORD + "-wrong")
    r = _restore(cli, "prb3", t, "--probe-user", "prb3#app", "--log_level", "debug")
    assert r.code == 1, (r.out, r.err)
    assert "verification: MISMATCH" in r.out and "application login prb3#app cannot log in after the restore" in r.out
    assert APP_PASSWORD not in r.out + r.err


def test_probe_flags_are_refused_before_anything_changes(cli: Cli, cli_server: Any,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    t = _account_with_app(cli_server, cli, "prb4")
    sql_as(cli_server, "prb4#admin", ["delete from db2.orders"])
    u = "prb4#admin"
    # without --verify there is nothing to prove access of
    r = cli("pitr", "restore", "--pname", "pp", "--timestamp", t, "--database", "db2", "--probe-user", "prb4#app",
            user=u)
    assert r.code == 2 and "--probe-user" in r.err and "--verify" in r.err, r.err
    # no password anywhere and no terminal: refused, nothing restored
    monkeypatch.delenv("MO_PROBE_PASSWORD", raising=False)
    r = cli("pitr", "restore", "--pname", "pp", "--timestamp", t, "--database", "db2", "--verify", "--probe-user",
            "prb4#app", user=u, stdin=Pipe(""))
    assert r.code == 2 and "MO_PROBE_PASSWORD" in r.err, r.err
    assert count(cli_server, u, "db2.orders") == 0
    # the password is not a flag
    r = cli("pitr", "restore", "--pname", "pp", "--timestamp", t, "--database", "db2", "--verify", "--probe-user",
            "prb4#app", "--probe-password", APP_PASSWORD, user=u)
    assert r.code == 2 and APP_PASSWORD not in r.out + r.err, r.err
    assert count(cli_server, u, "db2.orders") == 0
    # nor a mistyped --probe-password-env holding the password itself
    r = cli("pitr", "restore", "--pname", "pp", "--timestamp", t, "--database", "db2", "--verify", "--probe-user",
            "prb4#app", "--probe-password-env", APP_PASSWORD, user=u, stdin=Pipe(""))
    assert r.code == 2 and APP_PASSWORD not in r.out + r.err, r.err
    assert count(cli_server, u, "db2.orders") == 0


def test_snapshot_restore_runs_the_same_access_proof(cli: Cli, cli_server: Any,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    _account_with_app(cli_server, cli, "prb5")
    u = "prb5#admin"
    assert cli("snapshot", "create", "--level", "account", "--sname", "sp_prb5", user=u).code == 0
    sql_as(cli_server, u, ["delete from db2.orders", "revoke select on table db2.orders from r_app"])
    monkeypatch.setenv("MO_PROBE_PASSWORD", APP_PASSWORD)
    r = cli("snapshot", "restore", "--sname", "sp_prb5", "--db", "db2", "--table", "orders", "--verify",
            "--probe-user", "prb5#app", "--format", "json", user=u)
    assert r.code == 1, (r.out, r.err)
    check = json.loads(r.out)["verification"]
    assert check["verdict"] == "MISMATCH" and check["access"]["tables_unread"] == 1, check
    assert any("application login prb5#app cannot read table db2.orders" in x for x in check["reasons"]), check
    assert count(cli_server, u, "db2.orders") == 3
