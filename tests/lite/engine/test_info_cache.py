"""information_schema TEMP rows and time-travel translation templates give the uncached answers.

Over TCP with PyMySQL and MySQLdb. Every read below is made twice more than a client would: once
with both caches off (``info_rows.ENABLED`` / ``templates.ENABLED``: the VALUES path and a fresh
sqlglot translation, the reference) and twice with them on (first fill, then hit), and the three
answers must be identical; the expected content is also checked where the test knows it. The
cases are the ways a cache could go stale or leak: DDL after a cached read, a read at T vs now,
the same SQLite connection serving two accounts, a restore, a template reused at another instant
or after the schema changed, and statements the template path must leave to the ordinary one.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

from matrixone_lite.execution import templates
from matrixone_lite.server import LiteServer
from matrixone_lite.sql import info_rows
from tests.lite.conftest import connect, run, server_now
from tests.support import sql

DRIVERS = ["pymysql", "mysqlclient"]
COLUMNS = ("select table_schema, table_name, column_name, column_type, is_nullable, column_default, "
           "ordinal_position, column_key, data_type, numeric_scale, extra from information_schema.columns{h} "
           "where table_schema in ('d', 'e')")
TABLES = "select table_schema, table_name, table_type from information_schema.tables{h} where table_schema = 'd'"


@pytest.fixture
def srv(lite_server: Any) -> Iterator[LiteServer]:
    server = lite_server()
    root = connect(server)
    for acc in ("acc1", "acc2"):
        run(root, f"create account {acc} admin_name 'root' identified by '111'")
    root.close()
    yield server
    info_rows.ENABLED = templates.ENABLED = True


_logins: dict[int, tuple[LiteServer, str, str, str | None]] = {}


def _login(srv: LiteServer, driver: str, account: str = "acc1", database: str | None = None) -> Any:
    conn = sql.connect(srv, f"{account}#root", "111", driver=driver, database=database)
    _logins[id(conn)] = (srv, driver, account, database)
    return conn


def _set(on: bool) -> None:
    info_rows.ENABLED = templates.ENABLED = on


def _outcome(conn: Any, statement: str) -> Any:
    try:
        return sql.run(conn, statement)
    except sql.driver_errors() as e:
        return ("error", int(e.args[0]), str(e.args[1]))


def read(conn: Any, statement: str) -> Any:
    """The rows (or error) of ``statement``: uncached, cached (fill), cached (hit); all three must agree.

    The uncached read runs on a fresh session of the same login: a session keeps its translations,
    so reading it on ``conn`` would hand ``conn`` the uncached translation to reuse.
    """
    srv, driver, account, database = _logins[id(conn)]
    fresh = sql.connect(srv, f"{account}#root", "111", driver=driver, database=database)
    _set(False)
    try:
        plain = _outcome(fresh, statement)
    finally:
        _set(True)
        fresh.close()
    first = _outcome(conn, statement)
    again = _outcome(conn, statement)
    assert first == plain, statement
    assert again == plain, statement
    return plain


def _at() -> int:
    time.sleep(0.02)
    ns = time.time_ns()
    time.sleep(0.02)
    return ns


def _hint(ns: int) -> str:
    return f" {{MO_TS = {ns}}}"


@pytest.mark.parametrize("driver", DRIVERS)
def test_columns_follow_ddl_at_once_and_time_travel_keeps_t(srv: LiteServer, driver: str) -> None:
    c = _login(srv, driver)
    for st in ("create database d", "create database e",
               "create table d.t (id int primary key, v varchar(20) default 'x', m decimal(12,2))",
               "create table e.u (k bigint, s text, unique key (k))"):
        run(c, st)
    before = read(c, COLUMNS.format(h=""))
    assert [r[:4] for r in before] == [
        ("d", "t", "id", "int"), ("d", "t", "v", "varchar(20)"), ("d", "t", "m", "decimal(12,2)"),
        ("e", "u", "k", "bigint"), ("e", "u", "s", "text")]
    tables_before = read(c, TABLES.format(h=""))
    t = _at()
    run(c, "alter table d.t add column w int")
    after = read(c, COLUMNS.format(h=""))
    assert [r[2] for r in after if r[1] == "t"] == ["id", "v", "m", "w"]
    run(c, "create table d.n (a int)")
    run(c, "drop table e.u")
    now = read(c, COLUMNS.format(h=""))
    assert sorted({(r[0], r[1]) for r in now}) == [("d", "n"), ("d", "t")]
    assert read(c, TABLES.format(h="")) == [("d", "n", "BASE TABLE"), ("d", "t", "BASE TABLE")]
    # as of T: the catalog before the ALTER, the CREATE and the DROP, read after all of them
    assert read(c, COLUMNS.format(h=_hint(t))) == before
    assert read(c, TABLES.format(h=_hint(t))) == tables_before
    assert read(c, COLUMNS.format(h="")) == now
    c.close()


KEY_READS = (
    "select table_schema, table_name, non_unique, index_name, seq_in_index, column_name, nullable, is_visible "
    "from information_schema.statistics{h} where table_schema in ('d', 'e')",
    "select constraint_name, table_schema, table_name, column_name, ordinal_position, referenced_table_schema, "
    "referenced_table_name, referenced_column_name from information_schema.key_column_usage{h}",
    "select constraint_schema, constraint_name, unique_constraint_schema, update_rule, delete_rule, table_name, "
    "referenced_table_name from information_schema.referential_constraints{h}",
)


@pytest.mark.parametrize("driver", DRIVERS)
def test_key_tables_follow_index_and_foreign_key_changes(srv: LiteServer, driver: str) -> None:
    c = _login(srv, driver)
    for st in ("create database d", "create database e",
               "create table d.p (id int primary key, code varchar(10) unique, c int, key kc (c) invisible)",
               "create table e.child (id int primary key, pid int, "
               "constraint fk_p foreign key (pid) references d.p(id) on delete cascade)"):
        run(c, st)
    before = [read(c, q.format(h="")) for q in KEY_READS]
    assert ("d", "p", 1, "kc", 1, "c", "YES", "NO") in before[0]
    assert before[1] == [("fk_p", "e", "child", "pid", 1, "d", "p", "id")]
    assert [r[:2] for r in before[2]] == [("e", "fk_p")]
    t = _at()
    run(c, "alter table d.p alter index kc visible")
    run(c, "drop table e.child")
    run(c, "create index kcode on d.p (code, c)")
    now = [read(c, q.format(h="")) for q in KEY_READS]
    assert ("d", "p", 1, "kc", 1, "c", "YES", "YES") in now[0]
    assert [r[3:6] for r in now[0] if r[3] == "kcode"] == [("kcode", 1, "code"), ("kcode", 2, "c")]
    assert now[1] == [] and now[2] == []
    assert [read(c, q.format(h=_hint(t))) for q in KEY_READS] == before
    c.close()


@pytest.mark.parametrize("driver", DRIVERS)
def test_sequences_and_views_listed_as_on_the_values_path(srv: LiteServer, driver: str) -> None:
    c = _login(srv, driver)
    for st in ("create database d", "create table d.t (id int primary key)", "create sequence d.sq",
               "create view d.w as select id from d.t"):
        run(c, st)
    assert read(c, TABLES.format(h="")) == [("d", "sq", "INTERNAL TABLE"), ("d", "t", "BASE TABLE"),
                                            ("d", "w", "VIEW")]
    cols = read(c, COLUMNS.format(h=""))
    assert [r[1:3] for r in cols if r[1] != "sq"] == [("t", "id"), ("w", "id")]
    t = _at()
    run(c, "drop view d.w")
    run(c, "drop sequence d.sq")
    assert read(c, TABLES.format(h="")) == [("d", "t", "BASE TABLE")]
    assert read(c, COLUMNS.format(h=_hint(t))) == cols
    c.close()


@pytest.mark.parametrize("driver", DRIVERS)
def test_accounts_never_see_each_others_cached_rows(srv: LiteServer, driver: str) -> None:
    a1 = _login(srv, driver, "acc1")
    run(a1, "create database d")
    run(a1, "create table d.only_acc1 (secret int)")
    mine = read(a1, COLUMNS.format(h=""))
    assert [r[1:3] for r in mine] == [("only_acc1", "secret")]
    a1.close()  # its SQLite connection (with acc1's TEMP rows) goes back to the pool for acc2
    a2 = _login(srv, driver, "acc2")
    run(a2, "create database d")
    run(a2, "create table d.only_acc2 (other varchar(5))")
    theirs = read(a2, COLUMNS.format(h=""))
    assert [r[1:3] for r in theirs] == [("only_acc2", "other")]
    assert read(a2, TABLES.format(h="")) == [("d", "only_acc2", "BASE TABLE")]
    assert read(a2, "select count(*) from information_schema.columns where column_name = 'secret'") == [(0,)]
    a2.close()


@pytest.mark.parametrize("driver", DRIVERS)
def test_columns_after_a_restore_are_the_columns_at_t(srv: LiteServer, driver: str) -> None:
    c = _login(srv, driver)
    for st in ("create database d", "create table d.t (id int primary key, v int)",
               "create table d.keep (a int)", "insert into d.t values (1, 10)",
               "create pitr p for account range 1 'h'"):
        run(c, st)
    at_t = read(c, COLUMNS.format(h=""))
    time.sleep(0.02)
    t = server_now()
    time.sleep(0.02)
    run(c, "alter table d.t drop column v")
    run(c, "drop table d.keep")
    run(c, "create table d.extra (z int)")
    assert read(c, COLUMNS.format(h="")) != at_t
    run(c, f"restore database d from pitr p '{t}'")
    assert read(c, COLUMNS.format(h="")) == at_t
    assert read(c, "select id, v from d.t") == [(1, 10)]
    c.close()


@pytest.mark.parametrize("driver", DRIVERS)
def test_reads_inside_a_transaction_list_what_the_uncached_path_lists(srv: LiteServer, driver: str) -> None:
    c = _login(srv, driver)
    run(c, "create database d")
    run(c, "create table d.t (id int)")
    read(c, COLUMNS.format(h=""))
    other = _login(srv, driver)
    run(c, "begin")
    run(c, "insert into d.t values (1)")
    run(other, "create table d.committed (k int)")  # committed meanwhile, not yet in c's TEMP rows
    run(c, "create table d.pending (p int)")
    listed = [r[1:3] for r in sql.run(c, COLUMNS.format(h=""))]
    assert listed == [("committed", "k"), ("pending", "p"), ("t", "id")]
    assert [r[1:3] for r in read(other, COLUMNS.format(h=""))] == listed  # the CREATE committed (as in MySQL)
    run(c, "rollback")
    assert [r[1:3] for r in read(c, COLUMNS.format(h=""))] == listed
    other.close()
    c.close()


@pytest.mark.parametrize("driver", DRIVERS)
def test_template_reused_at_another_instant_reads_that_instant(srv: LiteServer, driver: str) -> None:
    c = _login(srv, driver)
    run(c, "create database d")
    run(c, "create table d.t (id int primary key, v varchar(10))")
    run(c, "insert into d.t values (1, 'one')")
    t1 = _at()
    run(c, "update d.t set v = 'two'")
    run(c, "insert into d.t values (2, 'new')")
    t2 = _at()
    run(c, "delete from d.t where id = 1")
    q = "select id, v from d.`t`{h} order by id"  # back-quoted: the hinted and plain texts share one template
    assert read(c, q.format(h=_hint(t1))) == [(1, "one")]
    assert read(c, q.format(h=_hint(t2))) == [(1, "two"), (2, "new")]
    assert read(c, q.format(h="")) == [(2, "new")]
    assert read(c, q.format(h=_hint(t1))) == [(1, "one")]
    # the now-read first this time, then T (the template is built by whichever comes first)
    q2 = "select count(*) as n, max(v) as top from `d`.`t`{h}"
    assert read(c, q2.format(h="")) == [(1, "new")]
    assert read(c, q2.format(h=_hint(t1))) == [(1, "one")]
    c.close()


@pytest.mark.parametrize("driver", DRIVERS)
def test_template_not_reused_across_a_schema_change(srv: LiteServer, driver: str) -> None:
    c = _login(srv, driver)
    run(c, "create database d")
    run(c, "create table d.t (id int primary key, m decimal(38,10))")
    run(c, "insert into d.t values (1, 12345678901234567890.0000000001)")
    t = _at()
    run(c, "drop table d.t")
    run(c, "create table d.t (id int primary key, m varchar(40), extra varchar(5) default 'e')")
    run(c, "insert into d.t (id, m) values (1, 'text')")
    for q in ("select * from d.`t`{h}", "select m, m + 0 as x from d.`t`{h}"):
        now = read(c, q.format(h=""))  # builds the template over the new table
        at_t = read(c, q.format(h=_hint(t)))  # same text and catalog version, other schema: not reused
        assert now[0][0 if "m," in q else 1] == "text"
        assert str(at_t[0][0 if "m," in q else 1]) == "12345678901234567890.0000000001"
    assert len(read(c, "select * from d.`t`" + _hint(t))[0]) == 2
    c.close()


def _corpus(t: int) -> list[str]:
    h = _hint(t)
    return [
        f"select id, v from d.`t`{h} where id > 0 order by id",
        f"select a.id, b.w from d.t{h} as a join d.u as b on a.id = b.id order by a.id",
        f"select a.id, b.w from d.t as a join d.u{h} as b on a.id = b.id order by a.id",
        f"select 'd' as db_name, count(*) as n, sum(crc32(v)) as s from d.t{h}",
        f"select (select count(*) from d.t{h}) as n_at_t, (select count(*) from d.t) as n_now",
        f"select (select count(*) from d.t{h}), id from d.t order by id",  # hint in the projections
        f"select x.id from d.t as x{h} order by x.id",  # hint on an alias: ordinary path decides
        f"with t as (select 7 as id) select id from t{h}",  # a CTE named like the hinted table
        f"select count(*) from d.t{h} as a, d.t{h} as b",  # one table hinted twice
        f"select count(*) from d.t{h} as a, d.t as b",
        f"select id from d.t{h} union all select id from d.u{h} order by id",
        f"select * from d.v{h} order by id",  # a view read at T
        f"select table_name, column_name from information_schema.columns{h} where table_schema = 'd' "
        "order by table_name, ordinal_position",
        f"select `id` from `d`.`t` {h} where v = 'a' or v = 'b'",
        f"select id from d.t{h} where v like 'a%' limit 1",
        "select id, v from d.`t` where id > 0 order by id",
        f"select a.id, b.w from d.`t` as a join d.`u`{h} as b on a.id = b.id order by a.id",
        "select a.id, b.w from d.`t` as a join d.`u` as b on a.id = b.id order by a.id",
        f"select table_name from information_schema.`tables`{h} where table_schema = 'd' order by 1",
        "select table_name from information_schema.`tables` where table_schema = 'd' order by 1",
    ]


@pytest.mark.parametrize("driver", DRIVERS)
def test_cached_and_uncached_paths_agree_on_a_corpus(srv: LiteServer, driver: str) -> None:
    c = _login(srv, driver)
    for st in ("create database d", "create table d.t (id int primary key, v varchar(10))",
               "create table d.u (id int primary key, w int)", "insert into d.t values (1, 'a'), (2, 'b')",
               "insert into d.u values (1, 100), (3, 300)", "create view d.v as select id, v from d.t"):
        run(c, st)
    t = _at()
    run(c, "insert into d.t values (3, 'c')")
    run(c, "update d.u set w = 101 where id = 1")
    results = {}
    for statement in _corpus(t):
        results[statement] = read(c, statement)
    assert results[_corpus(t)[0]] == [(1, "a"), (2, "b")]
    assert results[_corpus(t)[1]] == [(1, 101)]
    assert results[_corpus(t)[2]] == [(1, 100), (3, 300)]
    assert results[_corpus(t)[4]] == [(2, 3)]
    assert results[_corpus(t)[7]][:2] == ("error", 1046)  # the hint binds a table, not the CTE (as before)
    # views follow the tables (bound per read, after the cached rows): view v at T
    assert results[_corpus(t)[12]] == [("t", "id"), ("t", "v"), ("u", "id"), ("u", "w"), ("v", "id"), ("v", "v")]
    assert results[_corpus(t)[-2]] == [("t",), ("u",), ("v",)]
    assert results[_corpus(t)[-5]] == [(1, "a"), (2, "b"), (3, "c")]  # same template as [0], now
    assert results[_corpus(t)[-4]] == [(1, 100), (3, 300)]
    assert results[_corpus(t)[-3]] == [(1, 101), (3, 300)]
    assert templates._templates, "the corpus never filled a template"  # noqa: SLF001
    c.close()


@pytest.mark.parametrize("driver", DRIVERS)
def test_a_hint_binds_to_its_own_table_token_only(srv: LiteServer, driver: str) -> None:
    setup = _login(srv, driver)
    for st in ("create database d", "create table d.t (id int)", "create table d.u (id int)",
               "insert into d.t values (1)", "insert into d.u values (1)"):
        run(setup, st)
    t = _at()
    run(setup, "insert into d.t values (2)")
    run(setup, "insert into d.u values (2), (3)")
    c = _login(srv, driver, database="d")
    h = _hint(t)
    # the hint follows the alias "u", not table u: the ordinary path reads both tables now
    assert read(c, f"select count(*) from u, t as u{h}") == read(c, "select count(*) from u, t as u")
    assert read(c, "select count(*) from u, t as w") == [(6,)]
    # one table, two instants: each reference keeps its own
    assert read(c, f"select (select count(*) from `t`{h}) + 10 * (select count(*) from `t`) as n") == [(21,)]
    assert read(c, f"select a.id, b.id from `t`{h} as a join `t` as b on b.id >= a.id order by 1, 2") == [
        (1, 1), (1, 2)]
    assert read(c, f"select a.id, b.id from `t` as a join `t`{h} as b on b.id >= a.id order by 1, 2") == [
        (1, 1)]
    assert read(c, "select a.id, b.id from `t` as a join `t` as b on b.id >= a.id order by 1, 2") == [
        (1, 1), (1, 2), (2, 2)]
    setup.close()
    c.close()


@pytest.mark.parametrize("driver", DRIVERS)
def test_snapshot_and_as_of_hints_reuse_templates_at_their_own_instant(srv: LiteServer, driver: str) -> None:
    c = _login(srv, driver)
    for st in ("create database d", "create database e", "create table d.t (id int primary key)",
               "create table e.t (id int primary key)", "insert into d.t values (1)",
               "create snapshot sd for database d", "insert into e.t values (9)"):
        run(c, st)
    run(c, "insert into d.t values (2)")
    time.sleep(0.02)
    at = server_now()
    time.sleep(0.02)
    run(c, "insert into d.t values (3)")
    q = "select count(*) as n from `d`.`t`{h}"
    assert read(c, q.format(h="")) == [(3,)]
    assert read(c, q.format(h=" {SNAPSHOT = 'sd'}")) == [(1,)]
    assert read(c, q.format(h=f" {{AS OF TIMESTAMP '{at}'}}")) == [(2,)]
    # another database read through d's snapshot: whatever the ordinary path answers (on this
    # version: e.t at the snapshot's instant), the template path answers too, before and after
    outside = read(c, "select count(*) as n from `e`.`t` {SNAPSHOT = 'sd'}")
    assert outside == [(0,)]
    assert read(c, "select count(*) as n from `e`.`t`") == [(1,)]
    assert read(c, "select count(*) as n from `e`.`t` {SNAPSHOT = 'sd'}") == outside
    c.close()


@pytest.mark.parametrize("driver", DRIVERS)
def test_errors_are_the_same_with_templates(srv: LiteServer, driver: str) -> None:
    c = _login(srv, driver)
    run(c, "create database d")
    run(c, "create table d.t (id int)")
    t = _at()
    run(c, "select id from d.`t`")  # a template built now: the reads below hit it, then fail
    errs = []
    for on in (False, True):
        _set(on)
        for statement in (f"select id from d.t{_hint(t)} join d.missing on 1 = 1",
                          f"select id from d.t{_hint(t)} where nope = 1", "select id from d.t {MO_TS = -5}"):
            errs.append(sql.err(c, statement))
    _set(True)
    assert errs[:3] == errs[3:]
    c.close()
