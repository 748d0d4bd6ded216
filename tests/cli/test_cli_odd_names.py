"""mo-pitr with names MatrixOne allows (`order items`, `订单`, `select`, `$%^#`) and MO_PITR_YES parsing.

Before: ``mo-pitr pitr restore ... --dry-run`` of a scope that merely contained `order items`
exited 2 blaming ``--table``, a flag that was not passed. Now listed names are only quoted.
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.cli.conftest import Cli, make_account, sql_as

SHANGHAI = ZoneInfo("Asia/Shanghai")
ODD_TABLES = [("订单", "order items", 3), ("订单", "select", 2), ("订单", "$%^#", 1), ("select", "订单", 4)]


def _q(name: str) -> str:
    return "`" + name.replace("`", "``") + "`"


def _stamp() -> str:
    now = datetime.now(UTC)
    time.sleep(0.02)
    return now.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M:%S.%f")


def _odd_account(server: Any, account: str) -> str:
    """Seed account + odd objects + account PITR `$%^#`; returns T; then damages the odd objects."""
    make_account(server, account)
    user = f"{account}#admin"
    sqls = ["create database `订单`", "create database `select`"]
    for db, table, rows in ODD_TABLES:
        sqls += [f"create table {_q(db)}.{_q(table)} (id int primary key, `order` varchar(9))",
                 f"insert into {_q(db)}.{_q(table)} values " + ", ".join(f"({i}, 'v')" for i in range(1, rows + 1))]
    sql_as(server, user, [*sqls, "create pitr `$%^#` for account range 1 'h'"])
    time.sleep(1.05)
    t = _stamp()
    sql_as(server, user, ["delete from `订单`.`order items` where id > 1", "drop table `订单`.`$%^#`",
                          "drop database `select`"])
    return t


def _counts(server: Any, user: str) -> dict[str, int | None]:
    out: dict[str, int | None] = {}
    dbs = {r[0] for r in sql_as(server, user, ["show databases"])}
    for db, table, _ in ODD_TABLES:
        tables = {r[0] for r in sql_as(server, user, [f"show tables from {_q(db)}"])} if db in dbs else set()
        out[f"{db}.{table}"] = (int(sql_as(server, user, [f"select count(*) from {_q(db)}.{_q(table)}"])[0][0])
                                if table in tables else None)
    return out


AT_T = {f"{db}.{table}": rows for db, table, rows in ODD_TABLES}


def test_dry_run_of_a_scope_containing_odd_names(cli: Cli, cli_server: Any) -> None:
    t = _odd_account(cli_server, "oddcli1")
    u = "oddcli1#admin"
    mark = len(cli_server.statement_log.entries)
    r = cli("pitr", "restore", "--pname", "$%^#", "--timestamp", t, "--account", "oddcli1", "--dry-run",
            "--format", "json", user=u)
    assert r.code == 0, r.err
    assert "--table" not in r.err
    data = json.loads(r.out)
    actions = {f"{e['database']}.{e['table']}": (e["action"], e["rows_at_t"]) for e in data["plan"]["tables"]}
    assert actions["订单.order items"] == ("replace", 3)
    assert actions["订单.$%^#"] == ("recreate", 1) and actions["select.订单"] == ("recreate", 4)
    assert [e for e in cli_server.statement_log.entries[mark:] if e["sql"].upper().startswith(("RESTORE", "CREATE",
                                                                                                "DROP"))] == []
    assert _counts(cli_server, u)["订单.order items"] == 1
    r = cli("pitr", "restore", "--pname", "$%^#", "--timestamp", t, "--account", "oddcli1", "--dry-run", user=u)
    assert r.code == 0, r.err
    assert "订单.order items" in r.out


def test_account_restore_with_verify(cli: Cli, cli_server: Any) -> None:
    t = _odd_account(cli_server, "oddcli2")
    u = "oddcli2#admin"
    r = cli("pitr", "restore", "--pname", "$%^#", "--timestamp", t, "--account", "oddcli2", "--verify", "--yes",
            user=u)
    assert r.code == 0, r.err
    assert "verification: VERIFIED" in r.out and "订单.order items" in r.out
    assert _counts(cli_server, u) == AT_T


@pytest.mark.parametrize(("flags", "restored"), [
    (["--database", "订单"], ["订单.order items", "订单.$%^#", "订单.select"]),
    (["--database", "订单", "--table", "$%^#"], ["订单.$%^#"]),
    (["--database", "订单", "--table", "select"], ["订单.select"]),
])
def test_database_and_table_restores_naming_odd_names(flags: list[str], restored: list[str], cli: Cli,
                                                      cli_server: Any) -> None:
    account = f"oddcli{len(flags)}{len(restored)}"
    t = _odd_account(cli_server, account)
    u = f"{account}#admin"
    r = cli("pitr", "restore", "--pname", "$%^#", "--timestamp", t, *flags, "--verify", user=u)
    assert r.code == 0, r.err
    assert "verification: VERIFIED" in r.out
    counts = _counts(cli_server, u)
    for name in restored:
        assert counts[name] == AT_T[name]
    if "订单.order items" not in restored:
        assert counts["订单.order items"] == 1  # outside the scope: untouched


@pytest.mark.parametrize(("flag", "value"), [("--table", "order items"), ("--database", "a`b"), ("--pname", "p'1"),
                                             ("--database", "db\t1")])
def test_names_matrixone_refuses_blame_the_flag_that_was_passed(flag: str, value: str, cli: Cli,
                                                               cli_server: Any) -> None:
    argv = ["pitr", "restore", "--pname", "$%^#", "--timestamp", "2024-10-28 17:30:00", "--database", "订单"]
    if flag in argv:
        argv[argv.index(flag) + 1] = value
    else:
        argv += [flag, value]
    mark = len(cli_server.statement_log.entries)
    r = cli(*argv, "--dry-run")
    assert r.code == 2, r.err
    assert r.err.strip().startswith(f"mo-pitr: error: {flag}: invalid"), r.err
    assert cli_server.statement_log.entries[mark:] == []


@pytest.mark.parametrize("value", ["", "None", "maybe", "null"])
def test_ambiguous_mo_pitr_yes_refuses(value: str, cli: Cli, cli_server: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    make_account(cli_server, "oddyes")
    assert cli("pitr", "drop", "--pname", "pyes").code in (0, 1)
    assert cli("pitr", "create", "--pname", "pyes", "--level", "account", "--account", "oddyes", "--rangevalue", "1",
               "--rangeunit", "h").code == 0
    time.sleep(1.05)
    t = _stamp()
    sql_as(cli_server, "oddyes#admin", ["delete from db2.orders"])
    monkeypatch.setenv("MO_PITR_YES", value)
    mark = len(cli_server.statement_log.entries)
    r = cli("pitr", "restore", "--pname", "pyes", "--timestamp", t, "--account", "oddyes")
    assert r.code == 2 and "MO_PITR_YES" in r.err, r.err
    assert not any(e["sql"].upper().startswith(("RESTORE", "CREATE SNAPSHOT"))
                   for e in cli_server.statement_log.entries[mark:])
    assert int(sql_as(cli_server, "oddyes#admin", ["select count(*) from db2.orders"])[0][0]) == 0
    monkeypatch.setenv("MO_PITR_YES", " Yes ")
    r = cli("pitr", "restore", "--pname", "pyes", "--timestamp", t, "--account", "oddyes")
    assert r.code == 0, r.err
    assert int(sql_as(cli_server, "oddyes#admin", ["select count(*) from db2.orders"])[0][0]) == 3
