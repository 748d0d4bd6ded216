"""Fixtures for matrixone_lite tests: real servers on real TCP ports."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pymysql
import pytest

from matrixone_lite.server import LiteServer

SERVER_TZ = "Asia/Shanghai"
logging.getLogger("mysql_mimic").setLevel(logging.CRITICAL)


@pytest.fixture
def lite_server(tmp_path: Path) -> Iterator[Callable[..., LiteServer]]:
    """Factory: ``srv = lite_server(version="3.0.18")``; every server is stopped at teardown."""
    servers: list[LiteServer] = []

    def factory(**kw: Any) -> LiteServer:
        kw.setdefault("data_dir", tmp_path / f"data{len(servers)}")
        kw.setdefault("port", 0)
        kw.setdefault("timezone", SERVER_TZ)
        srv = LiteServer(**kw).start()
        servers.append(srv)
        return srv

    yield factory
    for srv in servers:
        srv.stop()


def connect(srv: LiteServer, user: str = "root", password: str = "111", **kw: Any) -> pymysql.Connection:
    """PyMySQL connection with autocommit on (MatrixOne refuses PITR statements in a transaction)."""
    kw.setdefault("autocommit", True)
    return pymysql.connect(host=srv.host, port=srv.port, user=user, password=password, **kw)


def run(conn: pymysql.Connection, sql: str, args: Any = None) -> list[tuple[Any, ...]]:
    with conn.cursor() as cur:
        cur.execute(sql, args)
        return list(cur.fetchall())


def server_now(zone: str = SERVER_TZ) -> str:
    """Now as a RESTORE literal in the server zone, with microseconds."""
    return datetime.now(ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M:%S.%f")


def mo_error(excinfo: pytest.ExceptionInfo[BaseException]) -> tuple[int, str]:
    """(code, message) of a driver error."""
    err = excinfo.value
    args = getattr(err, "args", ())
    return int(args[0]), str(args[1])


SEED_ACCOUNT_SQL = [
    "create database db1",
    "use db1",
    """CREATE TABLE products (
        id INT PRIMARY KEY AUTO_INCREMENT,
    product_name VARCHAR(100) NOT NULL,
        category VARCHAR(50),
        price DECIMAL(10, 2) NOT NULL,
        stock_quantity INT NOT NULL
    )""",
    """INSERT INTO products (product_name, category, price, stock_quantity) VALUES
    ('Gaming Laptop', 'Electronics', 1200.99, 30),
    ('Wireless Mouse', 'Accessories', 25.50, 100),
    ('Mechanical Keyboard', 'Accessories', 75.00, 50),
    ('Smartphone', 'Electronics', 699.99, 50),
    ('Headphones', 'Accessories', 199.99, 80),
    ('Tablet', 'Electronics', 299.99, 40),
    ('Smartwatch', 'Accessories', 149.99, 60),
    ('Charger', 'Accessories', 19.99, 200),
    ('Webcam', 'Electronics', 59.99, 75)""",
    "create database db2",
    "use db2",
    """CREATE TABLE orders (
        id int PRIMARY KEY auto_increment,
        product_name VARCHAR(100) NOT NULL,
        quantity INT NOT NULL,
        order_date TIMESTAMP DEFAULT CURRENT_TIMESTAMP
    )""",
]
ACC1_ORDERS = "INSERT INTO orders (product_name, quantity) VALUES ('Laptop', 2), ('Mouse', 5), ('Keyboard', 3)"
ACC2_ORDERS = ("INSERT INTO orders (product_name, quantity) VALUES ('Smartphone', 10), ('Headphones', 15), "
               "('Tablet', 7)")
GUIDE_DATABASES = ["db1", "db2", "information_schema", "mo_catalog", "mysql", "system", "system_metrics"]
