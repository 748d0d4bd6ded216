"""The seed guide's scenario end to end over TCP (shared/reference/seed-mo_br-pitr-guide.md)."""

from __future__ import annotations

import time
from datetime import datetime
from decimal import Decimal

import pymysql
import pytest

from tests.lite.conftest import connect, mo_error, run, server_now
from tests.support.seed import ACCOUNT_SQL, GUIDE_DATABASES, ORDERS_ACC1, ORDERS_ACC2


def test_seed_scenario(lite_server) -> None:
    srv = lite_server()
    sys_root = connect(srv)
    run(sys_root, "create account acc1 admin_name 'root' identified by '111'")
    run(sys_root, "create account acc2 admin_name 'root' identified by '111'")

    acc1 = connect(srv, "acc1#root")
    acc2 = connect(srv, "acc2#root")
    for sql in ACCOUNT_SQL:
        run(acc1, sql)
        run(acc2, sql)
    run(acc1, ORDERS_ACC1)
    run(acc2, ORDERS_ACC2)
    before = run(acc2, "select * from db2.orders order by id")

    # cluster PITR: the guide's `--rangeunit "d "` typo reaches the server untrimmed
    with pytest.raises(pymysql.err.OperationalError) as ei:
        run(sys_root, "create pitr pitr1 for cluster range 1 'd '")
    assert mo_error(ei) == (20101, "internal error: invalid pitr unit d ")
    run(sys_root, "create pitr pitr1 for cluster range 1 'd'")
    dump = connect(srv, "dump")
    rows = run(dump, "show pitr")
    assert [r[0] for r in rows] == ["pitr1"]
    assert rows[0][3:] == ("cluster", "*", "*", "*", 1, "d")
    assert isinstance(rows[0][1], datetime)

    # a tenant names no account (FOR ACCOUNT <self> is refused for tenants)
    with pytest.raises(pymysql.err.OperationalError) as ei:
        run(acc1, "create pitr pitr2 for account acc1 range 10 'h'")
    assert mo_error(ei)[1] == "internal error: only sys tenant can create tenant level pitr for other tenant"
    run(acc1, "create pitr pitr2 for account range 10 'h'")
    run(acc2, "create pitr pitr3 range 10 'h'")
    assert [r[3:] for r in run(acc1, "show pitr")] == [("account", "acc1", "*", "*", 10, "h")]
    assert [r[0] for r in run(acc2, "show pitr")] == ["pitr3"]
    assert [r[0] for r in run(sys_root, "show pitr")] == ["pitr1"]  # creator-scoped

    time.sleep(0.02)
    t = server_now()
    time.sleep(0.02)

    # the upgrade script's damage
    run(acc1, "drop database db1")
    run(acc1, "drop database db2")
    run(acc2, "drop database db1")
    run(acc2, "use db2")
    run(acc2, "truncate table orders")
    assert run(acc2, "select count(*) from db2.orders") == [(0,)]

    # the guide's `--timestamp "2024-10-28 17:30: 00"` typo: Go's parse error, code 1105
    with pytest.raises(pymysql.err.OperationalError) as ei:
        run(acc1, "restore from pitr pitr2 '2024-10-28 17:30: 00'")
    code, msg = mo_error(ei)
    assert code == 1105
    assert msg == ('parsing time "2024-10-28 17:30: 00" as "2006-01-02 15:04:05": '
                   'cannot parse " 00" as "05"')

    run(acc1, f"restore from pitr pitr2 '{t}'")
    assert [r[0] for r in run(acc1, "show databases")] == GUIDE_DATABASES
    assert run(acc1, "select count(*) from db1.products") == [(9,)]
    assert run(acc1, "select price from db1.products where id = 1") == [(Decimal("1200.99"),)]
    assert [r[1] for r in run(acc1, "select * from db2.orders order by id")] == ["Laptop", "Mouse", "Keyboard"]

    run(acc2, f"restore database db1 from pitr pitr3 '{t}'")
    run(acc2, f"restore database db2 table orders from pitr pitr3 '{t}'")
    acc2_fresh = connect(srv, "acc2#root")
    assert [r[0] for r in run(acc2_fresh, "show databases")] == GUIDE_DATABASES
    after = run(acc2_fresh, "select * from db2.orders")
    assert after == before
    assert [(r[0], r[1], r[2]) for r in after] == [(1, "Smartphone", 10), (2, "Headphones", 15), (3, "Tablet", 7)]
    assert all(isinstance(r[3], datetime) for r in after)
    assert run(acc2_fresh, "select count(*) from db1.products") == [(9,)]
