"""Run SQL as a login over a real driver: the one helper every test folder uses for set-up and checks.

Why one helper: set-up and assertions must go through the wire exactly like a client would, with
either driver the project supports, and each folder used to carry its own copy of this loop.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pymysql

#: The two drivers the provider supports; parametrize driver-sensitive tests over both.
DRIVERS = ("pymysql", "mysqlclient")


def connect(server: Any, login: str = "root", password: str = "111", *, driver: str = "pymysql",
            port: int | None = None, database: str | None = None, autocommit: bool = True, **kw: Any) -> Any:
    """A DB-API connection to ``server`` (anything with ``host`` and ``port``) as ``login``.

    ``login`` is ``user`` for sys or ``account#user`` for a tenant; ``port`` overrides the
    server's (a proxy in front of it). Autocommit is on by default because MatrixOne refuses
    PITR, snapshot and restore statements inside a transaction.
    """
    host, port = server.host, port or server.port
    if driver == "pymysql":
        return pymysql.connect(host=host, port=port, user=login, password=password, database=database,
                               autocommit=autocommit, **kw)
    if driver == "mysqlclient":
        import MySQLdb

        if database is not None:
            kw["database"] = database
        conn = MySQLdb.connect(host=host, port=port, user=login, password=password, **kw)
        conn.autocommit(autocommit)
        return conn
    raise ValueError(f"unknown driver {driver!r}; expected one of {DRIVERS}")


def run(conn: Any, statement: str, args: Any = None) -> list[tuple[Any, ...]]:
    """Execute one statement on an open connection; its rows (empty when it returns none)."""
    cur = conn.cursor()
    try:
        cur.execute(statement, args)
        return [tuple(r) for r in cur.fetchall()] if cur.description else []
    finally:
        cur.close()


def sql_as(server: Any, login: str, password: str, statements: Iterable[str], *, driver: str = "pymysql",
           port: int | None = None, database: str | None = None, **kw: Any) -> list[tuple[Any, ...]]:
    """Log in, run ``statements`` in order on one connection, return the last one's rows, log out."""
    conn = connect(server, login, password, driver=driver, port=port, database=database, **kw)
    try:
        rows: list[tuple[Any, ...]] = []
        for statement in statements:
            rows = run(conn, statement)
        return rows
    finally:
        conn.close()


def driver_errors() -> tuple[type[Exception], ...]:
    """The base error classes of both drivers (a server error is one of these, a test bug is not)."""
    import MySQLdb

    return pymysql.MySQLError, MySQLdb.MySQLError


def err(conn: Any, statement: str) -> tuple[int, str]:
    """(code, message) of the server error ``statement`` must raise; fails the test if it succeeds."""
    import pytest

    with pytest.raises(driver_errors()) as info:
        run(conn, statement)
    return int(info.value.args[0]), str(info.value.args[1])


def internal_error(text: str) -> tuple[int, str]:
    """MatrixOne's generic error: code 20101, ``internal error: <text>``."""
    return 20101, f"internal error: {text}"


def columns(conn: Any, statement: str) -> list[str]:
    """The column names of ``statement``'s result set."""
    cur = conn.cursor()
    try:
        cur.execute(statement)
        cur.fetchall()
        return [d[0] for d in cur.description]
    finally:
        cur.close()

