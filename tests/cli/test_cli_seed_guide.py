"""The seed guide (shared/reference/seed-mo_br-pitr-guide.md), every mo_br command run verbatim with mo-pitr.

Only two things differ from the guide: the port (a free one, the test server's) and the 2024
timestamp, replaced by a T recorded during the test and written the guide's way, including its
``17:30: 00`` typo. Data set-up and the "upgrade error" are plain SQL, as in the guide.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from airflow_provider_matrixone.cli.main import main
from tests.support.seed import ACCOUNT_SQL, ORDERS_ACC1, ORDERS_ACC2
from tests.support.sql import sql_as

SERVER_ZONE = ZoneInfo("Asia/Shanghai")

class Tty(io.StringIO):
    """A terminal that answers the confirmation prompt."""

    def isatty(self) -> bool:
        return True


def sql(server: Any, user: str, statements: list[str]) -> list[tuple[Any, ...]]:
    return sql_as(server, user, "111", statements)  # the guide's own password


@pytest.fixture(scope="module")
def seed_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from matrixone_lite import LiteServer

    with LiteServer(data_dir=tmp_path_factory.mktemp("mo-seed"), port=0, version="4.2.0", timezone="Asia/Shanghai",
                    root_password="111") as srv:
        yield srv


def guide(server: Any, command: str) -> list[str]:
    """A guide command line with ./mo_br dropped and the port replaced by the test server's."""
    import shlex

    argv = shlex.split(command)
    assert argv[0] == "./mo_br"
    argv = argv[1:]
    argv[argv.index("--port") + 1] = str(server.port)
    return argv


def run(capsys: pytest.CaptureFixture[str], argv: list[str], stdin: Any = None) -> tuple[int, str, str]:
    code = main(argv, stdin=stdin)
    out, err = capsys.readouterr()
    return code, out, err


def show_rows(out: str) -> list[list[str]]:
    lines = out.strip().split("\n")
    assert [c.strip() for c in lines[0].split("\t")] == [
        "PITR NAME", "CREATED TIME", "MODIFIED TIME", "PITR LEVEL", "ACCOUNT NAME", "DATABASE NAME", "TABLE NAME",
        "PITR LENGTH", "PITR UNIT"]
    return [[c.strip() for c in line.split("\t")] for line in lines[1:]]


