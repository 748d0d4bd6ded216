"""Fixtures for provider tests: hook factories bound to the session's matrixone_lite server."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from tests.provider.support import TEST_PASSWORD


@pytest.fixture
def hook_factory(mo_server: Any) -> Callable[..., Any]:
    """Build a MatrixOneHook on an in-memory Airflow Connection pointing at the test server."""
    from airflow.sdk import Connection

    from airflow_provider_matrixone.hooks.matrixone import MatrixOneHook

    def build(login: str = "root", password: str = TEST_PASSWORD, **extra: Any) -> MatrixOneHook:
        conn = Connection(
            conn_id="matrixone_test",
            conn_type="matrixone",
            host=mo_server.host,
            port=mo_server.port,
            login=login,
            password=password,
            extra=json.dumps(extra),
        )
        return MatrixOneHook(connection=conn)

    return build
