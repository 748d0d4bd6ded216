"""Exact values over TCP (issue 11, points 1, 2 and 7): DECIMAL(p,s) up to 38 digits, BIGINT
UNSIGNED, FLOAT vs DOUBLE, DATETIME(6), JSON, BLOB bytes, CHAR/VARCHAR spaces, NULL vs '', and the
client-visible surface (column-name case, missing-table text, 1064 for unparsable text)."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from functools import partial
from typing import Any

import pytest

from matrixone_lite.server import LiteServer
from tests.lite.conftest import server_now
from tests.support.sql import columns as names
from tests.support.sql import connect, err

Connect = Callable[[LiteServer], Any]

DRIVERS: dict[str, Connect] = {"pymysql": partial(connect, driver="pymysql"),
                               "mysqlclient": partial(connect, driver="mysqlclient")}


def q(conn: Any, sql: str, args: Any = None) -> list[tuple[Any, ...]]:
    cur = conn.cursor()
    cur.execute(sql, args)
    rows = [tuple(r) for r in cur.fetchall()]
    cur.close()
    return rows




@pytest.fixture(params=list(DRIVERS))
def conn(request: pytest.FixtureRequest, lite_server: Callable[..., LiteServer]) -> Any:
    c = DRIVERS[request.param](lite_server(gc_interval=0))
    q(c, "create database db1")
    q(c, "use db1")
    return c


def test_issue_decimals_read_back_with_every_digit(conn: Any) -> None:
    q(conn, "create table m (id int primary key, a decimal(38,10), b decimal(20,2), c decimal(10,2))")
    q(conn, "insert into m values (1, 12345678901234567890.1234567891, 123456789012345678.91, 1.005)")
    q(conn, "insert into m values (2, -0.0000000001, 0.5, 2.995), (3, 1, -1, -1.005)")
    assert q(conn, "select a, b, c from m order by id") == [
        (Decimal("12345678901234567890.1234567891"), Decimal("123456789012345678.91"), Decimal("1.01")),
        (Decimal("-0.0000000001"), Decimal("0.50"), Decimal("3.00")),
        (Decimal("1.0000000000"), Decimal("-1.00"), Decimal("-1.01")),
    ]
    assert q(conn, "select sum(a), sum(b), sum(c) from m") == [
        (Decimal("12345678901234567891.1234567890"), Decimal("123456789012345678.41"), Decimal("3.00"))]
    assert q(conn, "select min(a), max(a), avg(c) from m") == [
        (Decimal("-0.0000000001"), Decimal("12345678901234567890.1234567891"), Decimal("1.00000000"))]
    # (AVG's scale is MatrixOne's max(s, min(12, s + 6)), sql/decimal_functions.py)
    # comparisons with literals a double cannot hold, and a parameter bound by the driver
    assert q(conn, "select id from m where a = 12345678901234567890.1234567891") == [(1,)]
    assert q(conn, "select id from m where a > 12345678901234567890.123456789") == [(1,)]
    assert q(conn, "select id from m where b = %s", (Decimal("123456789012345678.91"),)) == [(1,)]
    # arithmetic with MatrixOne's result scales: + - max(s1,s2), * s1+s2, / s1+4
    assert q(conn, "select a + b, b * 2, c / 3, -c, b - 0.005 from m where id = 1") == [(
        Decimal("12469135690246913569.0334567891"), Decimal("246913578024691357.82"), Decimal("0.336667"),
        Decimal("-1.01"), Decimal("123456789012345678.905"))]
    assert q(conn, "select id from m where c * 2 > 2.5 order by id") == [(2,)]


def test_order_group_and_keys_are_numeric(conn: Any) -> None:
    q(conn, "create table k (p decimal(12,2) primary key, g decimal(5,1))")
    q(conn, "insert into k values (10, 1.5), (9.5, 1.5), (100, -2), (-1, 1.50), (2.25, -2.0)")
    assert [r[0] for r in q(conn, "select p from k order by p")] == [
        Decimal("-1.00"), Decimal("2.25"), Decimal("9.50"), Decimal("10.00"), Decimal("100.00")]
    assert q(conn, "select g, count(*), sum(p) from k group by g order by g") == [
        (Decimal("-2.0"), 2, Decimal("102.25")), (Decimal("1.5"), 3, Decimal("18.50"))]
    assert q(conn, "select g, sum(p) as s from k group by g order by s desc") == [
        (Decimal("-2.0"), Decimal("102.25")), (Decimal("1.5"), Decimal("18.50"))]
    assert q(conn, "select p from k where p between 2 and 10 order by p desc") == [
        (Decimal("10.00"),), (Decimal("9.50"),), (Decimal("2.25"),)]
    code, msg = err(conn, "insert into k values (10.001, 0)")  # rounds to 10.00: the key exists
    assert code == 1062
    q(conn, "insert into k values (10.004, 0) on duplicate key update g = g + 0.05")  # 1.55 -> 1.6
    assert q(conn, "select g from k where p = 10") == [(Decimal("1.6"),)]


def test_out_of_range_is_refused_and_stores_nothing(conn: Any) -> None:
    q(conn, "create table r (id int primary key, c decimal(5,2))")
    q(conn, "insert into r values (1, 999.994)")
    assert err(conn, "insert into r values (2, 1.5), (3, 999.995)") == (
        20301, "invalid input: 999.995 beyond the range, can't be converted to Decimal64(5,2).")
    assert err(conn, "insert into r values (4, -999.995)") == (
        20301, "invalid input: 999.995 beyond the range, can't be converted to Decimal64(5,2).")
    assert err(conn, "update r set c = c * 10") == (
        20301, "invalid input: 9999.90 beyond the range, can't be converted to Decimal64(5,2).")
    assert q(conn, "select id, c from r") == [(1, Decimal("999.99"))]  # nothing of the failed statements


def test_the_largest_38_digit_values_fit(conn: Any) -> None:
    """38 nines fit DECIMAL(38,0): the range check must not round them to 28 digits (Python's abs()
    uses the default context, which made 10^38 of them and refused the largest values)."""
    nines = "9" * 38
    q(conn, "create table big (id int primary key, v decimal(38,0), w decimal(38,2))")
    q(conn, f"insert into big values (1, {nines}, {nines[:36]}.99), (2, '-{nines}', 0)")
    q(conn, f"update big set w = -{nines[:36]}.99 where id = 2")
    assert q(conn, "select v, w from big order by id") == [
        (Decimal(nines), Decimal(f"{nines[:36]}.99")), (Decimal(f"-{nines}"), Decimal(f"-{nines[:36]}.99"))]
    assert err(conn, f"insert into big values (3, 1{'0' * 38}, 0)") == (
        20301, f"invalid input: 1{'0' * 38} beyond the range, can't be converted to Decimal128(38,0).")


def test_decimal_as_text_is_plain_digits_at_the_scale(conn: Any) -> None:
    """CAST(DECIMAL AS CHAR) keeps every digit of the scale, in plain notation ('0E-10' before)."""
    q(conn, "create table z (id int primary key, a decimal(38,10))")
    q(conn, "insert into z values (1, 0), (2, -0.0000000001), (3, 12.5)")
    assert q(conn, "select cast(a as char) from z order by id") == [
        ("0.0000000000",), ("-0.0000000001",), ("12.5000000000",)]


def test_bigint_unsigned_full_range(conn: Any) -> None:
    q(conn, "create table u (id int primary key, v bigint unsigned)")
    q(conn, "insert into u values (1, 18446744073709551615), (2, 0), (3, 9223372036854775808)")
    assert q(conn, "select v from u order by v desc") == [(18446744073709551615,), (9223372036854775808,), (0,)]
    assert q(conn, "select id from u where v = 18446744073709551615") == [(1,)]
    assert q(conn, "select id from u where v > 9223372036854775807 order by id") == [(1,), (3,)]
    assert err(conn, "insert into u values (4, -1)") == (1690, "data out of range: data type uint64, value '-1'")
    assert err(conn, "insert into u values (5, 18446744073709551616)")[0] == 1690
    assert q(conn, "select count(*) from u") == [(3,)]


def test_other_types_round_trip(conn: Any) -> None:
    q(conn, "create table o (id int primary key, dt datetime(6), ts timestamp(6), f float, d double, j json,"
            " bl blob, vb varbinary(20), ch char(10), vc varchar(20), tx text)")
    dbl = 0.1 + 0.2
    q(conn, "insert into o values (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
      (1, "2024-01-02 03:04:05.123456", "2024-01-02 03:04:05.000001", 0.1234567891, dbl, '{"a": [1, 2.5, "x"]}',
       b"\xff\x00\x01", b"\x00\xfe", "ab  ", "cd  ", ""))
    q(conn, "insert into o (id, bl, vc) values (2, X'FF00', NULL)")
    row = q(conn, "select * from o where id = 1")[0]
    assert row == (1, datetime(2024, 1, 2, 3, 4, 5, 123456), datetime(2024, 1, 2, 3, 4, 5, 1), 0.12345679, dbl,
                   '{"a": [1, 2.5, "x"]}', b"\xff\x00\x01", b"\x00\xfe", "ab  ", "cd  ", "")
    assert q(conn, "select bl, vc is null, tx is null from o where id = 2") == [(b"\xff\x00", 1, 1)]
    assert q(conn, "select count(*) from o where tx = ''") == [(1,)]


def test_exact_values_at_t_and_after_a_table_restore(conn: Any) -> None:
    q(conn, "create table h (id int primary key, a decimal(38,10), u bigint unsigned, bl blob)")
    q(conn, "create pitr p for database db1 range 1 'h'")
    big = "99999999999999999999999999.9999999999"
    q(conn, f"insert into h values (1, {big}, 18446744073709551615, X'00FF'), (2, -{big}, 1, X'')")
    time.sleep(0.02)
    t = server_now()
    time.sleep(0.02)
    q(conn, "update h set a = 0, u = 0, bl = X'01'")
    q(conn, "delete from h where id = 2")
    want = [(1, Decimal(big), 18446744073709551615, b"\x00\xff"), (2, Decimal("-" + big), 1, b"")]
    assert q(conn, f"select * from h {{AS OF TIMESTAMP '{t}'}} order by id") == want
    assert q(conn, f"select sum(a) from h {{AS OF TIMESTAMP '{t}'}}") == [(Decimal("0E-10"),)]
    q(conn, f"restore database db1 table h from pitr p '{t}'")
    assert q(conn, "select * from h order by id") == want


def test_exact_values_in_a_snapshot_read_and_restore(conn: Any) -> None:
    q(conn, "create table s (id int primary key, a decimal(38,10), c decimal(10,2))")
    q(conn, "insert into s values (1, 12345678901234567890.1234567891, 1.005), (2, -1, 2.5)")
    q(conn, "create snapshot sn for database db1")
    q(conn, "update s set a = a * 2, c = c + 100")
    want = [(1, Decimal("12345678901234567890.1234567891"), Decimal("1.01")),
            (2, Decimal("-1.0000000000"), Decimal("2.50"))]
    assert q(conn, "select * from db1.s {snapshot = 'sn'} order by id") == want
    assert q(conn, "select sum(a) from db1.s {snapshot = 'sn'}") == [(Decimal("12345678901234567889.1234567891"),)]
    assert q(conn, "select a from s where id = 1") == [(Decimal("24691357802469135780.2469135782"),)]
    q(conn, "restore table db1.s {snapshot = sn}")
    assert q(conn, "select * from s order by id") == want


def test_bulk_insert_keeps_exact_values(conn: Any) -> None:
    """A multi-row INSERT past the bulk fast path's size (sql/bulk_insert.py) stores the same values."""
    q(conn, "create table bk (id int primary key, a decimal(38,10), u bigint unsigned, c decimal(10,2))")
    rows = ", ".join(f"({i}, 1234567890123456789{i % 10}.123456789{i % 10}, 1844674407370955161{i % 6}, 1.005)"
                     for i in range(1, 801))
    sql = f"insert into bk values {rows}"
    assert len(sql) > 32768
    q(conn, sql)
    assert q(conn, "select a, u, c from bk where id = 7") == [
        (Decimal("12345678901234567897.1234567897"), 18446744073709551611, Decimal("1.01"))]
    assert q(conn, "select count(*), sum(a) from bk") == [(800, Decimal("9876543120987654315698.7654315600"))]


def test_client_surface(conn: Any) -> None:
    q(conn, "create table T1 (Id int primary key, LastName varchar(10))")
    assert names(conn, "select * from t1") == ["id", "lastname"]
    assert names(conn, "select LastName from t1") == ["LastName"]
    assert err(conn, "select * from db1.nope") == (1146, 'SQL parser error: table "nope" does not exist')
    assert err(conn, "select count(*) from nope") == (1146, 'SQL parser error: table "nope" does not exist')
    code, msg = err(conn, "FOOBAR baz")
    assert code == 1064 and msg.endswith('syntax error at line 1 column 6 near "FOOBAR baz";')
