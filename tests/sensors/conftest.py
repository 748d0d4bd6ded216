"""Fixtures for operator tests: a fresh seeded tenant and Airflow connections (env vars) per test."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from tests.operators.support import (
    TENANT_PASSWORD,
    TEST_PASSWORD,
    make_tenant,
    new_account,
    set_connection,
)


@pytest.fixture
def root_conn(mo_server: Any) -> str:
    """Connection id of sys root on the session server."""
    return set_connection("mo_root", mo_server, "root", TEST_PASSWORD)


@pytest.fixture
def tenant(mo_server: Any) -> SimpleNamespace:
    """A new account with the seed guide's data (db1.products 9 rows, db2.orders 3 rows)."""
    name = new_account()
    make_tenant(mo_server, name)
    conn_id = set_connection(f"mo_{name}", mo_server, f"{name}#admin", TENANT_PASSWORD)
    return SimpleNamespace(name=name, conn_id=conn_id)
