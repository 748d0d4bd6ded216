"""Accounts and users; the statement-shape cache keeps results identical to the uncached path."""

from __future__ import annotations

from decimal import Decimal

import pytest

from matrixone_lite.engine import Engine
from matrixone_lite.errors import MOError
from matrixone_lite.sql.params import shape

from .conftest import run

NATIVE_111 = "832eb84cb764129d05d498ed9ca7e5ce9b8f83eb"  # hex(SHA1(SHA1("111")))


def test_sys_users_and_account_lifecycle(engine: Engine) -> None:
    for user in ("root", "dump"):
        info = engine.lookup_user("sys", user)
        assert info is not None
        assert (info.account_id, info.auth_string, info.default_role) == (0, NATIVE_111, "moadmin")
    admin = engine.lookup_user("acc1", "root")
    assert admin is not None and admin.default_role == "accountadmin" and admin.auth_string == NATIVE_111
    assert engine.lookup_user("acc1", "nobody") is None
    assert engine.lookup_user("nope", "root") is None
    st = engine.storage
    with pytest.raises(MOError), st.transaction() as tx:
        st.create_account(tx, "acc1", "root", "x")
    before = st.now_ns()
    with st.transaction() as tx:
        st.drop_account(tx, "acc2")
    assert engine.lookup_user("acc2", "root") is None
    assert [a.name for a in st.accounts()] == ["sys", "acc1"]
    assert [a.name for a in st.accounts(at=before)] == ["sys", "acc1", "acc2"]
    assert st.account("acc2", at=before) is not None


def test_drop_listener_sees_drops(engine: Engine, connect) -> None:
    seen: list[tuple[str, int, str | None, str | None]] = []
    engine.storage.add_drop_listener(lambda tx, kind, acc, db, t: seen.append((kind, acc, db, t)))
    s = connect("acc1")
    run(s, "create database d; use d; create table t (id int); drop table t; drop database d")
    acc = engine.storage.account("acc1")
    assert acc is not None
    assert seen == [("table", acc.id, "d", "t"), ("database", acc.id, "d", None)]


def test_shape_extraction() -> None:
    assert shape("select a, 5 from t where id = 5 limit 2, 3") == (
        "select a, 5 from t where id = :mop0 limit :mop1, :mop2", {"mop0": 5, "mop1": 2, "mop2": 3}
    )
    assert shape("insert into t values ('it''s', -1.5)") == ("insert into t values (:mop0, -:mop1)", {"mop0": "it's", "mop1": 1.5})
    assert shape("select * from t where d = date_format(x, '%Y')") is None  # function argument: no
    assert shape("select * from t {MO_TS = 5} where id = 1") is None


@pytest.mark.parametrize(
    "sql",
    [
        "select id from t where id > 1 order by id limit 1, 2",
        "select id, p from t where p = 2.50",
        "select id from t where s like 'b%' or s = 'it''s'",
        "select id, p * 2 from t where id in (1, 3) order by id",
        "select count(*) from t where p between 1 and 3",
        "select id from t where s = 'a\\'b'",
    ],
)
def test_shape_cache_matches_uncached(connect, sql: str) -> None:
    s = connect("acc1")
    run(s, "create database d; use d; create table t (id int primary key, p decimal(6,2), s varchar(9))")
    s.execute("insert into t values (1, 1.25, 'a''b'), (2, 2.50, 'bee'), (3, 3.75, 'it''s'), (4, 0, 'bx')")
    first = s.execute(sql)
    again = s.execute(sql)  # served from the cache
    s._cache.clear()
    import matrixone_lite.execution.queries as eng  # the module that owns the shape lookup

    orig = eng.shape
    eng.shape = lambda text: None  # type: ignore[assignment]
    try:
        plain = s.execute(sql)
    finally:
        eng.shape = orig
    assert first.rows == again.rows == plain.rows
    assert [c.name for c in first.columns] == [c.name for c in plain.columns]


def test_decimal_literals_through_parameters(connect) -> None:
    s = connect("acc1")
    run(s, "create database d; use d; create table t (id int primary key, p decimal(10,2))")
    for i in range(3):
        s.execute(f"insert into t values ({i}, {i}.05)")
    s.execute("update t set p = 99.99 where id = 2")
    assert s.execute("select p from t order by id").rows == [(Decimal("0.05"),), (Decimal("1.05"),), (Decimal("99.99"),)]


def test_account_names_are_case_insensitive(engine: Engine) -> None:
    st = engine.storage
    with st.transaction() as tx:
        row = st.create_account(tx, "MixedCase", "root", "pw")
    assert row.name == "mixedcase"
    assert engine.lookup_user("MIXEDCASE", "root") is not None
    assert st.account("mixedCase") is not None