def test_seed_guide_verbatim(seed_server: Any, capsys: pytest.CaptureFixture[str]) -> None:
    srv = seed_server
    # --- Create business data (SQL, as in the guide)
    sql(srv, "root", ["create account acc1 admin_name 'root' identified by '111'",
                      "create account acc2 admin_name 'root' identified by '111'"])
    for acc, orders in (("acc1", ORDERS_ACC1), ("acc2", ORDERS_ACC2)):
        sql(srv, f"{acc}#root", [*ACCOUNT_SQL, orders])
    orders_before = sql(srv, "acc2#root", ["select * from db2.orders order by id"])

    # --- Create pitr
    before = datetime.now(SERVER_ZONE).replace(microsecond=0)
    code, out, err = run(capsys, guide(srv, './mo_br pitr create --host "127.0.0.1" --port 6001 --user "root" '
                                            '--password "111" --pname "pitr1" --level "cluster" --rangevalue 1 '
                                            '--rangeunit "d "'))
    assert code == 0, err
    assert "normalised --rangeunit 'd ' to 'd'" in err

    code, out, err = run(capsys, guide(srv, './mo_br pitr show --host "127.0.0.1" --port 6001 --user "dump" '
                                            '--password "111"'))
    assert code == 0, err
    rows = show_rows(out)
    assert [r[0] for r in rows] == ["pitr1"]
    assert rows[0][3:] == ["cluster", "*", "*", "*", "1", "d"]
    created = datetime.strptime(rows[0][1], "%Y-%m-%d %H:%M:%S").replace(tzinfo=SERVER_ZONE)
    assert abs((created - before).total_seconds()) < 5  # shown in the server's zone, not UTC

    code, out, err = run(capsys, guide(srv, './mo_br pitr create --host "127.0.0.1" --port 6001 --user "acc1#root" '
                                            '--password "111" --pname "pitr2" --level "account" --account "acc1" '
                                            '--rangevalue 10 --rangeunit "h"'))
    assert code == 0, err
    code, out, err = run(capsys, guide(srv, './mo_br pitr show --host "127.0.0.1" --port 6001 --user "acc1#root" '
                                            '--password "111" --account "acc1"'))
    assert code == 0, err
    assert [r[:1] + r[3:] for r in show_rows(out)] == [["pitr2", "account", "acc1", "*", "*", "10", "h"]]

    code, out, err = run(capsys, guide(srv, './mo_br pitr create --host "127.0.0.1" --port 6001 --user "acc2#root" '
                                            '--password "111" --pname "pitr3" --level "account" --account "acc2" '
                                            '--rangevalue 10 --rangeunit "h"'))
    assert code == 0, err
    code, out, err = run(capsys, guide(srv, './mo_br pitr show --host "127.0.0.1" --port 6001 --user "acc2#root" '
                                            '--password "111" --account "acc2"'))
    assert code == 0, err
    assert [r[:1] + r[3:] for r in show_rows(out)] == [["pitr3", "account", "acc2", "*", "*", "10", "h"]]

    # --- Record T (whole seconds, strictly after the PITRs were created), then the upgrade error
    time.sleep(1.05)
    t_local = datetime.now(SERVER_ZONE).replace(microsecond=0)
    t_text = t_local.strftime("%Y-%m-%d %H:%M: %S")  # the guide's "17:30: 00" form
    time.sleep(0.05)
    sql(srv, "acc1#root", ["drop database db1", "drop database db2"])
    sql(srv, "acc2#root", ["drop database db1", "use db2", "truncate table orders"])
    assert sql(srv, "acc2#root", ["select count(*) from db2.orders"]) == [(0,)]

    # --- Full tenant recovery for acc1 (in place: confirmed on a terminal, safety snapshot taken)
    code, out, err = run(capsys, guide(srv, './mo_br pitr restore --host "127.0.0.1" --port 6001 --user "acc1#root" '
                                            f'--password "111" --pname "pitr2" --timestamp "{t_text}" '
                                            '--account "acc1"'), stdin=Tty("y\n"))
    assert code == 0, err
    assert "normalised timestamp" in err
    t_utc = t_local.astimezone(UTC)
    assert f"{t_utc:%Y-%m-%d %H:%M:%S} UTC = {t_local:%Y-%m-%d %H:%M:%S} Asia/Shanghai (server)" in out
    assert f"RESTORE FROM PITR `pitr2` '{t_local:%Y-%m-%d %H:%M:%S}'" in out
    assert "safety snapshot mo_safety_" in err and "undo with: mo-pitr snapshot restore" in err
    assert "111" not in [line.strip() for line in (out + err).split()]
    dbs = sorted(r[0] for r in sql(srv, "acc1#root", ["show databases"]))
    assert dbs == ["db1", "db2", "information_schema", "mo_catalog", "mysql", "system", "system_metrics"]
    assert sql(srv, "acc1#root", ["select count(*) from db1.products"]) == [(9,)]
    assert sql(srv, "acc1#root", ["select product_name, quantity from db2.orders order by id"]) == [
        ("Laptop", 2), ("Mouse", 5), ("Keyboard", 3)]

    # --- Database and table level recovery for acc2
    code, out, err = run(capsys, guide(srv, './mo_br pitr restore --host "127.0.0.1" --port 6001 --user "acc2#root" '
                                            f'--password "111" --pname "pitr3" --timestamp "{t_text}" '
                                            '--account "acc2" --database "db1"'))
    assert code == 0, err
    assert f"RESTORE DATABASE `db1` FROM PITR `pitr3` '{t_local:%Y-%m-%d %H:%M:%S}'" in out

    table_cmd = guide(srv, './mo_br pitr restore --host "127.0.0.1" --port 6001 --user "acc2#root" '
                           f'--password "111" --pname "pitr3" --timestamp "{t_text}" --account "acc2" '
                           '--database "db2" --table "orders"')
    # the one real run of the installed console script
    script = Path(sys.executable).with_name("mo-pitr")
    assert script.exists(), "run .venv/bin/pip install -e . --no-deps to install the mo-pitr script"
    env = {k: v for k, v in os.environ.items() if k not in ("MO_PASSWORD", "MO_PITR_YES")}
    proc = subprocess.run([str(script), *table_cmd], capture_output=True, text=True, timeout=60, env=env,
                          stdin=subprocess.DEVNULL)
    assert proc.returncode == 0, proc.stderr
    assert f"RESTORE DATABASE `db2` TABLE `orders` FROM PITR `pitr3` '{t_local:%Y-%m-%d %H:%M:%S}'" in proc.stdout
    assert "restore done in" in proc.stderr

    dbs = sorted(r[0] for r in sql(srv, "acc2#root", ["show databases"]))
    assert dbs == ["db1", "db2", "information_schema", "mo_catalog", "mysql", "system", "system_metrics"]
    restored = sql(srv, "acc2#root", ["select * from db2.orders"])
    assert [(r[0], r[1], r[2]) for r in restored] == [(1, "Smartphone", 10), (2, "Headphones", 15), (3, "Tablet", 7)]
    assert restored == orders_before  # order_date too
    assert sql(srv, "acc2#root", ["select count(*) from db1.products"]) == [(9,)]
