"""PITR create / alter / drop operators against matrixone_lite over TCP (direct execute)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from airflow.sdk.exceptions import AirflowFailException

from airflow_provider_matrixone.operators.pitr import (
    MatrixOnePITRAlterOperator,
    MatrixOnePITRCreateOperator,
    MatrixOnePITRDropOperator,
)
from tests.operators.support import context, mutating_since, new_account, root_sql, tenant_sql


def _create(conn_id: str, name: str, **kw: Any) -> dict[str, Any]:
    op = MatrixOnePITRCreateOperator(task_id="create", pitr_name=name, matrixone_conn_id=conn_id, **kw)
    return op.execute(context())


@pytest.mark.parametrize(
    ("level", "objects"),
    [("account", {}), ("database", {"database": "db1"}), ("table", {"database": "db2", "table": "orders"})],
)
def test_create_each_tenant_level_is_idempotent(tenant: SimpleNamespace, mo_server: Any, level: str,
                                                objects: dict[str, str]) -> None:
    name = f"p_{level}"
    out = _create(tenant.conn_id, name, level=level, range_value=2, range_unit="d", **objects)
    assert out["action"] == "created"
    assert out["level"] == level and out["range_value"] == 2 and out["range_unit"] == "d"
    assert out["created"].endswith("Z") and out["recovery_window"]["earliest"].endswith("Z")
    assert out["objects"]["level"] == level
    mark = len(mo_server.statement_log.entries)
    again = _create(tenant.conn_id, name, level=level, range_value="2", range_unit=" D ", **objects)
    assert again["action"] == "unchanged"
    assert mutating_since(mo_server, mark) == []
    rows = tenant_sql(mo_server, tenant.name, [f"show pitr where pitr_name = '{name}'"])
    assert len(rows) == 1


def test_create_account_and_cluster_as_sys(tenant: SimpleNamespace, root_conn: str, mo_server: Any) -> None:
    name = f"sys_{tenant.name}"
    out = _create(root_conn, name, level="account", account=tenant.name, range_value=1, range_unit="h")
    assert out["action"] == "created" and out["account"] == tenant.name
    existing = [r[0] for r in root_sql(mo_server, ["show pitr where pitr_level = 'cluster'"])]
    if not existing:
        cl = _create(root_conn, "p_cluster_ops", level="cluster", range_value=1, range_unit="d")
        assert cl["level"] == "cluster"
        assert _create(root_conn, "p_cluster_ops", level="cluster", range_value=1, range_unit="d")["action"] == \
            "unchanged"
        MatrixOnePITRDropOperator(task_id="d", pitr_name="p_cluster_ops", matrixone_conn_id=root_conn).execute({})
    MatrixOnePITRDropOperator(task_id="d", pitr_name=name, matrixone_conn_id=root_conn).execute({})


def test_if_exists_update_skip_fail(tenant: SimpleNamespace, mo_server: Any) -> None:
    _create(tenant.conn_id, "p_upd", level="database", database="db1", range_value=1, range_unit="d")
    mark = len(mo_server.statement_log.entries)
    skipped = _create(tenant.conn_id, "p_upd", level="database", database="db1", range_value=5, range_unit="d")
    assert skipped["action"] == "unchanged" and skipped["range_value"] == 1
    assert mutating_since(mo_server, mark) == []
    updated = _create(tenant.conn_id, "p_upd", level="database", database="db1", range_value=5, range_unit="d",
                      if_exists="update")
    assert updated["action"] == "updated" and updated["range_value"] == 5
    assert [s for s in mutating_since(mo_server, mark)] == ["ALTER PITR `p_upd` RANGE 5 'd'"]
    with pytest.raises(AirflowFailException, match="already exists"):
        _create(tenant.conn_id, "p_upd", level="database", database="db1", range_value=5, range_unit="d",
                if_exists="fail")


def test_conflicts_are_clear_errors(tenant: SimpleNamespace, mo_server: Any) -> None:
    _create(tenant.conn_id, "p_db1", level="database", database="db1", range_value=1, range_unit="d")
    mark = len(mo_server.statement_log.entries)
    with pytest.raises(AirflowFailException, match="p_db1 already covers database db1"):
        _create(tenant.conn_id, "p_other", level="database", database="db1", range_value=1, range_unit="d")
    with pytest.raises(AirflowFailException, match="not for database db2"):
        _create(tenant.conn_id, "p_db1", level="database", database="db2", range_value=1, range_unit="d",
                if_exists="update")
    assert mutating_since(mo_server, mark) == []


def test_alter_and_drop(tenant: SimpleNamespace, mo_server: Any) -> None:
    _create(tenant.conn_id, "p_ad", level="account", range_value=1, range_unit="d")
    alter = MatrixOnePITRAlterOperator(task_id="a", pitr_name="p_ad", range_value=3, range_unit="mo",
                                       matrixone_conn_id=tenant.conn_id)
    out = alter.execute(context())
    assert out["action"] == "updated" and out["range"] == "3mo"
    assert alter.execute(context())["action"] == "unchanged"
    drop = MatrixOnePITRDropOperator(task_id="d", pitr_name="p_ad", matrixone_conn_id=tenant.conn_id)
    assert drop.execute(context())["action"] == "dropped"
    assert drop.execute(context())["action"] == "absent"
    assert tenant_sql(mo_server, tenant.name, ["show pitr where pitr_name = 'p_ad'"]) == []
    with pytest.raises(AirflowFailException, match="p_ad does not exist"):
        MatrixOnePITRDropOperator(task_id="d", pitr_name="p_ad", if_missing="fail",
                                  matrixone_conn_id=tenant.conn_id).execute(context())
    assert MatrixOnePITRAlterOperator(task_id="a", pitr_name="p_ad", range_value=1, range_unit="d", if_missing="skip",
                                      matrixone_conn_id=tenant.conn_id).execute(context()) is None
    with pytest.raises(AirflowFailException, match="p_ad does not exist"):
        MatrixOnePITRAlterOperator(task_id="a", pitr_name="p_ad", range_value=1, range_unit="d",
                                   matrixone_conn_id=tenant.conn_id).execute(context())


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"pitr_name": "p`; drop database db1; --", "level": "account"}, "pitr name"),
        ({"pitr_name": "p_ok", "level": "database", "database": "db1'--"}, "database"),
        ({"pitr_name": "p_ok", "level": "galaxy"}, "level"),
        ({"pitr_name": "p_ok", "level": "table", "database": "db1"}, "table"),
        ({"pitr_name": "p_ok", "level": "account", "database": "db1"}, "level account takes no database"),
        ({"pitr_name": "p_ok", "level": "cluster"}, "only sys tenant can create cluster level pitr"),
        ({"pitr_name": "p_ok", "level": "account", "account": "someone_else"}, "only sys tenant"),
        ({"pitr_name": "p_ok", "level": "account", "range_value": 0}, "range value"),
        ({"pitr_name": "p_ok", "level": "account", "range_unit": "weeks"}, "range unit"),
        ({"pitr_name": "p_ok", "level": "account", "if_exists": "replace"}, "if_exists"),
        ({"pitr_name": "sys_mo_catalog_pitr", "level": "account"}, "reserved"),
    ],
)
def test_bad_input_fails_before_any_mutating_statement(tenant: SimpleNamespace, mo_server: Any,
                                                      kwargs: dict[str, Any], message: str) -> None:
    mark = len(mo_server.statement_log.entries)
    with pytest.raises(AirflowFailException, match=message):
        MatrixOnePITRCreateOperator(task_id="create", matrixone_conn_id=tenant.conn_id, **kwargs).execute(context())
    assert mutating_since(mo_server, mark) == []


def test_no_network_in_init() -> None:
    conn_id = f"missing_{new_account()}"
    op = MatrixOnePITRCreateOperator(task_id="x", pitr_name="p", level="account", matrixone_conn_id=conn_id)
    assert op.matrixone_conn_id == conn_id and "pitr_name" in op.template_fields
