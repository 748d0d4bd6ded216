"""mo-pitr as sys with a cluster-level PITR: one account, a new account, sys's own database, the cluster.

Its own server (module fixture): a cluster restore rewinds every account.
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from tests.cli.conftest import ADMIN_PASSWORD, Cli, count, databases, make_account, sql_as

SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_sys_cluster_pitr(cli: Cli, cli_server: Any) -> None:
    make_account(cli_server, "c1")
    make_account(cli_server, "c2")
    sql_as(cli_server, "root", ["create database sysdb", "create table sysdb.t (a int)",
                                "insert into sysdb.t values (1), (2)"])
    r = cli("pitr", "create", "--pname", "pc", "--level", "cluster", "--rangevalue", "1", "--rangeunit", "d")
    assert r.code == 0, r.err
    r = cli("pitr", "create", "--pname", "psys", "--level", "account", "--account", "sys", "--rangevalue", "1")
    assert r.code == 0, r.err
    r = cli("pitr", "show", "--cluster", "sys")
    assert [line.split("\t")[0].strip() for line in r.out.strip().split("\n")[1:]] == ["pc"]
    t = datetime.now(UTC).astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M:%S.%f")
    time.sleep(0.02)

    sql_as(cli_server, "c1#admin", ["drop database db1"])
    sql_as(cli_server, "c2#admin", ["delete from db2.orders"])
    sql_as(cli_server, "root", ["delete from sysdb.t",
                                f"create account c3 admin_name 'admin' identified by '{ADMIN_PASSWORD}'"])

    # one account from the cluster PITR: the source account is named after the timestamp
    r = cli("pitr", "restore", "--pname", "pc", "--timestamp", t, "--account", "c1", "--yes")
    assert r.code == 0, r.err
    assert "RESTORE ACCOUNT `c1` FROM PITR `pc`" in r.out and "`c1`\n" in r.out
    assert count(cli_server, "c1#admin", "db1.products") == 2

    # sys restoring a database of its own account
    r = cli("pitr", "restore", "--pname", "pc", "--timestamp", t, "--database", "sysdb")
    assert r.code == 2  # a cluster PITR cannot restore a database (MatrixOne's rule), refused client-side
    assert "cluster level pitr `cluster` is not allowed for database restore" in r.err
    r = cli("pitr", "restore", "--pname", "psys", "--timestamp", t, "--database", "sysdb")
    assert r.code == 0, r.err
    assert f"RESTORE DATABASE `sysdb` FROM PITR `psys` '{t}'" in r.out
    assert int(sql_as(cli_server, "root", ["select count(*) from sysdb.t"])[0][0]) == 2
    sql_as(cli_server, "root", ["delete from sysdb.t"])

    # a new account holding c2's data at T
    r = cli("pitr", "restore", "--pname", "pc", "--timestamp", t, "--account", "c2", "--new_account", "c2_copy",
            "--new_admin_name", "admin", "--new_admin_password", ADMIN_PASSWORD)
    assert r.code == 0, r.err
    assert "RESTORE ACCOUNT `c2_copy` FROM PITR `pc`" in r.out and "`c2`" in r.out
    assert count(cli_server, "c2_copy#admin", "db2.orders") == 3
    assert count(cli_server, "c2#admin", "db2.orders") == 0

    # the whole cluster: dry run first (statements only), then refused without --yes, then done
    cli_server.statement_log.clear()
    r = cli("pitr", "restore", "--pname", "pc", "--timestamp", t, "--cluster", "sys", "--dry-run", "--format", "json")
    assert r.code == 0, r.err
    data = json.loads(r.out)
    assert data["statements"] == [f"RESTORE CLUSTER FROM PITR `pc` '{t}'"]
    assert data["plan"]["objects"] is None and "only to that account" in data["plan"]["note"]
    r = cli("pitr", "restore", "--pname", "pc", "--timestamp", t, "--cluster", "sys")
    assert r.code == 2 and "--yes" in r.err
    assert cli_server.statement_log.mutating() == []

    r = cli("pitr", "restore", "--pname", "pc", "--timestamp", t, "--cluster", "sys", "--yes")
    assert r.code == 0, r.err
    assert "safety snapshot mo_safety_" in r.err and "(cluster)" in r.err
    assert count(cli_server, "c2#admin", "db2.orders") == 3
    assert int(sql_as(cli_server, "root", ["select count(*) from sysdb.t"])[0][0]) == 2
    accounts = {row[0] for row in sql_as(cli_server, "root", ["show accounts"])}
    assert {"sys", "c1", "c2"} <= accounts
    assert "c3" not in accounts and "c2_copy" not in accounts  # created after T
    assert databases(cli_server, "c1#admin") == ["db1", "db2"]
    # the safety snapshot survived the restore and is listed
    r = cli("snapshot", "show", "--cluster", "sys")
    assert "mo_safety_" in r.out


def test_cluster_snapshot(cli: Cli, cli_server: Any) -> None:
    make_account(cli_server, "c5")
    r = cli("snapshot", "create", "--level", "cluster", "--sname", "csnap")
    assert r.code == 0, r.err
    r = cli("snapshot", "create", "--level", "cluster", "--sname", "csnap2", user="c5#admin")
    assert r.code == 1 and "only sys tenant can create cluster level snapshot" in r.err
    sql_as(cli_server, "root", [f"create account c6 admin_name 'admin' identified by '{ADMIN_PASSWORD}'"])
    sql_as(cli_server, "c5#admin", ["drop database db1"])
    r = cli("snapshot", "restore", "--sname", "csnap")
    assert r.code == 2 and "--yes" in r.err
    r = cli("snapshot", "restore", "--sname", "csnap", "--yes")
    assert r.code == 0, r.err
    assert "RESTORE CLUSTER {SNAPSHOT = 'csnap'}" in r.out
    accounts = {row[0] for row in sql_as(cli_server, "root", ["show accounts"])}
    assert "c5" in accounts and "c6" not in accounts
    assert count(cli_server, "c5#admin", "db1.products") == 2
