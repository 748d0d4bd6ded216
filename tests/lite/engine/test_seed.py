"""The seed scenario end to end through EngineSession (no TCP)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from matrixone_lite.engine import EngineSession
from tests.support.seed import ACCOUNT_SCRIPT, ORDERS_ACC1, ORDERS_ACC2

from .conftest import run

SYSTEM = ["information_schema", "mo_catalog", "mysql", "system", "system_metrics"]


def seed(s: EngineSession, orders: str) -> None:
    run(s, ACCOUNT_SCRIPT)
    r = s.execute(orders)
    assert r.affected_rows == 3 and r.last_insert_id == 1


def test_seed_acc1_and_acc2(connect) -> None:
    a1, a2 = connect("acc1"), connect("acc2")
    seed(a1, ORDERS_ACC1)
    seed(a2, ORDERS_ACC2)
    r = a1.execute("SELECT * FROM db1.products ORDER BY id")
    assert len(r.rows) == 9
    assert [c.name for c in r.columns] == ["id", "product_name", "category", "price", "stock_quantity"]
    price = r.columns[3]
    assert (price.type, price.scale) == ("DECIMAL", 2)
    assert r.rows[1] == (2, "Wireless Mouse", "Accessories", Decimal("25.50"), 100)
    assert str(r.rows[2][3]) == "75.00"
    o = a2.execute("select * from db2.orders")
    assert [(x[0], x[1], x[2]) for x in o.rows] == [(1, "Smartphone", 10), (2, "Headphones", 15), (3, "Tablet", 7)]
    assert all(isinstance(x[3], datetime) for x in o.rows)
    assert o.columns[3].type == "DATETIME"
    assert a1.execute("show databases").rows == [("db1",), ("db2",)] + [(n,) for n in SYSTEM]
    assert a1.execute("show tables from db1").rows == [("products",)]
    assert a1.execute("SELECT COUNT(*) FROM db1.products").rows == [(9,)]
    r = a1.execute("SELECT SUM(price), MAX(price), price * 3 FROM db1.products WHERE id = 9")
    assert r.rows == [(Decimal("59.99"), Decimal("59.99"), Decimal("179.97"))]
    assert [c.name for c in r.columns] == ["SUM(price)", "MAX(price)", "price * 3"]


def test_upgrade_script_and_isolation(connect) -> None:
    a1, a2 = connect("acc1"), connect("acc2")
    seed(a1, ORDERS_ACC1)
    seed(a2, ORDERS_ACC2)
    run(a1, "drop database db1; drop database db2")
    run(a2, "drop database db1; use db2; truncate table orders")
    assert a1.execute("show databases").rows == [(n,) for n in SYSTEM]
    assert a2.execute("show databases").rows == [("db2",)] + [(n,) for n in SYSTEM]
    assert a2.execute("select count(*) from orders").rows == [(0,)]
    r = a2.execute("insert into orders (product_name, quantity) values ('x', 1)")
    assert r.last_insert_id == 1  # TRUNCATE resets AUTO_INCREMENT
