"""mo-pitr against matrixone_lite: every command, each level, sys and tenant admins, exit codes."""

from __future__ import annotations

import dataclasses
import json
import time
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.cli.conftest import (
    ADMIN_PASSWORD,
    ROOT_PASSWORD,
    Cli,
    Tty,
    count,
    databases,
    make_account,
    sql_as,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")


def stamp() -> tuple[str, datetime]:
    """Now, as a server-zone literal with microseconds (what mo_br users type) and as an instant."""
    now = datetime.now(UTC)
    time.sleep(0.02)
    return now.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M:%S.%f"), now


def pitr_rows(out: str) -> list[list[str]]:
    lines = out.strip().split("\n")
    assert lines[0].split("\t")[0].strip() == "PITR NAME"
    return [[c.strip() for c in line.split("\t")] for line in lines[1:]]


def mutating(server: Any) -> list[str]:
    return [e["sql"] for e in server.statement_log.mutating()]


class TestPitrLifecycle:
    def test_tenant_every_level(self, cli: Cli, cli_server: Any) -> None:
        make_account(cli_server, "life1")
        u = "life1#admin"
        assert cli("pitr", "create", "--pname", "pa", "--level", "account", "--account", "life1", "--rangevalue",
                   "2", "--rangeunit", "d", user=u).code == 0
        assert cli("pitr", "create", "--pname", "pd", "--level", "database", "--account", "life1", "--database",
                   "db1", "--rangevalue", "12", "--rangeunit", "h", user=u).code == 0
        r = cli("pitr", "create", "--pname", "pt", "--level", "table", "--account", "life1", "--database", "db2",
                "--table", "orders", "--rangevalue", "1", "--rangeunit", "mo", user=u)
        assert r.code == 0 and "created pitr pt: level table" in r.out
        r = cli("pitr", "show", user=u)
        assert r.code == 0
        rows = {row[0]: row[3:] for row in pitr_rows(r.out)}
        assert rows == {"pa": ["account", "life1", "*", "*", "2", "d"],
                        "pd": ["database", "life1", "db1", "*", "12", "h"],
                        "pt": ["table", "life1", "db2", "orders", "1", "mo"]}
        assert [row[0] for row in pitr_rows(cli("pitr", "show", "--database", "db1", user=u).out)] == ["pd"]
        assert [row[0] for row in pitr_rows(cli("pitr", "show", "--table", "orders", user=u).out)] == ["pt"]
        assert pitr_rows(cli("pitr", "show", "--cluster", "sys", user=u).out) == []
        data = json.loads(cli("pitr", "show", "--format", "json", "--pname", "pd", user=u).out)
        assert data[0]["name"] == "pd" and data[0]["range_value"] == 12 and data[0]["created"].endswith("Z")
        created = datetime.fromisoformat(data[0]["created"].replace("Z", "+00:00"))
        assert data[0]["created_server"] == created.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M:%S")
        assert data[0]["server_timezone"] == "Asia/Shanghai"

        r = cli("pitr", "alter", "--pname", "pd", "--rangevalue", "3", "--rangeunit", "D ", user=u)
        assert r.code == 0 and "range 3 d" in r.out and "normalised --rangeunit" in r.err
        assert pitr_rows(cli("pitr", "show", "--pname", "pd", user=u).out)[0][7:] == ["3", "d"]
        for name in ("pa", "pd", "pt"):
            assert cli("pitr", "drop", "--pname", name, user=u).code == 0
        assert pitr_rows(cli("pitr", "show", user=u).out) == []

    def test_sys_levels(self, cli: Cli, cli_server: Any) -> None:
        make_account(cli_server, "life2")
        sql_as(cli_server, "root", ["create database if not exists sysdb", "create table if not exists sysdb.t (a int)"])
        assert cli("pitr", "create", "--pname", "sys_acc", "--level", "account", "--account", "life2",
                   "--rangevalue", "1").code == 0
        assert cli("pitr", "create", "--pname", "sys_db", "--level", "database", "--database", "sysdb",
                   "--rangevalue", "1").code == 0
        assert cli("pitr", "create", "--pname", "sys_tbl", "--level", "table", "--account", "sys", "--database",
                   "sysdb", "--table", "t", "--rangevalue", "1").code == 0
        rows = {row[0]: row[3:7] for row in pitr_rows(cli("pitr", "show", user="dump").out)}
        assert rows["sys_acc"] == ["account", "life2", "*", "*"]
        assert rows["sys_db"] == ["database", "sys", "sysdb", "*"]
        assert rows["sys_tbl"] == ["table", "sys", "sysdb", "t"]
        # a tenant only sees the PITRs it created (MatrixOne scopes SHOW PITR to the creator)
        assert pitr_rows(cli("pitr", "show", user="life2#admin").out) == []
        for name in ("sys_acc", "sys_db", "sys_tbl"):
            assert cli("pitr", "drop", "--pname", name).code == 0

    def test_server_errors_exit_1_with_code(self, cli: Cli, cli_server: Any) -> None:
        make_account(cli_server, "life3")
        u = "life3#admin"
        assert cli("pitr", "create", "--pname", "dup", "--level", "account", "--rangevalue", "1", user=u).code == 0
        r = cli("pitr", "create", "--pname", "dup", "--level", "database", "--database", "db1", "--rangevalue", "1",
                user=u)
        assert r.code == 1
        assert "MatrixOne error 20101: internal error: pitr dup already exists" in r.err
        r = cli("pitr", "drop", "--pname", "nope", user=u)
        assert r.code == 1 and "20101" in r.err and "pitr nope does not exist" in r.err
        r = cli("pitr", "create", "--pname", "p9", "--level", "database", "--database", "nodb", "--rangevalue", "1",
                user=u)
        assert r.code == 1 and "database nodb does not exist" in r.err
        r = cli("pitr", "show", user=u, password="wrong-password")
        assert r.code == 1 and "MatrixOne error 1045" in r.err and "wrong-password" not in r.err
        assert cli("pitr", "drop", "--pname", "dup", user=u).code == 0


class TestTenantRestores:
    def test_account_database_table(self, cli: Cli, cli_server: Any) -> None:
        make_account(cli_server, "ten1")
        u = "ten1#admin"
        assert cli("pitr", "create", "--pname", "pt1", "--level", "account", "--account", "ten1", "--rangevalue",
                   "1", "--rangeunit", "h", user=u).code == 0
        t, instant = stamp()
        sql_as(cli_server, u, ["drop database db1", "delete from db2.orders where id > 1", "create database extra"])

        r = cli("pitr", "restore", "--pname", "pt1", "--timestamp", t, "--account", "ten1", "--database", "db2",
                "--table", "orders", user=u)
        assert r.code == 0, r.err
        assert count(cli_server, u, "db2.orders") == 3
        assert "db1" not in databases(cli_server, u)

        r = cli("pitr", "restore", "--pname", "pt1", "--timestamp", t, "--database", "db1", user=u)
        assert r.code == 0, r.err
        assert count(cli_server, u, "db1.products") == 2

        sql_as(cli_server, u, ["insert into db1.products (name) values ('late')"])
        r = cli("pitr", "restore", "--pname", "pt1", "--timestamp", t, "--account", "ten1", "--yes", user=u)
        assert r.code == 0, r.err
        assert "RESTORE FROM PITR `pt1`" in r.out
        assert databases(cli_server, u) == ["db1", "db2"]  # 'extra' was created after T
        assert count(cli_server, u, "db1.products") == 2
        assert instant.strftime("%Y-%m-%d %H:%M:%S") in r.out  # UTC shown
        # progress: one line per phase with elapsed time
        assert "] safety snapshot mo_safety_" in r.err and "] restore done in" in r.err

    def test_timezone_and_rfc3339(self, cli: Cli, cli_server: Any) -> None:
        make_account(cli_server, "ten2")
        u = "ten2#admin"
        assert cli("pitr", "create", "--pname", "pt2", "--level", "account", "--rangevalue", "1", "--rangeunit",
                   "h", user=u).code == 0
        _, instant = stamp()
        sql_as(cli_server, u, ["delete from db2.orders"])
        utc_text = instant.strftime("%Y-%m-%d %H:%M:%S.%f")
        r = cli("pitr", "restore", "--pname", "pt2", "--timestamp", utc_text, "--timezone", "UTC", "--database",
                "db2", "--table", "orders", user=u)
        assert r.code == 0, r.err
        server_literal = instant.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M:%S.%f")
        assert f"FROM PITR `pt2` '{server_literal}'" in r.out
        assert count(cli_server, u, "db2.orders") == 3
        sql_as(cli_server, u, ["delete from db2.orders"])
        r = cli("pitr", "restore", "--pname", "pt2", "--timestamp", instant.isoformat(), "--database", "db2",
                "--table", "orders", "--format", "json", user=u)
        assert r.code == 0, r.err
        data = json.loads(r.out)
        assert data["timestamp_server"] == server_literal and data["server_timezone"] == "Asia/Shanghai"
        assert count(cli_server, u, "db2.orders") == 3

    def test_outside_window_is_usage_error(self, cli: Cli, cli_server: Any) -> None:
        make_account(cli_server, "ten3")
        u = "ten3#admin"
        assert cli("pitr", "create", "--pname", "pt3", "--level", "account", "--rangevalue", "1", "--rangeunit",
                   "h", user=u).code == 0
        cli_server.statement_log.clear()
        future = (datetime.now(SHANGHAI) + timedelta(hours=2)).strftime("%Y-%m-%d %H:%M:%S")
        r = cli("pitr", "restore", "--pname", "pt3", "--timestamp", future, "--database", "db1", user=u)
        assert r.code == 2 and "--timestamp" in r.err and "is bigger than now timestamp" in r.err
        past = (datetime.now(SHANGHAI) - timedelta(hours=3)).strftime("%Y-%m-%d %H:%M:%S")
        r = cli("pitr", "restore", "--pname", "pt3", "--timestamp", past, "--database", "db1", user=u)
        assert r.code == 2 and "is less than the pitr valid time" in r.err
        r = cli("pitr", "restore", "--pname", "missing", "--timestamp", past, "--database", "db1", user=u)
        assert r.code == 2 and "--pname" in r.err and "does not exist" in r.err
        # a tenant naming another account is refused before anything is sent
        t, _ = stamp()
        r = cli("pitr", "restore", "--pname", "pt3", "--timestamp", t, "--account", "other", "--yes", user=u)
        assert r.code == 2 and "not allowed to restore account other" in r.err
        assert mutating(cli_server) == []

    def test_database_pitr_restores_only_its_database(self, cli: Cli, cli_server: Any) -> None:
        make_account(cli_server, "ten4")
        u = "ten4#admin"
        assert cli("pitr", "create", "--pname", "pdb1", "--level", "database", "--database", "db1", "--rangevalue",
                   "1", "--rangeunit", "h", user=u).code == 0
        t, _ = stamp()
        sql_as(cli_server, u, ["delete from db1.products", "delete from db2.orders"])
        cli_server.statement_log.clear()
        r = cli("pitr", "restore", "--pname", "pdb1", "--timestamp", t, "--database", "db2", user=u)
        assert r.code == 2 and "pitr pdb1 is not allowed to restore database db2" in r.err
        r = cli("pitr", "restore", "--pname", "pdb1", "--timestamp", t, "--account", "ten4", "--yes", user=u)
        assert r.code == 2 and "can not restore account ten4 by pitr pdb1" in r.err
        assert mutating(cli_server) == []
        r = cli("pitr", "restore", "--pname", "pdb1", "--timestamp", t, user=u)  # no scope flag: what it covers
        assert r.code == 0, r.err
        assert "RESTORE DATABASE `db1` FROM PITR `pdb1`" in r.out
        assert count(cli_server, u, "db1.products") == 2 and count(cli_server, u, "db2.orders") == 0


class TestSysRestores:
    def test_account_level_pitr_in_place(self, cli: Cli, cli_server: Any) -> None:
        make_account(cli_server, "sysr1")
        assert cli("pitr", "create", "--pname", "p_sysr1", "--level", "account", "--account", "sysr1",
                   "--rangevalue", "1", "--rangeunit", "h").code == 0
        t, _ = stamp()
        sql_as(cli_server, "sysr1#admin", ["drop database db2"])
        r = cli("pitr", "restore", "--pname", "p_sysr1", "--timestamp", t, "--account", "sysr1", "--yes")
        assert r.code == 0, r.err
        assert "RESTORE ACCOUNT `sysr1` FROM PITR `p_sysr1`" in r.out
        assert count(cli_server, "sysr1#admin", "db2.orders") == 3

    def test_new_account_from_account_pitr(self, cli: Cli, cli_server: Any) -> None:
        make_account(cli_server, "sysr2", orders=4)
        sql_as(cli_server, "root", ["drop account if exists sysr2_copy"])
        assert cli("pitr", "create", "--pname", "p_sysr2", "--level", "account", "--account", "sysr2",
                   "--rangevalue", "1", "--rangeunit", "h").code == 0
        t, _ = stamp()
        sql_as(cli_server, "sysr2#admin", ["drop database db2"])
        secret = "Copy-Secret-" + ADMIN_PASSWORD
        cli_server.statement_log.clear()
        r = cli("pitr", "restore", "--pname", "p_sysr2", "--timestamp", t, "--account", "sysr2", "--new_account",
                "sysr2_copy", "--new_admin_name", "boss", "--new_admin_password", secret, "--log_level", "info")
        assert r.code == 0, r.err
        assert secret not in r.out + r.err
        assert "IDENTIFIED BY '***'" in r.out and "IDENTIFIED BY '***'" in r.err  # plan and SQL log, redacted
        assert "RESTORE ACCOUNT `sysr2_copy` FROM PITR `p_sysr2`" in r.out
        assert "safety snapshot" not in r.err  # not in place
        rows = sql_as(cli_server, "sysr2_copy#boss", ["select count(*) from db2.orders"], password=secret)
        assert rows == [(4,)]
        assert "db2" not in databases(cli_server, "sysr2#admin")  # the source is untouched
        assert any(s.startswith("CREATE ACCOUNT `sysr2_copy`") for s in mutating(cli_server))


class TestConfirmation:
    def test_in_place_account_restore_needs_yes_without_terminal(self, cli: Cli, cli_server: Any,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.delenv("MO_PITR_YES", raising=False)
        make_account(cli_server, "conf1")
        u = "conf1#admin"
        assert cli("pitr", "create", "--pname", "pc", "--level", "account", "--rangevalue", "1", "--rangeunit", "h",
                   user=u).code == 0
        t, _ = stamp()
        sql_as(cli_server, u, ["drop database db1"])
        cli_server.statement_log.clear()
        r = cli("pitr", "restore", "--pname", "pc", "--timestamp", t, "--account", "conf1", user=u)
        assert r.code == 2 and "--yes" in r.err and "not a terminal" in r.err
        r = cli("pitr", "restore", "--pname", "pc", "--timestamp", t, "--account", "conf1", user=u, stdin=Tty("n\n"))
        assert r.code == 2 and "cancelled" in r.err and "Continue? [y/N]" in r.err
        assert mutating(cli_server) == []
        assert "db1" not in databases(cli_server, u)
        monkeypatch.setenv("MO_PITR_YES", "1")
        r = cli("pitr", "restore", "--pname", "pc", "--timestamp", t, "--account", "conf1", "--no-safety-snapshot",
                user=u)
        assert r.code == 0, r.err
        assert "safety snapshot" not in r.err
        assert [s for s in mutating(cli_server) if s.upper().startswith("CREATE SNAPSHOT")] == []
        assert "db1" in databases(cli_server, u)


class TestDryRun:
    def test_dry_run_sends_no_mutating_statement(self, cli: Cli, cli_server: Any) -> None:
        make_account(cli_server, "dry1")
        u = "dry1#admin"
        assert cli("pitr", "create", "--pname", "pdry", "--level", "account", "--rangevalue", "1", "--rangeunit",
                   "h", user=u).code == 0
        t, _ = stamp()
        sql_as(cli_server, u, ["drop database db1", "delete from db2.orders where id = 1", "create database newer"])
        cli_server.statement_log.clear()
        r = cli("pitr", "restore", "--pname", "pdry", "--timestamp", t, "--account", "dry1", "--dry-run", user=u)
        assert r.code == 0, r.err
        assert cli_server.statement_log.entries, "the dry run read the server"
        assert mutating(cli_server) == []
        assert "dry run: nothing will be changed" in r.out
        assert "databases  db1 recreate, db2 replace, newer drop" in r.out
        tables = {line.split()[0]: line.split()[1:] for line in r.out.splitlines()
                  if line.startswith("  db") and len(line.split()) == 4}
        assert tables["db1.products"] == ["recreate", "-", "2"]
        assert tables["db2.orders"] == ["replace", "2", "3"]
        # JSON form too; still nothing sent that changes anything, and nothing changed
        r = cli("pitr", "restore", "--pname", "pdry", "--timestamp", t, "--account", "dry1", "--dry-run",
                "--format", "json", user=u)
        data = json.loads(r.out)
        assert data["dry_run"] is True and data["statements"][0].startswith("RESTORE FROM PITR")
        assert {f"{e['database']}.{e['table']}": e["action"] for e in data["plan"]["tables"]}["db2.orders"] == "replace"
        assert mutating(cli_server) == []
        assert databases(cli_server, u) == ["db2", "newer"]


class TestVerify:
    def test_verify_passes_after_a_good_restore(self, cli: Cli, cli_server: Any) -> None:
        make_account(cli_server, "ver1")
        u = "ver1#admin"
        assert cli("pitr", "create", "--pname", "pv", "--level", "account", "--rangevalue", "1", "--rangeunit", "h",
                   user=u).code == 0
        t, _ = stamp()
        sql_as(cli_server, u, ["delete from db2.orders", "insert into db1.products (name) values ('x')"])
        r = cli("pitr", "restore", "--pname", "pv", "--timestamp", t, "--database", "db2", "--verify", user=u)
        assert r.code == 0, r.err
        assert "verification: VERIFIED" in r.out
        assert "db2.orders" in r.out

    def test_verify_against_a_tampered_reference_exits_1(self, cli: Cli, cli_server: Any,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
        from airflow_provider_matrixone.pitr.verify import TableState
        from airflow_provider_matrixone.restore import run

        real_capture = run.capture

        def tampered(ops: Any, plan: Any, fingerprint: bool) -> Any:
            ref = real_capture(ops, plan, fingerprint)
            return dataclasses.replace(ref, tables={k: TableState(v.rows + 1, v.fingerprint)
                                                    for k, v in ref.tables.items()})

        monkeypatch.setattr(run, "capture", tampered)
        make_account(cli_server, "ver3")
        u = "ver3#admin"
        assert cli("pitr", "create", "--pname", "pv3", "--level", "account", "--rangevalue", "1", "--rangeunit",
                   "h", user=u).code == 0
        t, _ = stamp()
        sql_as(cli_server, u, ["delete from db2.orders"])
        r = cli("pitr", "restore", "--pname", "pv3", "--timestamp", t, "--database", "db2", "--verify", user=u)
        assert r.code == 1
        assert "verification: MISMATCH" in r.out and "table db2.orders had 4 rows at T and has 3 now" in r.out
        assert "verification FAILED" in r.err
        assert count(cli_server, u, "db2.orders") == 3  # the restore itself ran

    def test_verify_needs_the_targets_own_login(self, cli: Cli, cli_server: Any) -> None:
        make_account(cli_server, "ver4")
        assert cli("pitr", "create", "--pname", "pv4", "--level", "account", "--account", "ver4", "--rangevalue",
                   "1", "--rangeunit", "h").code == 0
        t, _ = stamp()
        cli_server.statement_log.clear()
        r = cli("pitr", "restore", "--pname", "pv4", "--timestamp", t, "--account", "ver4", "--verify",
                stdin=Tty("y\n"))
        assert r.code == 2 and "--verify" in r.err and "Continue?" not in r.err
        assert mutating(cli_server) == []

    def test_verify_detects_a_wrong_restore(self, cli_server: Any) -> None:
        """Run the pieces: reference at T, restore, then data changes before the verification."""
        from airflow_provider_matrixone.cli.connect import pymysql_connect
        from airflow_provider_matrixone.pitr.identifiers import parse_login
        from airflow_provider_matrixone.pitr.verify import TableState
        from airflow_provider_matrixone.restore import RestoreRequest, run
        from airflow_provider_matrixone.sql_io.capture import verify
        from airflow_provider_matrixone.sql_io.operations import PitrClient

        make_account(cli_server, "ver2")
        u = "ver2#admin"
        login = parse_login(u)
        client = PitrClient(pymysql_connect(cli_server.host, cli_server.port, u, ADMIN_PASSWORD), login)
        client.create_pitr("pv2", "account", range_value=1, range_unit="h")
        _, instant = stamp()
        sql_as(cli_server, u, ["delete from db2.orders"])
        plan = run.plan(client, RestoreRequest.build(pitr_name="pv2", level="database", database="db2",
                                                     instant=instant))
        reference = run.capture(client, plan, True)
        assert {k: v.rows for k, v in reference.tables.items()} == {"db2.orders": 3}
        client.execute(plan.sql)
        sql_as(cli_server, u, ["delete from db2.orders where id = 2"])  # the "wrong" restore
        report = verify(client, reference)
        assert report.status != "pass"
        assert "MISMATCH" in report.render() and "table db2.orders had 3 rows at T and has 2 now" in report.render()
        assert [(t["table"], t["expected_rows"], t["actual_rows"], t["verdict"])
                for t in report.to_dict()["tables"]] == [("db2.orders", 3, 2, "MISMATCH")]
        # same row count, one changed value: caught by the fingerprint
        sql_as(cli_server, u, ["insert into db2.orders (id, product_name, quantity) values (2, 'item2', 20)"])
        report = verify(client, reference)
        assert report.status != "pass" and "same 3 rows count as at T but different values" in report.render()
        sql_as(cli_server, u, ["update db2.orders set quantity = 2 where id = 2"])
        assert verify(client, reference).status == "pass"
        # a tampered reference is caught as well
        tampered = dataclasses.replace(reference, tables={"db2.orders": TableState(5)})
        assert verify(client, tampered).status != "pass"


class TestWindow:
    def test_window_text_and_json(self, cli: Cli, cli_server: Any) -> None:
        make_account(cli_server, "win1")
        u = "win1#admin"
        assert cli("pitr", "create", "--pname", "pw", "--level", "account", "--rangevalue", "10", "--rangeunit", "h",
                   user=u).code == 0
        r = cli("pitr", "window", "--pname", "pw", "--timezone", "Europe/Paris", user=u)
        assert r.code == 0, r.err
        assert "PITR pw: level account (account win1), range 10 h" in r.out
        assert "Asia/Shanghai (server)" in r.out and "Europe/Paris (local)" in r.out
        bar = [line for line in r.out.splitlines() if line.strip().startswith("pw [")]
        assert len(bar) == 1 and "of 10h recoverable" in bar[0]
        data = json.loads(cli("pitr", "window", "--format", "json", user=u).out)
        assert [d["pitr"]["name"] for d in data] == ["pw"]
        earliest = datetime.fromisoformat(data[0]["window"]["earliest"].replace("Z", "+00:00"))
        assert abs((earliest - datetime.now(UTC)).total_seconds()) < 30  # created just now


class TestSnapshots:
    def test_snapshot_commands(self, cli: Cli, cli_server: Any) -> None:
        make_account(cli_server, "snap1")
        before = datetime.now(UTC) - timedelta(seconds=1)
        r = cli("snapshot", "create", "--level", "account", "--account", "snap1", "--sname", "sp_snap1")
        assert r.code == 0, r.err
        r = cli("snapshot", "create", "--level", "account", "--sname", "sp_own", user="snap1#admin")
        assert r.code == 0, r.err
        r = cli("snapshot", "show", "--account", "snap1")
        assert r.code == 0
        lines = r.out.strip().split("\n")
        assert [c.strip() for c in lines[0].split("\t")] == ["SNAPSHOT NAME", "TIMESTAMP", "SNAPSHOT LEVEL",
                                                             "ACCOUNT NAME", "DATABASE NAME", "TABLE NAME"]
        row = [c.strip() for c in lines[1].split("\t")]
        assert row[0] == "sp_snap1" and row[2:4] == ["account", "snap1"]
        ts = datetime.strptime(row[1][:26], "%Y-%m-%d %H:%M:%S.%f").replace(tzinfo=UTC)
        assert abs((ts - datetime.now(UTC)).total_seconds()) < 30  # UTC, not the server zone
        begin = before.strftime("%Y-%m-%d %H:%M:%S")
        assert "sp_snap1" in cli("snapshot", "show", "--beginTs", begin).out
        assert "sp_snap1" not in cli("snapshot", "show", "--endTs", begin).out
        assert "sp_snap1" not in cli("snapshot", "show", "--sname", "other").out
        assert "sp_own" in cli("snapshot", "show", user="snap1#admin").out

        sql_as(cli_server, "snap1#admin", ["drop database db1"])
        r = cli("snapshot", "restore", "--sname", "sp_snap1", "--account", "snap1")
        assert r.code == 2 and "--yes" in r.err
        r = cli("snapshot", "restore", "--sname", "sp_snap1", "--account", "snap1", "--yes")
        assert r.code == 0, r.err
        assert "RESTORE ACCOUNT `snap1` {SNAPSHOT = 'sp_snap1'}" in r.out
        assert count(cli_server, "snap1#admin", "db1.products") == 2

        sql_as(cli_server, "snap1#admin", ["delete from db2.orders"])
        r = cli("snapshot", "restore", "--sname", "sp_own", "--db", "db2", "--table", "orders", user="snap1#admin")
        assert r.code == 0, r.err
        assert count(cli_server, "snap1#admin", "db2.orders") == 3

        sql_as(cli_server, "root", ["drop account if exists snap1_new"])
        r = cli("snapshot", "restore", "--sname", "sp_snap1", "--account", "snap1", "--new_account", "snap1_new",
                "--new_admin_name", "admin", "--new_admin_password", ADMIN_PASSWORD)
        assert r.code == 0, r.err
        assert ADMIN_PASSWORD not in r.out + r.err
        assert count(cli_server, "snap1_new#admin", "db1.products") == 2

        assert cli("snapshot", "drop", "--sname", "sp_snap1").code == 0
        r = cli("snapshot", "drop", "--sname", "sp_snap1")
        assert r.code == 1 and "snapshot sp_snap1 does not exist" in r.err
        r = cli("snapshot", "restore", "--sname", "gone")
        assert r.code == 2 and "--sname" in r.err


def test_password_never_printed(cli: Cli, cli_server: Any) -> None:
    r = cli("pitr", "show", "--log_level", "debug")
    assert r.code == 0
    assert ROOT_PASSWORD not in r.out + r.err
    r = cli("pitr", "create", "--pname", ROOT_PASSWORD[:8], "--level", "galaxy", "--rangevalue", "1")
    assert r.code == 2 and ROOT_PASSWORD not in r.err
