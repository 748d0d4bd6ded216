"""Logins of the session server (tests/conftest.py's ``mo_server``): sys root and seeded tenants.

The SQL loop is ``tests.support.sql.sql_as`` and the guide's data ``tests.support.seed``; this
module only binds them to the session's passwords.
"""

from __future__ import annotations

import os
from typing import Any

from tests.support.seed import seed_account
from tests.support.sql import sql_as

__all__ = ["TENANT_PASSWORD", "TEST_PASSWORD", "make_tenant", "root_sql", "sql_as", "tenant_sql"]

TEST_PASSWORD = os.environ["MO_TEST_PASSWORD"]

TENANT_PASSWORD = "tenant-" + TEST_PASSWORD


def root_sql(server: Any, statements: list[str]) -> list[tuple[Any, ...]]:
    return sql_as(server, "root", TEST_PASSWORD, statements)


def tenant_sql(server: Any, account: str, statements: list[str]) -> list[tuple[Any, ...]]:
    return sql_as(server, f"{account}#admin", TENANT_PASSWORD, statements)


def make_tenant(server: Any, account: str) -> None:
    """(Re)create a tenant with the seed guide's data: db1.products (9 rows), db2.orders (3 rows)."""
    seed_account(server, account, root_password=TEST_PASSWORD, admin_password=TENANT_PASSWORD)
