"""MatrixOneHook under common.sql's operators, resolved from AIRFLOW_CONN_MATRIXONE_DEFAULT (JSON)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import pytest
from airflow.providers.common.sql.operators.sql import (
    SQLExecuteQueryOperator,
    SQLTableCheckOperator,
    SQLValueCheckOperator,
)
from airflow.sdk.exceptions import AirflowException

from tests.operators.support import TENANT_PASSWORD, context


@pytest.fixture
def matrixone_default(tenant: SimpleNamespace, mo_server: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """matrixone_default = the tenant's admin, with the account given as a connection extra."""
    monkeypatch.setenv("AIRFLOW_CONN_MATRIXONE_DEFAULT", json.dumps({
        "conn_type": "matrixone", "host": mo_server.host, "port": mo_server.port, "login": "admin",
        "password": TENANT_PASSWORD, "extra": {"account": tenant.name, "client": "pymysql"},
    }))
    yield "matrixone_default"


def test_execute_query_operator(matrixone_default: str) -> None:
    op = SQLExecuteQueryOperator(task_id="q", conn_id=matrixone_default,
                                 sql=["select count(*) from db1.products", "select product_name from db2.orders "
                                      "order by id"], return_last=False)
    results = op.execute(context())
    assert [list(r) for r in results[0]] == [[9]]
    assert [r[0] for r in results[1]] == ["Smartphone", "Headphones", "Tablet"]
    hook = op.get_db_hook()
    assert type(hook).__name__ == "MatrixOneHook" and hook.account != "sys"


def test_value_check_operator(matrixone_default: str) -> None:
    SQLValueCheckOperator(task_id="v", conn_id=matrixone_default, sql="select count(*) from db2.orders",
                          pass_value=3).execute(context())
    with pytest.raises(AirflowException, match="Test failed"):
        SQLValueCheckOperator(task_id="v", conn_id=matrixone_default, sql="select count(*) from db2.orders",
                              pass_value=4).execute(context())


def test_table_check_operator(matrixone_default: str) -> None:
    SQLTableCheckOperator(task_id="t", conn_id=matrixone_default, table="db1.products",
                          checks={"row_count": {"check_statement": "COUNT(*) = 9"},
                                  "positive_price": {"check_statement": "MIN(price) > 0"}}).execute(context())
    with pytest.raises(AirflowException, match="row_count"):
        SQLTableCheckOperator(task_id="t", conn_id=matrixone_default, table="db1.products",
                              checks={"row_count": {"check_statement": "COUNT(*) = 10"}}).execute(context())
