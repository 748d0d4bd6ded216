"""Every supported client connects as ``acc1#root`` over TCP and runs the seed guide's SQL."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import Any
from urllib.parse import quote

import mysql.connector
import MySQLdb
import pymysql
import pytest
import sqlalchemy

from matrixone_lite.server import LiteServer
from tests.lite.conftest import connect, run
from tests.support.seed import ACCOUNT_SQL, ORDERS_ACC2


@pytest.fixture
def srv(lite_server) -> LiteServer:
    server = lite_server()
    run(connect(server), "create account acc1 admin_name 'root' identified by '111'")
    return server


def _pymysql(s: LiteServer) -> Any:
    return pymysql.connect(host=s.host, port=s.port, user="acc1#root", password="111")


def _mysqlclient(s: LiteServer) -> Any:
    return MySQLdb.connect(host=s.host, port=s.port, user="acc1#root", password="111")


def _connector_pure(s: LiteServer) -> Any:
    return mysql.connector.connect(host=s.host, port=s.port, user="acc1#root", password="111", use_pure=True)


def _connector_cext(s: LiteServer) -> Any:
    try:
        return mysql.connector.connect(host=s.host, port=s.port, user="acc1#root", password="111", use_pure=False)
    except ImportError:
        pytest.skip("mysql-connector C extension is not installed")


DRIVERS: dict[str, Callable[[LiteServer], Any]] = {
    "pymysql": _pymysql, "mysqlclient": _mysqlclient,
    "connector-pure": _connector_pure, "connector-cext": _connector_cext,
}


@pytest.mark.parametrize("driver", list(DRIVERS))
def test_driver_runs_seed_sql(srv: LiteServer, driver: str) -> None:
    conn = DRIVERS[driver](srv)
    cur = conn.cursor()
    for sql in ACCOUNT_SQL:
        cur.execute(sql)
    cur.execute(ORDERS_ACC2)
    assert cur.rowcount == 3
    conn.commit()
    cur.execute("select id, product_name, price from db1.products where price > %s order by id", (500,))
    rows = cur.fetchall()
    assert [tuple(r) for r in rows] == [(1, "Gaming Laptop", Decimal("1200.99")), (4, "Smartphone", Decimal("699.99"))]
    cur.execute("select * from db2.orders order by id")
    orders = cur.fetchall()
    assert [r[1] for r in orders] == ["Smartphone", "Headphones", "Tablet"]
    assert all(isinstance(r[3], datetime) for r in orders)
    cur.execute("select version()")
    assert cur.fetchall()[0][0] == "8.0.30-MatrixOne-v4.2.0"
    conn.close()


_PREPARED_CEXT_SCRIPT = """
import sys
from datetime import datetime
from decimal import Decimal
import mysql.connector
conn = mysql.connector.connect(host=sys.argv[1], port=int(sys.argv[2]), user="acc1#root", password="111",
                               use_pure=False)
assert type(conn).__name__ == "CMySQLConnection", type(conn)
cur = conn.cursor(prepared=True)
cur.execute("create database pc")
cur.execute("create table pc.t (id int primary key auto_increment, s varchar(20), d datetime, m decimal(8,2))")
cur.execute("insert into pc.t (s, d, m) values (?, ?, ?)", ("it's", datetime(2024, 1, 2, 3, 4, 5), Decimal("2.50")))
assert cur.rowcount == 1 and cur.lastrowid == 1
cur.execute("insert into pc.t (s, d, m) values (?, ?, ?)", ("x\\\\'); drop database pc; --", None, None))
cur.execute("select id, s, d, m from pc.t where s = ? or id = ?", ("it's", 2))
rows = cur.fetchall()
assert rows == [(1, "it's", datetime(2024, 1, 2, 3, 4, 5), Decimal("2.50")),
                (2, "x\\\\'); drop database pc; --", None, None)], rows
