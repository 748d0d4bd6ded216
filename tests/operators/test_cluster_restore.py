"""Cluster-level PITR restore and cluster snapshot on a server of its own (it rewinds every account)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from airflow_provider_matrixone.operators.pitr import MatrixOnePITRCreateOperator
from airflow_provider_matrixone.operators.restore import MatrixOnePITRRestoreOperator
from airflow_provider_matrixone.operators.snapshot import MatrixOneSnapshotCreateOperator
from tests.operators.support import (
    TEST_PASSWORD,
    context,
    make_tenant,
    now_after_pitr,
    root_sql,
    set_connection,
    tenant_sql,
)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from matrixone_lite import LiteServer

    with LiteServer(data_dir=tmp_path_factory.mktemp("mo-cluster"), port=0, version="4.2.0",
                    timezone="Asia/Shanghai", root_password=TEST_PASSWORD) as srv:
        yield srv


def test_cluster_restore_rewinds_accounts(server: Any) -> None:
    sys_conn = set_connection("mo_cluster_sys", server, "root", TEST_PASSWORD)
    make_tenant(server, "clacc1")
    root_sql(server, ["create database sysdb", "create table sysdb.t (a int)", "insert into sysdb.t values (1), (2)"])
    MatrixOnePITRCreateOperator(task_id="p", pitr_name="p_cluster", level="cluster",
                                matrixone_conn_id=sys_conn).execute(context())
    snap = MatrixOneSnapshotCreateOperator(task_id="s", snapshot_name="s_cluster", level="cluster",
                                           matrixone_conn_id=sys_conn).execute(context())
    assert snap["level"] == "cluster" and snap["action"] == "created"
    t = now_after_pitr()
    tenant_sql(server, "clacc1", ["delete from db1.products"])
    root_sql(server, ["delete from sysdb.t"])
    make_tenant(server, "clacc2")
    out = MatrixOnePITRRestoreOperator(task_id="r", pitr_name="p_cluster", timestamp=t.isoformat(),
                                       level="cluster", matrixone_conn_id=sys_conn).execute(context())
    assert out["sql"].startswith("RESTORE CLUSTER FROM PITR `p_cluster` '")
    assert out["check"]["status"] == "pass"
    assert out["safety_snapshot"]["level"] == "cluster"
    assert tenant_sql(server, "clacc1", ["select count(*) from db1.products"]) == [(9,)]
    assert root_sql(server, ["select count(*) from sysdb.t"]) == [(2,)]
    accounts = [r[0] for r in root_sql(server, ["show accounts"])]
    assert "clacc1" in accounts and "clacc2" not in accounts
