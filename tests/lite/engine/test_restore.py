"""Restore primitives: table, database, account (in place, dropped, into another account), cluster."""

from __future__ import annotations

from decimal import Decimal

import pytest

from matrixone_lite.engine import Engine
from matrixone_lite.errors import MOError
from tests.support.seed import ACCOUNT_SCRIPT, ORDERS_ACC1, ORDERS_ACC2

from .conftest import run

SYSTEM = [("information_schema",), ("mo_catalog",), ("mysql",), ("system",), ("system_metrics",)]


def seeded(engine: Engine, connect):
    a1, a2 = connect("acc1"), connect("acc2")
    run(a1, ACCOUNT_SCRIPT)
    a1.execute(ORDERS_ACC1)
    run(a2, ACCOUNT_SCRIPT)
    a2.execute(ORDERS_ACC2)
    return a1, a2, engine.storage.now_ns()


def acc_id(engine: Engine, name: str) -> int:
    row = engine.storage.account(name)
    assert row is not None
    return row.id


def test_seed_guide_restores(engine: Engine, connect) -> None:
    a1, a2, ts = seeded(engine, connect)
    orders_before = a2.execute("select * from db2.orders order by id").rows
    run(a1, "drop database db1; drop database db2")
    run(a2, "drop database db1; use db2; truncate table orders")
    st = engine.storage
    with st.transaction() as tx:
        st.restore_account(tx, src_account_id=acc_id(engine, "acc1"), at=ts, dst_account_id=acc_id(engine, "acc1"))
    assert a1.execute("show databases").rows == [("db1",), ("db2",), *SYSTEM]
    assert a1.execute("select count(*) from db1.products").rows == [(9,)]
    assert a1.execute("select price from db1.products where id = 2").rows == [(Decimal("25.50"),)]
    a2id = acc_id(engine, "acc2")
    with st.transaction() as tx:
        st.restore_database(tx, src_account_id=a2id, database="db1", at=ts, dst_account_id=a2id)
    with st.transaction() as tx:
        st.restore_table(tx, src_account_id=a2id, database="db2", table="orders", at=ts, dst_account_id=a2id)
    assert a2.execute("show databases").rows == [("db1",), ("db2",), *SYSTEM]
    assert a2.execute("select * from db2.orders order by id").rows == orders_before
    # auto-increment continues after the restored ids
    r = a2.execute("insert into db2.orders (product_name, quantity) values ('new', 1)")
    assert r.last_insert_id == 4


def test_restore_missing_objects_fail(engine: Engine, connect) -> None:
    a1, _, ts = seeded(engine, connect)
    st = engine.storage
    a1id = acc_id(engine, "acc1")
    with pytest.raises(MOError) as ei, st.transaction() as tx:
        st.restore_database(tx, src_account_id=a1id, database="nope", at=ts, dst_account_id=a1id)
    assert "database 'nope' does not exists at timestamp" in ei.value.message
    with pytest.raises(MOError), st.transaction() as tx:
        st.restore_table(tx, src_account_id=a1id, database="db1", table="nope", at=ts, dst_account_id=a1id)


def test_restore_is_atomic(engine: Engine, connect) -> None:
    a1, _, ts = seeded(engine, connect)
    run(a1, "drop database db1")
    st = engine.storage
    a1id = acc_id(engine, "acc1")
    with pytest.raises(RuntimeError), st.transaction() as tx:
        st.restore_database(tx, src_account_id=a1id, database="db1", at=ts, dst_account_id=a1id)
        raise RuntimeError("crash in the middle")
    assert a1.execute("show databases").rows == [("db2",), *SYSTEM]


def test_restore_into_another_account_and_dropped_account(engine: Engine, connect) -> None:
    a1, a2, ts = seeded(engine, connect)
    st = engine.storage
    a1id = acc_id(engine, "acc1")
    with st.transaction() as tx:
        acc3 = st.create_account(tx, "acc3", "admin", "pw")
    with st.transaction() as tx:
        st.restore_account(tx, src_account_id=a1id, at=ts, dst_account_id=acc3.id)
    a3 = engine.session("acc3", "admin")
    assert a3.execute("select count(*) from db1.products").rows == [(9,)]
    assert a3.execute("select product_name from db2.orders order by id").rows == [("Laptop",), ("Mouse",), ("Keyboard",)]
    assert engine.lookup_user("acc3", "admin") is not None
    # drop acc1 entirely, then bring it back with a cluster restore
    a1.close()
    with st.transaction() as tx:
        st.drop_account(tx, "acc1")
    assert engine.lookup_user("acc1", "root") is None
    with st.transaction() as tx:
        st.create_account(tx, "late", "root", "x")
    with st.transaction() as tx:
        st.restore_cluster(tx, at=ts)
    assert st.account("late") is None and st.account("acc3") is None
    info = engine.lookup_user("acc1", "root")
    assert info is not None and info.default_role == "accountadmin"
    s = engine.session("acc1", "root")
    assert s.execute("select count(*) from db1.products").rows == [(9,)]
    assert a2.execute("select count(*) from db2.orders").rows == [(3,)]


def test_restore_table_into_other_account_creates_database(engine: Engine, connect) -> None:
    _, a2, ts = seeded(engine, connect)
    st = engine.storage
    with st.transaction() as tx:
        acc3 = st.create_account(tx, "acc3", "root", "pw")
    with st.transaction() as tx:
        st.restore_table(
            tx, src_account_id=acc_id(engine, "acc2"), database="db2", table="orders", at=ts, dst_account_id=acc3.id
        )
    a3 = engine.session("acc3", "root")
    assert a3.execute("select product_name from db2.orders order by id").rows == [
        ("Smartphone",), ("Headphones",), ("Tablet",)
    ]


def test_objects_created_after_t_disappear_and_dropped_ones_return(engine: Engine, connect) -> None:
    a1, _, ts = seeded(engine, connect)
    run(a1, "create database later; create table db1.extra (id int); drop table db2.orders")
    a1.execute("insert into db1.products (product_name, price, stock_quantity) values ('x', 1, 1)")
    st = engine.storage
    a1id = acc_id(engine, "acc1")
    with st.transaction() as tx:
        st.restore_database(tx, src_account_id=a1id, database="db1", at=ts, dst_account_id=a1id)
    assert a1.execute("show tables from db1").rows == [("products",)]
    assert a1.execute("select count(*) from db1.products").rows == [(9,)]
    after_db_restore = st.now_ns()
    with st.transaction() as tx:
        st.restore_account(tx, src_account_id=a1id, at=ts, dst_account_id=a1id)
    assert a1.execute("show databases").rows == [("db1",), ("db2",), *SYSTEM]
    assert a1.execute("select count(*) from db2.orders").rows == [(3,)]
    # history of the replaced objects is still readable
    then = a1.execute(f"show databases {{MO_TS = {after_db_restore}}}").rows
    assert ("later",) in then and ("db2",) in then