cur.execute("select ? + 1", (41,))
assert cur.fetchall()[0][0] == 42
conn.close()
print("OK")
"""


def test_connector_cext_prepared_statements(srv: LiteServer) -> None:
    """The C extension's binary protocol (COM_STMT_PREPARE column counts, CLIENT_DEPRECATE_EOF).

    Runs in its own interpreter: libmysqlclient inside mysql-connector's C extension has crashed
    (SIGSEGV) when other native MySQL/SSL libraries were loaded in the same process by earlier
    tests, and a crash there must fail this test, not end the whole session.
    """
    try:
        from mysql.connector import connection_cext  # noqa: F401
    except ImportError:
        pytest.skip("mysql-connector C extension is not available")
    out = subprocess.run([sys.executable, "-c", _PREPARED_CEXT_SCRIPT, srv.host, str(srv.port)],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0 and "OK" in out.stdout, (out.returncode, out.stdout, out.stderr[-2000:])


@pytest.mark.parametrize("driver", ["connector-pure"])
def test_connector_prepared_statements(srv: LiteServer, driver: str) -> None:
    conn = DRIVERS[driver](srv)
    cur = conn.cursor(prepared=True)
    cur.execute("create database p")
    cur.execute("create table p.t (id int primary key auto_increment, s varchar(20), d datetime, m decimal(8,2))")
    cur.execute("insert into p.t (s, d, m) values (?, ?, ?)", ("it's", datetime(2024, 1, 2, 3, 4, 5), Decimal("2.50")))
    assert cur.rowcount == 1 and cur.lastrowid == 1
    cur.execute("insert into p.t (s, d, m) values (?, ?, ?)", ("x\\'); drop database p; --", None, None))
    cur.execute("select id, s, d, m from p.t where s = ? or id = ?", ("it's", 2))
    rows = cur.fetchall()
    assert rows == [(1, "it's", datetime(2024, 1, 2, 3, 4, 5), Decimal("2.50")),
                    (2, "x\\'); drop database p; --", None, None)]
    cur.execute("select ? + 1", (41,))
    assert cur.fetchall()[0][0] == 42
    conn.commit()
    conn.close()


@pytest.mark.parametrize("dialect", ["mysql+pymysql", "mysql+mysqldb"])
def test_sqlalchemy(srv: LiteServer, dialect: str) -> None:
    engine = sqlalchemy.create_engine(f"{dialect}://{quote('acc1#root')}:111@{srv.host}:{srv.port}/")
    with engine.begin() as conn:
        conn.execute(sqlalchemy.text("create database sa"))
        conn.execute(sqlalchemy.text("create table sa.t (id int primary key, v decimal(10,2))"))
        res = conn.execute(sqlalchemy.text("insert into sa.t values (:a, :b)"), [{"a": 1, "b": 1.5}, {"a": 2, "b": 3}])
        assert res.rowcount in (1, 2)
    with engine.connect() as conn:
        assert conn.execute(sqlalchemy.text("select v from sa.t order by id")).scalars().all() == [
            Decimal("1.50"), Decimal("3.00")]
    engine.dispose()


@pytest.mark.skipif(shutil.which("mariadb") is None, reason="mariadb client not installed")
def test_mariadb_cli(srv: LiteServer) -> None:
    base = ["mariadb", "-h", srv.host, "-P", str(srv.port), "-u", "acc1#root", "--skip-ssl", "--batch"]
    out = subprocess.run([*base, "-p111", "-e",
                          "create database cli; use cli; create table t (a int, b decimal(10,2)); "
                          "insert into t values (1, 2.5); select * from t; select version()"],
                         capture_output=True, text=True, timeout=30)
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines() == ["a\tb", "1\t2.50", "version()", "8.0.30-MatrixOne-v4.2.0"]
    bad = subprocess.run([*base, "-pwrong", "-e", "select 1"], capture_output=True, text=True, timeout=30)
    assert bad.returncode == 1 and "ERROR 1045 (28000): Access denied for user acc1#root" in bad.stderr
