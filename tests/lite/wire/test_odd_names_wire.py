"""matrixone_lite accepts every name MatrixOne does (reference §2.9), end to end over both drivers.

Create, insert (with and without a column list), time-travel read, PITR and restore with
`order items`, `订单`, `select`, `$%^#` and a reserved-word column `order`. The column-less INSERT
into a table with a reserved-word column, and a time-travel read of a table named `select`, used
to fail with 1064: the translator spelled the implied column list and the table alias unquoted.
"""

from __future__ import annotations

import time
from typing import Any

import pytest

from tests.provider.support import TENANT_PASSWORD, make_tenant, root_sql
from tests.support.sql import connect


def _connect(driver: str, server: Any, account: str) -> Any:
    return connect(server, f"{account}#admin", TENANT_PASSWORD, driver=driver, charset="utf8mb4")


@pytest.mark.parametrize("driver", ["pymysql", "mysqlclient"])
def test_odd_names_create_insert_time_travel_restore(driver: str, mo_server: Any) -> None:
    account = f"oddwire{driver[:5]}"
    make_tenant(mo_server, account)
    conn = _connect(driver, mo_server, account)
    try:
        cur = conn.cursor()
        for sql in ["create database `订单`",
                    "create table `订单`.`order items` (id int primary key, `order` varchar(20))",
                    "insert into `订单`.`order items` values (1, 'a'), (2, 'b')",  # no column list
                    "create table `订单`.`select` (`select` int)",
                    "insert into `订单`.`select` values (7)",
                    "create table `订单`.`$%^#` (id int)",
                    "insert into `订单`.`$%^#` (id) values (1)",
                    "create pitr `$%^#` for account range 1 'd'"]:
            cur.execute(sql)
        time.sleep(1.05)
        cur.execute("select now()")
        literal = str(cur.fetchall()[0][0])
        at_ns = time.time_ns()
        time.sleep(0.05)
        cur.execute("delete from `订单`.`order items` where id = 1")
        cur.execute("drop table `订单`.`$%^#`")
        cur.execute("show tables from `订单`")
        assert sorted(r[0] for r in cur.fetchall()) == ["order items", "select"]
        cur.execute(f"select count(*) from `订单`.`order items` {{MO_TS = {at_ns}}}")
        assert cur.fetchall()[0][0] == 2
        # a reserved-word table under a time-travel hint (its alias used to be emitted unquoted: 1064)
        cur.execute(f"select * from `订单`.`select` {{MO_TS = {at_ns}}} limit 0")
        assert [d[0] for d in cur.description] == ["select"]
        cur.execute(f"select `select`.`select` from `订单`.`select` {{MO_TS = {at_ns}}}")
        assert cur.fetchall()[0][0] == 7
        cur.execute(f"show tables from `订单` {{MO_TS = {at_ns}}}")
        assert sorted(r[0] for r in cur.fetchall()) == ["$%^#", "order items", "select"]
        cur.execute(f"restore database `订单` from pitr `$%^#` '{literal}'")
        cur.execute("select `order` from `订单`.`order items` order by id")
        assert [r[0] for r in cur.fetchall()] == ["a", "b"]
        cur.execute("select count(*) from `订单`.`$%^#`")
        assert cur.fetchall()[0][0] == 1
        for refused in ("create pitr `p 1` for account range 1 'd'", "create snapshot `s\t1` for account"):
            with pytest.raises(Exception, match="invalid input"):
                cur.execute(refused)
    finally:
        conn.close()
        root_sql(mo_server, [f"drop account if exists {account}"])
