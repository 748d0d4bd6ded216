"""Row-count statements answered without sqlglot agree with the general translation path."""

from __future__ import annotations

import pytest

from matrixone_lite.engine import Engine
from matrixone_lite.errors import MOError
from matrixone_lite.sql.fastcount import parse_count_union

from .conftest import run


def general(s, sql: str):
    """The same statement through the general path: a WHERE that is always true defeats the fast path."""
    return s.execute(sql.replace("}", "} WHERE 1 = 1") if "{" in sql else sql + " WHERE 1 = 1")


def test_parser_accepts_only_the_count_shape() -> None:
    ok = parse_count_union("SELECT 'd' AS db_name, 't' AS table_name, COUNT(*) AS row_count FROM `d`.`t` "
                           "{MO_TS = 5} UNION ALL SELECT 'd''x' AS db_name, 7 AS n, count( * ) FROM t")
    assert ok is not None and len(ok) == 2
    assert (ok[0].database, ok[0].table, ok[0].hint.value if ok[0].hint else None) == ("d", "t", 5)
    assert [i.value for i in ok[1].items[:2]] == ["d'x", 7] and ok[1].items[2].name == "count( * )"
    for sql in (
        "select count(*) from t where id > 1",
        "select count(*) from t as x",
        "select count(*) from t union select count(*) from u",
        "select 'a', count(*) from t",
        "select count(*) + 1 from t",
        "select count(id) from t",
        "select count(*) from t order by 1",
        "select count(*) from t {MO_TS = 1} join u",
        "select 'a\\'b' as x, count(*) from t",
        "select count(*) from t union all select 1 as a, count(*) from u",
        "select count(*) from dual",
    ):
        assert parse_count_union(sql) is None, sql


def test_counts_now_and_at_instants_match_the_general_path(engine: Engine, connect) -> None:
    s = connect("acc1")
    run(s, "create database d; use d; create table t (id int primary key, v int); create table u (k varchar(5))")
    marks = [engine.storage.now_ns()]
    for i in range(4):
        s.execute(f"insert into t values ({i * 3}, 0), ({i * 3 + 1}, 1), ({i * 3 + 2}, 2)")
        s.execute(f"update t set v = v + 1 where id % 3 = {i % 3}")
        s.execute(f"delete from t where id = {i * 2}")
        s.execute(f"insert into u values ('{i}')")
        marks.append(engine.storage.now_ns())
    s.execute("truncate table u")
    marks.append(engine.storage.now_ns())
    for ts in marks:
        sql = f"select count(*) from t {{MO_TS = {ts}}}"
        fast, slow = s.execute(sql), general(s, sql)
        assert fast.rows == slow.rows
        assert [(c.name, c.type) for c in fast.columns] == [(c.name, c.type) for c in slow.columns]
    union = " UNION ALL ".join(
        f"SELECT 'd' AS db_name, '{t}' AS table_name, COUNT(*) AS row_count FROM `d`.`{t}` {{MO_TS = {ts}}}"
        for ts in marks for t in ("t", "u")
    )
    got = s.execute(union)
    assert [c.name for c in got.columns] == ["db_name", "table_name", "row_count"]
    assert [c.type for c in got.columns] == ["VARCHAR", "VARCHAR", "BIGINT"]
    want = [("d", t, general(s, f"select count(*) from {t} {{MO_TS = {ts}}}").rows[0][0])
            for ts in marks for t in ("t", "u")]
    assert got.rows == want
    assert s.execute("select count(*) as n from t").rows == general(s, "select count(*) as n from t").rows


def test_own_uncommitted_changes(engine: Engine, connect) -> None:
    s = connect("acc1")
    run(s, "create database d; use d; create table t (id int primary key, v int); insert into t values (1,1),(2,2)")
    before = engine.storage.now_ns()
    s.begin()
    s.execute("update t set v = 9 where id = 1")
    s.execute("delete from t where id = 2")
    s.execute("insert into t values (3, 3), (4, 4)")
    assert s.execute(f"select count(*) from t {{MO_TS = {before}}}").rows == [(2,)]
    assert s.execute(f"select id from t {{MO_TS = {before}}} order by id").rows == [(1,), (2,)]
    assert s.execute("select count(*) from t").rows == [(3,)]
    other = connect("acc1")
    other.execute("use d")
    assert other.execute("select count(*) from t").rows == [(2,)]
    s.rollback()


def test_errors_and_virtual_tables_keep_general_semantics(engine: Engine, connect) -> None:
    s = connect("acc1")
    run(s, "create database d; use d; create table t (id int)")
    with pytest.raises(MOError) as ei:
        s.execute("select count(*) from nope")
    assert ei.value.code == 1146
    with pytest.raises(MOError) as ei:
        s.execute("select count(*) from t {MO_TS = 1}")
    with pytest.raises(MOError) as e2:
        general(s, "select count(*) from t {MO_TS = 1}")
    assert (ei.value.code, ei.value.message) == (e2.value.code, e2.value.message)
    assert s.execute("select count(*) from dual").rows == [(1,)]
    n = s.execute("select count(*) from information_schema.tables").rows[0][0]
    assert n == general(s, "select count(*) from information_schema.tables").rows[0][0] >= 1
    other = connect("acc2")
    with pytest.raises(MOError) as ei:
        other.execute("select count(*) from d.t")
    assert ei.value.code == 1049  # another account's database is invisible


def test_counts_at_t_read_only_covering_indexes(engine: Engine, connect) -> None:
    from matrixone_lite.storage.physical import count_sql

    s = connect("acc1")
    run(s, "create database d; use d; create table t (id int primary key, v int)")
    acc = engine.storage.account("acc1")
    assert acc is not None
    db = engine.storage.database(acc.id, "d")
    assert db is not None
    table = engine.storage.table(db.id, "t")
    assert table is not None
    for pending in (False, True):
        plan = [r[3] for r in s.conn.execute("EXPLAIN QUERY PLAN " + count_sql(table.id, 5, pending))]
        touching = [p for p in plan if f"t_{table.id}" in p or f"h_{table.id}" in p]
        assert touching and all("COVERING INDEX" in p for p in touching), plan


def test_files_of_the_previous_layout_get_the_indexes(tmp_path) -> None:
    e = Engine(tmp_path / "data", timezone="UTC")
    s = e.session("sys", "root")
    run(s, "create database d; use d; create table t (id int primary key, v int); insert into t values (1, 1)")
    tid = e.storage.table(e.storage.database(0, "d").id, "t").id  # type: ignore[union-attr]
    with e.storage.transaction() as tx:  # the version-1 layout: partial indexes, plain __mo_end index
        tx.execute(f"DROP INDEX t_{tid}_ts")
        tx.execute(f"DROP INDEX h_{tid}_eb")
        tx.execute(f"CREATE INDEX t_{tid}_p ON t_{tid}(__mo_ts) WHERE __mo_ts IS NULL")
        tx.execute(f"CREATE INDEX h_{tid}_e ON h_{tid}(__mo_end)")
        tx.execute("DELETE FROM __mo_meta WHERE key = 'physical_version'")
    e.close()
    e = Engine(tmp_path / "data", timezone="UTC")
    names = {r[0] for r in e.storage.execute_system(None, "SELECT name FROM sqlite_master WHERE type = 'index'")}
    assert {f"t_{tid}_ts", f"h_{tid}_eb"} <= names and not {f"t_{tid}_p", f"h_{tid}_e"} & names
    s = e.session("sys", "root")
    s.execute("use d")
    assert s.execute("select count(*) from t").rows == [(1,)]
    e.close()
