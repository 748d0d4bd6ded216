"""Fault-suite data helpers: bulk accounts and a cheap content fingerprint.

The killable server process is ``tests.support.serve.ServeProcess`` and the misbehaving proxy
``tests.support.proxy.Proxy``; SQL goes through ``tests.support.sql``.
"""

from __future__ import annotations

import json
import os
from typing import Any

from tests.support.seed import SYSTEM_DATABASES, create_account
from tests.support.sql import sql_as

ROOT_PASSWORD = os.environ["MO_TEST_PASSWORD"]
TENANT_PASSWORD = "tenant-" + ROOT_PASSWORD


def sql(server: Any, user: str, password: str, statements: list[str], *, port: int | None = None) -> list[Any]:
    """``sql_as`` with the fault suite's bounded timeouts (a cut connection fails fast)."""
    return sql_as(server, user, password, statements, port=port, connect_timeout=5, read_timeout=30)


def make_account(server: Any, account: str, tables: int = 4, rows: int = 2000) -> None:
    """An account with ``tables`` tables in db1 of ``rows`` rows each, built server-side."""
    statements = ["create database db1"]
    for t in range(tables):
        statements += [f"create table db1.t{t} (id int primary key, v varchar(20))",
                       f"insert into db1.t{t} values " + ", ".join(f"({i}, 'v{i}')" for i in range(100))]
        have = 100
        while have < rows:
            step = min(have, rows - have)
            statements.append(f"insert into db1.t{t} select id + {have}, v from db1.t{t} where id < {step}")
            have += step
    create_account(server, account, root_password=ROOT_PASSWORD, admin_password=TENANT_PASSWORD,
                   statements=statements)


def state(server: Any, account: str, *, port: int | None = None) -> dict[str, tuple[int, int]]:
    """Every user table of the account: (row count, sum of ids): cheap and order independent."""
    out: dict[str, tuple[int, int]] = {}
    user = f"{account}#admin"
    for (db,) in sql(server, user, TENANT_PASSWORD, ["show databases"], port=port):
        if db in SYSTEM_DATABASES:
            continue
        for (tbl,) in sql(server, user, TENANT_PASSWORD, [f"show tables from `{db}`"], port=port):
            count, total = sql(server, user, TENANT_PASSWORD,
                               [f"select count(*), coalesce(sum(id), 0) from `{db}`.`{tbl}`"], port=port)[0]
            out[f"{db}.{tbl}"] = (int(count), int(total))
    return out


def set_connection(conn_id: str, host: str, port: int, login: str, password: str, **extra: Any) -> str:
    os.environ[f"AIRFLOW_CONN_{conn_id.upper()}"] = json.dumps({
        "conn_type": "matrixone", "host": host, "port": port, "login": login, "password": password,
        "extra": {"client": "pymysql", **extra}})
    return conn_id
