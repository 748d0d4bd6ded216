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
from tests.support import sql

# Compatibility names for branches written before tests/support/seed.py (new code imports from there).
from tests.support.seed import ACCOUNT_SQL as SEED_ACCOUNT_SQL  # noqa: F401
from tests.support.seed import GUIDE_DATABASES  # noqa: F401
from tests.support.seed import ORDERS_ACC1 as ACC1_ORDERS  # noqa: F401
from tests.support.seed import ORDERS_ACC2 as ACC2_ORDERS  # noqa: F401

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
    conn: pymysql.Connection = sql.connect(srv, user, password, **kw)
    return conn


def run(conn: pymysql.Connection, statement: str, args: Any = None) -> list[tuple[Any, ...]]:
    return sql.run(conn, statement, args)


def acc1_with_table(lite_server: Callable[..., LiteServer]) -> LiteServer:
    """A fresh server with account ``acc1`` (admin ``root``/``111``) holding ``d.t (id, v)`` = (1, 'a'), (2, 'b')."""
    server = lite_server()
    run(connect(server), "create account acc1 admin_name 'root' identified by '111'")
    c = connect(server, user="acc1#root")
    run(c, "create database d")
    run(c, "create table d.t (id int primary key, v varchar(10))")
    run(c, "insert into d.t values (1, 'a'), (2, 'b')")
    return server


def tenant_connection(srv: LiteServer, driver: str, *statements: str, account: str = "acc1") -> Any:
    """Create ``account`` (admin ``root``/``111``) on a fresh ``srv``; a ``driver`` connection as its
    admin, autocommit on, after running ``statements`` (e.g. ``"create database d", "use d"``)."""
    sql.sql_as(srv, "root", "111", [f"create account {account} admin_name 'root' identified by '111'"])
    conn = sql.connect(srv, f"{account}#root", "111", driver=driver)
    for statement in statements:
        sql.run(conn, statement)
    return conn


def server_now(zone: str = SERVER_TZ) -> str:
    """Now as a RESTORE literal in the server zone, with microseconds."""
    return datetime.now(ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M:%S.%f")


def mo_error(excinfo: pytest.ExceptionInfo[BaseException]) -> tuple[int, str]:
    """(code, message) of a driver error."""
    err = excinfo.value
    args = getattr(err, "args", ())
    return int(args[0]), str(args[1])

