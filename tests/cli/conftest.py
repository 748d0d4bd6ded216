"""Fixtures for mo-pitr tests: a private matrixone_lite per module and a runner for ``main([...])``.

A private server (not the session one) because sys may own only one cluster-level PITR and a
cluster restore rewinds every account: other test modules must not see either.
"""

from __future__ import annotations

import io
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from airflow_provider_matrixone.cli.main import main
from tests.support import sql as support_sql
from tests.support.seed import create_account, user_databases

ROOT_PASSWORD = "root-" + secrets.token_hex(6)
ADMIN_PASSWORD = "adm-" + secrets.token_hex(6)


class Tty(io.StringIO):
    """A terminal on stdin (answers prompts with its content)."""

    def isatty(self) -> bool:
        return True


class Pipe(io.StringIO):
    def isatty(self) -> bool:
        return False


@dataclass
class Result:
    code: int
    out: str
    err: str


class Cli:
    """Runs mo-pitr in-process against one server, as one login."""

    def __init__(self, server: Any, capsys: pytest.CaptureFixture[str]) -> None:
        self.server = server
        self.capsys = capsys

    def __call__(self, *argv: str, user: str = "root", password: str | None = None, stdin: Any = None) -> Result:
        pw = password or (ROOT_PASSWORD if "#" not in user else ADMIN_PASSWORD)
        conn = ["--host", self.server.host, "--port", str(self.server.port), "--user", user, "--password", pw]
        self.capsys.readouterr()
        code = main([*argv, *conn], stdin=stdin if stdin is not None else Pipe(""))
        out, err = self.capsys.readouterr()
        return Result(code, out, err)


def _password(user: str) -> str:
    return ROOT_PASSWORD if "#" not in user else ADMIN_PASSWORD


def sql_as(server: Any, user: str, statements: list[str], password: str | None = None) -> list[tuple[Any, ...]]:
    """``tests.support.sql.sql_as`` with this module's passwords (root for sys, admin for tenants)."""
    return support_sql.sql_as(server, user, password or _password(user), statements)


def make_account(server: Any, account: str, orders: int = 3) -> None:
    """A small tenant with admin ``admin``: db1.products (2 rows), db2.orders (``orders`` rows).

    Smaller than the guide's data (tests.support.seed) on purpose: the CLI tests count rows.
    """
    values = ", ".join(f"('item{i}', {i})" for i in range(1, orders + 1))
    create_account(server, account, root_password=ROOT_PASSWORD, admin_password=ADMIN_PASSWORD, statements=[
        "create database db1", "use db1",
        "create table products (id int primary key auto_increment, name varchar(50))",
        "insert into products (name) values ('a'), ('b')",
        "create database db2", "use db2",
        "create table orders (id int primary key auto_increment, product_name varchar(50), quantity int)",
        f"insert into orders (product_name, quantity) values {values}",
    ])


def count(server: Any, user: str, table: str) -> int:
    return int(sql_as(server, user, [f"select count(*) from {table}"])[0][0])


def databases(server: Any, user: str) -> list[str]:
    return user_databases(server, user, _password(user))


@pytest.fixture(scope="module")
def cli_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from matrixone_lite import LiteServer

    with LiteServer(data_dir=tmp_path_factory.mktemp("mo-cli"), port=0, version="4.2.0", timezone="Asia/Shanghai",
                    root_password=ROOT_PASSWORD) as srv:
        yield srv


@pytest.fixture
def cli(cli_server: Any, capsys: pytest.CaptureFixture[str]) -> Cli:
    return Cli(cli_server, capsys)
