"""History: the state at many instants, time-travel hints, dropped objects, GC."""

from __future__ import annotations

import pytest

from matrixone_lite.engine import Engine
from matrixone_lite.errors import MOError

from .conftest import run


def count_at(s, table: str, ts: int) -> int:
    return s.execute(f"select count(*) from {table} {{MO_TS = {ts}}}").rows[0][0]


def test_counts_at_many_instants(engine: Engine, connect) -> None:
    s = connect("acc1")
    run(s, "create database d; use d; create table t (id int primary key auto_increment, v int)")
    marks: list[tuple[int, list[tuple[int, int]]]] = []

    def mark() -> None:
        marks.append((engine.storage.now_ns(), s.execute("select id, v from t order by id").rows))

    mark()
    for i in range(5):
        s.execute(f"insert into t (v) values ({i}), ({i + 100})")
        mark()
    s.execute("update t set v = v * 2 where id % 2 = 0")
    mark()
    s.execute("delete from t where id > 7")
    mark()
    s.begin()
    s.execute("insert into t (v) values (7)")
    s.execute("update t set v = 0 where id = 1")
    s.execute("delete from t where id = 2")
    s.commit()
    mark()
    s.execute("truncate table t")
    mark()
    s.execute("insert into t (v) values (42)")
    mark()
    for ts, rows in marks:
        got = s.execute(f"select id, v from t {{MO_TS = {ts}}} order by id").rows
        assert got == rows
        assert count_at(s, "t", ts) == len(rows)


def test_uncommitted_and_rolled_back_changes_are_not_history(engine: Engine, connect) -> None:
    s = connect("acc1")
    run(s, "create database d; use d; create table t (id int primary key, v int); insert into t values (1, 1)")
    s.begin()
    s.execute("update t set v = 2 where id = 1")
    s.execute("update t set v = 3 where id = 1")
    mid = engine.storage.now_ns()
    s.rollback()
    assert s.execute(f"select v from t {{MO_TS = {mid}}}").rows == [(1,)]
    assert s.execute("select v from t").rows == [(1,)]
    s.begin()
    s.execute("update t set v = 2 where id = 1")
    s.execute("update t set v = 3 where id = 1")
    s.commit()
    assert engine.storage.execute_system(None, "select count(*) from h_1") == [(1,)]


def test_dropped_objects_keep_history_and_missing_objects_fail(engine: Engine, connect) -> None:
    s = connect("acc1")
    before = engine.storage.now_ns()
    run(s, "create database d; use d; create table t (id int); insert into t values (1), (2)")
    t1 = engine.storage.now_ns()
    run(s, "drop table t; create table t (id int); insert into t values (9)")
    t2 = engine.storage.now_ns()
    run(s, "drop database d")
    assert s.execute(f"select id from d.t {{MO_TS = {t1}}} order by id").rows == [(1,), (2,)]
    assert s.execute(f"select id from d.t {{MO_TS = {t2}}}").rows == [(9,)]
    assert s.execute(f"show databases {{MO_TS = {t1}}}").rows[0] == ("d",)
    assert s.execute(f"show tables from d {{MO_TS = {t1}}}").rows == [("t",)]
    with pytest.raises(MOError) as ei:
        s.execute(f"select * from d.t {{MO_TS = {before}}}")
    assert ei.value.code == 1049
    with pytest.raises(MOError) as ei:
        s.execute("select * from d.t")
    assert ei.value.code == 1049
    run(s, "create database d")
    with pytest.raises(MOError) as ei:
        s.execute(f"select * from d.t {{MO_TS = {engine.storage.now_ns()}}}")
    assert ei.value.code == 1146


