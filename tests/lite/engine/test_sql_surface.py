"""SQL surface: error codes, types, SHOW/DESCRIBE/information_schema, functions, CTAS, isolation."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest

from matrixone_lite.engine import EngineSession
from matrixone_lite.errors import MOError

from .conftest import run


def code(s: EngineSession, sql: str) -> int:
    with pytest.raises(MOError) as ei:
        s.execute(sql)
    return ei.value.code


def test_error_codes(connect) -> None:
    s = connect("acc1")
    assert code(s, "use nope") == 1049
    assert code(s, "select * from t") == 1046
    run(s, "create database d; use d; create table t (id int primary key, v varchar(5) not null)")
    assert code(s, "select * from nope") == 1146
    with pytest.raises(MOError) as ei:
        s.execute("select * from d.nope")
    assert ei.value.message == 'SQL parser error: table "nope" does not exist'
    with pytest.raises(MOError) as ei:
        s.execute("selec 1")
    assert ei.value.code == 1064 and ei.value.message.startswith("SQL parser error: You have an error")
    assert code(s, "select * from") == 1064
    s.execute("insert into t values (1, 'a')")
    with pytest.raises(MOError) as ei:
        s.execute("insert into t values (1, 'b')")
    assert (ei.value.code, ei.value.message) == (1062, "Duplicate entry '1' for key 'id'")
    assert code(s, "insert into t values (2, null)") == 1048
    assert code(s, "select nope from t") == 1054
    assert code(s, "create database d") == 1007
    assert code(s, "create table t (id int)") == 1050
    assert code(s, "drop database nope") == 1008
    s.execute("drop database if exists nope")
    s.execute("create database if not exists d")
    s.execute("create table if not exists t (id int)")
    assert code(s, "") == 1065


def test_types_round_trip(connect) -> None:
    s = connect("acc1")
    run(
        s,
        "create database d; use d; create table t (id bigint primary key, d decimal(12,4), f double, "
        "b bool default true, dt datetime, ts timestamp default current_timestamp, dd date, c char(3), "
        "tx text, n int)",
    )
    s.execute("insert into t (id, d, f, dt, dd, c, tx) values (1, 3.5, 1.25, '2024-10-28 17:30:00', "
              "'2024-10-28', 'abc', 'long')")
    s.execute("insert into t (id) values (2)")
    r = s.execute("select id, d, f, b, dt, ts, dd, c, tx, n from t order by id")
    row = r.rows[0]
    assert row[:5] == (1, Decimal("3.5000"), 1.25, 1, datetime(2024, 10, 28, 17, 30))
    assert isinstance(row[5], datetime) and row[6] == date(2024, 10, 28)
    assert row[7:] == ("abc", "long", None)
    assert r.rows[1][1] is None and r.rows[1][4] is None
    assert [(c.type, c.scale) for c in r.columns[:2]] == [("BIGINT", None), ("DECIMAL", 4)]
    assert r.columns[4].type == "DATETIME" and r.columns[6].type == "DATE"
    agg = s.execute("select sum(d), avg(d), max(dt), min(dd) from t")
    assert agg.rows == [(Decimal("3.5000"), Decimal("3.50000000"), datetime(2024, 10, 28, 17, 30), date(2024, 10, 28))]
    upd = s.execute("update t set d = d * 2 where id = 1")
    assert upd.affected_rows == 1
    assert s.execute("select d from t where id = 1").rows == [(Decimal("7.0000"),)]
    assert s.execute("delete from t").affected_rows == 2


def test_show_describe_information_schema(connect) -> None:
    s = connect("acc1")
    run(s, "create database d; create database e; use d; "
           "create table t (id int primary key auto_increment, name varchar(10) not null, u int unique)")
    assert s.execute("show tables").rows == [("t",)]
    assert s.execute("show tables from e").rows == []
    assert [c.name for c in s.execute("show tables").columns] == ["Tables_in_d"]
    desc = s.execute("describe t").rows
    assert desc[0][:4] == ("id", "INT(32)", "NO", "PRI") and desc[0][5] == "auto_increment"
    assert desc[1][:3] == ("name", "VARCHAR(10)", "NO") and desc[2][3] == "UNI"
    assert s.execute("show columns from t").rows == desc
    ddl = s.execute("show create table d.t").rows[0][1]
    assert ddl.startswith("CREATE TABLE `t` (") and "PRIMARY KEY (`id`)" in ddl
    r = s.execute("select table_name from information_schema.tables where table_schema = 'd'")
    assert r.rows == [("t",)] and r.columns[0].name == "table_name"
    r = s.execute("SELECT COLUMN_NAME, DATA_TYPE FROM information_schema.columns WHERE table_schema = 'd' "
                  "AND table_name = 't' ORDER BY ORDINAL_POSITION")
    assert r.rows == [("id", "int"), ("name", "varchar"), ("u", "int")]
    other = connect("acc2")
    assert other.execute("select count(*) from information_schema.tables").rows == [(0,)]


def test_functions_and_names(connect) -> None:
    s = connect("acc1")
    run(s, "create database d; use d; create table t (id int primary key, v int, s varchar(10))")
    s.execute("insert into t values (1, 5, 'Ab'), (2, 3, null)")
    r = s.execute("SELECT DATABASE(), VERSION(), CONCAT(s, 'x'), CONCAT_WS('-', s, 'y'), COALESCE(s, 'n'), "
                  "IFNULL(s, 'z'), CRC32('a'), MD5('a'), LOWER(s), UPPER(s), LENGTH(s), CAST(v AS CHAR), "
                  "BIT_XOR(v) FROM t WHERE id = 1")
    assert r.rows == [("d", "8.0.30-MatrixOne-v4.2.0", "Abx", "Ab-y", "Ab", "Ab", 3904355907,
                       "0cc175b9c0f1b6a831c399e269772661", "ab", "AB", 2, "5", 5)]
    assert [c.name for c in r.columns][:3] == ["DATABASE()", "VERSION()", "CONCAT(s, 'x')"]
    r = s.execute("select now(), current_timestamp, utc_timestamp(), unix_timestamp()")
    assert isinstance(r.rows[0][0], datetime) and isinstance(r.rows[0][2], datetime)
    assert isinstance(r.rows[0][3], int)
    assert s.execute("select bit_xor(v) from t").rows == [(5 ^ 3,)]
    r = s.execute("select t.v as vv, a.id from t join t a on a.id = t.id where t.id in (select id from t where v > 4)")
    assert r.rows == [(5, 1)] and [c.name for c in r.columns] == ["vv", "id"]
    r = s.execute("select s, count(*) c from t group by s order by c desc, s limit 1")
    assert len(r.rows) == 1


def test_ctas_upsert_cross_database(connect) -> None:
    s = connect("acc1")
    run(s, "create database a; create database b; use a; "
           "create table t (id int primary key, p decimal(10,2), n int)")
    s.execute("insert into t values (1, 1.10, 1), (2, 2.20, 2)")
    r = s.execute("create table b.c as select id, p, n * 2 as n2 from a.t where id > 0")
    assert r.affected_rows == 2
    assert s.execute("select * from b.c order by id").rows == [(1, Decimal("1.10"), 2), (2, Decimal("2.20"), 4)]
    r = s.execute("insert into t values (1, 9.99, 0), (3, 3.30, 3) on duplicate key update p = values(p), n = n + 10")
    assert r.affected_rows == 3  # MySQL: 2 for the updated row, 1 for the inserted one
    assert s.execute("select id, p, n from t order by id").rows == [
        (1, Decimal("9.99"), 11), (2, Decimal("2.20"), 2), (3, Decimal("3.30"), 3)
    ]
    assert s.execute("select count(*) from a.t x join b.c y on x.id = y.id").rows == [(2,)]


def test_account_isolation(connect) -> None:
    a1, a2 = connect("acc1"), connect("acc2")
    run(a1, "create database only1; use only1; create table t (id int); insert into t values (1)")
    assert code(a2, "use only1") == 1049
    assert code(a2, "select * from only1.t") == 1049
    assert ("only1",) not in a2.execute("show databases").rows
    run(a2, "create database only1; use only1; create table t (id int)")
    assert a2.execute("select count(*) from t").rows == [(0,)]
    assert a1.execute("select count(*) from t").rows == [(1,)]


def test_drop_database_resets_current(connect) -> None:
    s = connect("acc1")
    run(s, "create database d; use d; drop database d")
    assert s.database is None
    assert code(s, "show tables") == 1046


def test_date_functions(connect) -> None:
    s = connect("acc1")
    run(s, "create database d; use d; create table t (id int primary key, d datetime, s varchar(9))")
    s.execute("insert into t values (1, '2024-01-31 17:11:27', 'abcd')")
    r = s.execute("select year(d), month(d), day(d), hour(d), left(s, 2), right(s, 2) from t")
    assert r.rows == [(2024, 1, 31, 17, "ab", "cd")]
    r = s.execute("select date_add(d, interval 1 month), date_sub(d, interval 2 hour), d + interval 1 day from t")
    assert r.rows == [(datetime(2024, 2, 29, 17, 11, 27), datetime(2024, 1, 31, 15, 11, 27), datetime(2024, 2, 1, 17, 11, 27))]
    r = s.execute("select str_to_date('2024-10-28', '%Y-%m-%d'), unix_timestamp('1970-01-01 08:00:00'), from_unixtime(0)")
    assert r.rows == [(date(2024, 10, 28), 0, datetime(1970, 1, 1, 8, 0))]  # session zone Asia/Shanghai
    assert s.execute("select 1 from dual").rows == [(1,)]
    assert isinstance(s.execute("select now() - interval 1 hour").rows[0][0], datetime)


def test_decimal_as_text_keeps_scale(connect) -> None:
    s = connect("acc1")
    run(s, "create database d; use d; create table t (id int primary key, p decimal(10,2))")
    s.execute("insert into t values (1, 75.00), (2, 25.5)")
    r = s.execute("select cast(p as char), concat('v', cast(p as char)), concat_ws('|', id, p) from t order by id")
    assert r.rows == [("75.00", "v75.00", "1|75.00"), ("25.50", "v25.50", "2|25.50")]


def test_indexes(connect) -> None:
    s = connect("acc1")
    run(s, "create database d; use d; create table t (id int primary key, a int, b int, KEY ka (a))")
    s.execute("insert into t values (1, 1, 1), (2, 1, 2)")
    s.execute("create unique index ub on t (b)")
    assert code(s, "insert into t values (3, 3, 2)") == 1062
    assert code(s, "create unique index ua on t (a)") == 1062  # existing duplicates
    assert [r[3] for r in s.execute("describe t").rows] == ["PRI", "MUL", "UNI"]
    s.execute("drop index ka on t")
    assert code(s, "drop index ka on t") == 1091
    assert code(s, "create index ix on t (nope)") == 1072
    ddl = s.execute("show create table t").rows[0][1]
    assert "UNIQUE KEY `ub` (`b`)" in ddl and "`ka`" not in ddl
    assert s.execute("select * from t order by id").rows == [(1, 1, 1), (2, 1, 2)]


def test_sys_account_sees_its_system_databases(connect) -> None:
    sys_rows = connect("sys").execute("show databases").rows
    assert sys_rows == [(n,) for n in ["information_schema", "mo_catalog", "mo_debug", "mo_task", "mysql", "system",
                                        "system_metrics"]]
    assert ("mo_task",) not in connect("acc1").execute("show databases").rows


def test_ctas_keeps_source_column_types(connect) -> None:
    s = connect("acc1")
    run(s, "create database d; use d; create table t (id int primary key auto_increment, "
           "p decimal(10,2) not null, d timestamp default current_timestamp, n varchar(5))")
    s.execute("insert into t (p, n) values (1.5, 'a')")
    s.execute("create table c as select t.*, p * 2 as p2 from t")
    desc = {r[0]: r[1] for r in s.execute("describe c").rows}
    assert desc == {"id": "INT(32)", "p": "DECIMAL(10,2)", "d": "TIMESTAMP(0)", "n": "VARCHAR(5)", "p2": "DECIMAL(38,2)"}
    row = s.execute("select * from c").rows[0]
    assert row[1] == Decimal("1.50") and row[4] == Decimal("3.00") and isinstance(row[2], datetime)


def test_set_statements(connect) -> None:
    s = connect("acc1")
    s.execute("set names utf8mb4")
    s.execute("set time_zone = '+00:00'")
    assert s.time_zone == "+00:00"
    now, utc = s.execute("select now(), utc_timestamp()").rows[0]
    assert abs((now - utc).total_seconds()) < 5
    assert code(s, "set no_such_variable = 1") == 1193