def test_hint_forms(engine: Engine, connect) -> None:
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    s = connect("acc1")
    run(s, "create database d; use d; create table t (id int); insert into t values (1)")
    ts = engine.storage.now_ns()
    s.execute("insert into t values (2)")
    utc = datetime.fromtimestamp(ts / 1e9, UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    local = datetime.fromtimestamp(ts / 1e9, ZoneInfo("Asia/Shanghai")).strftime("%Y-%m-%d %H:%M:%S.%f")
    assert s.execute(f"select count(*) from t {{MO_TS = '{utc}'}}").rows == [(1,)]
    assert s.execute(f"select count(*) from t {{AS OF TIMESTAMP '{local}'}}").rows == [(1,)]
    engine.snapshot_resolver = lambda acc, name, *_where: ts if name == "s1" else None
    assert s.execute("select count(*) from t {SNAPSHOT = 's1'}").rows == [(1,)]
    assert s.execute("select count(*) from t {snapshot = s1}").rows == [(1,)]
    with pytest.raises(MOError) as ei:
        s.execute("select count(*) from t {SNAPSHOT = 'nope'}")
    assert ei.value.code == 20101 and "find 0 snapshot records" in ei.value.message
    engine.version_tuple = (4, 0, 0)
    with pytest.raises(MOError) as ei:
        s.execute(f"select count(*) from t {{MO_TS = '{utc}'}}")
    assert ei.value.message == f"invalid input: invalid debug timestamp string: {utc}"


def test_gc_removes_only_unneeded_history(engine: Engine, connect) -> None:
    s = connect("acc1")
    run(s, "create database d; use d; create table t (id int primary key, v int); insert into t values (1, 0)")
    run(s, "create table gone (id int); insert into gone values (1)")
    for i in range(1, 6):
        s.execute(f"update t set v = {i} where id = 1")
    keep_from = engine.storage.now_ns()
    s.execute("drop table gone")
    for i in range(6, 9):
        s.execute(f"update t set v = {i} where id = 1")
    engine.storage.set_gc_horizon_provider(lambda: keep_from)
    horizon_now = keep_from + 3600 * 10**9  # "now" an hour later: only the provider keeps history
    stats = engine.storage.gc(now_ns=horizon_now)
    assert stats["history_rows"] == 5  # versions v=0..4 ended at or before keep_from
    assert stats["tables"] == 0  # gone was dropped after the horizon
    assert s.execute(f"select v from t {{MO_TS = {keep_from}}}").rows == [(5,)]
    engine.storage.set_gc_horizon_provider(lambda: None)
    stats = engine.storage.gc(now_ns=engine.storage.now_ns() + 2 * 3600 * 10**9)
    assert stats["tables"] == 1 and stats["history_rows"] == 3
    assert s.execute("select v from t").rows == [(8,)]


def test_reads_and_restores_before_gc_horizon_fail(engine: Engine, connect) -> None:
    s = connect("acc1")
    run(s, "create database d; use d; create table t (id int primary key, v int); insert into t values (1, 0)")
    old = engine.storage.now_ns()
    s.execute("update t set v = 1")
    engine.storage.gc(now_ns=engine.storage.now_ns() + 2 * 3600 * 10**9)
    with pytest.raises(MOError) as ei:
        s.execute(f"select v from t {{MO_TS = {old}}}")
    assert "maybe snapshot is too old" in ei.value.message
    st = engine.storage
    acc = st.account("acc1")
    assert acc is not None
    with pytest.raises(MOError), st.transaction() as tx:
        st.restore_table(tx, src_account_id=acc.id, database="d", table="t", at=old, dst_account_id=acc.id)


def test_timestamp_hint_needs_recent_instant(engine: Engine, connect) -> None:
    s = connect("acc1")
    run(s, "create database d; use d; create table t (id int); insert into t values (1)")
    with pytest.raises(MOError) as ei:
        s.execute("select * from t {TIMESTAMP = '2020-01-01 00:00:00'}")
    assert ei.value.code == 20203 and "no corresponding snapshot" in ei.value.message
    assert s.execute(f"select count(*) from t {{TIMESTAMP = {engine.storage.now_ns()}}}").rows == [(1,)]
    ddl = s.execute(f"show create table t {{MO_TS = {engine.storage.now_ns()}}}").rows[0][1]
    assert ddl.startswith("CREATE TABLE `t`")


def test_alter_table_is_a_versioned_rebuild(engine: Engine, connect) -> None:
    s = connect("acc1")
    run(s, "create database d; use d; create table t (id int primary key auto_increment, a int, b varchar(5))")
    s.execute("insert into t (a, b) values (1, 'x'), (2, 'y')")
    before = engine.storage.now_ns()
    run(s, "alter table t add column c int default 7 not null; alter table t drop column a; "
           "alter table t rename column b to bb; alter table t rename to t2")
    assert s.execute("show tables").rows == [("t2",)]
    assert s.execute("select * from t2 order by id").rows == [(1, "x", 7), (2, "y", 7)]
    assert s.execute("insert into t2 (bb) values ('z')").last_insert_id == 3
    assert s.execute(f"select * from t {{MO_TS = {before}}} order by id").rows == [(1, 1, "x"), (2, 2, "y")]
    with pytest.raises(MOError) as ei:
        s.execute("alter table t2 drop column nope")
    assert ei.value.code == 1054
    acc = engine.storage.account("acc1")
    assert acc is not None
    with engine.storage.transaction() as tx:
        engine.storage.restore_database(tx, src_account_id=acc.id, database="d", at=before, dst_account_id=acc.id)
    assert s.execute("select * from t order by id").rows == [(1, 1, "x"), (2, 2, "y")]


def test_hints_in_ctas_insert_select_and_subqueries(engine: Engine, connect) -> None:
    s = connect("acc1")
    run(s, "create database d; use d; create table t (id int primary key, v int); insert into t values (1, 1), (2, 2)")
    ts = engine.storage.now_ns()
    run(s, "delete from t where id = 1; update t set v = 20 where id = 2")
    s.execute(f"create table old as select * from t {{MO_TS = {ts}}}")
    assert s.execute("select * from old order by id").rows == [(1, 1), (2, 2)]
    s.execute("create table back (id int primary key, v int)")
    s.execute(f"insert into back select id, v from d.t {{MO_TS = {ts}}} where id = 1")
    assert s.execute("select * from back").rows == [(1, 1)]
    r = s.execute(f"select id from t {{MO_TS = {ts}}} where id not in (select id from t)")
    assert r.rows == [(1,)]
    r = s.execute(f"select a.v, b.v from t {{MO_TS = {ts}}} as a join t b on a.id = b.id")
    assert r.rows == [(2, 20)]
