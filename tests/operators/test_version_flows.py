"""The same operator flows against a 3.0.18 and a 4.2.0 server (grammar differs: snapshot restores)."""

from __future__ import annotations

from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import pytest

from airflow_provider_matrixone.operators.pitr import MatrixOnePITRCreateOperator, MatrixOnePITRDropOperator
from airflow_provider_matrixone.operators.restore import MatrixOnePITRRestoreOperator
from airflow_provider_matrixone.operators.snapshot import (
    MatrixOneSnapshotCreateOperator,
    MatrixOneSnapshotDropOperator,
    MatrixOneSnapshotRestoreOperator,
)
from airflow_provider_matrixone.sensors.restore import MatrixOneRestoreVerificationSensor
from tests.operators.support import (
    TENANT_PASSWORD,
    TEST_PASSWORD,
    context,
    make_tenant,
    mutating_since,
    new_account,
    now_after_pitr,
    set_connection,
    tenant_sql,
)


@pytest.fixture(scope="module", params=["3.0.18", "4.2.0"])
def server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from matrixone_lite import LiteServer

    version = str(request.param)
    with LiteServer(data_dir=tmp_path_factory.mktemp(f"mo-{version}"), port=0, version=version,
                    timezone="Asia/Shanghai", root_password=TEST_PASSWORD) as srv:
        srv.mo_version = version
        yield srv


@pytest.fixture
def acc(server: Any) -> SimpleNamespace:
    name = new_account("ver")
    make_tenant(server, name)
    conn_id = set_connection(f"mo_v{server.mo_version.replace('.', '_')}_{name}", server, f"{name}#admin",
                             TENANT_PASSWORD)
    return SimpleNamespace(name=name, conn_id=conn_id)


def test_pitr_restore_verify_and_undo(acc: SimpleNamespace, server: Any) -> None:
    MatrixOnePITRCreateOperator(task_id="p", pitr_name="p_acc", level="account",
                                matrixone_conn_id=acc.conn_id).execute(context())
    t = now_after_pitr()
    tenant_sql(server, acc.name, ["delete from db1.products where id < 5", "drop database db2"])
    mark = len(server.statement_log.entries)
    plan = MatrixOnePITRRestoreOperator(task_id="r", pitr_name="p_acc", timestamp=t.isoformat(), level="account",
                                        dry_run=True, matrixone_conn_id=acc.conn_id).execute(context())
    assert mutating_since(server, mark) == []
    assert {d["database"]: d["action"] for d in plan["plan"]["databases"]} == {"db1": "replace", "db2": "recreate"}
    out = MatrixOnePITRRestoreOperator(task_id="r", pitr_name="p_acc", timestamp=t.isoformat(), level="account",
                                       matrixone_conn_id=acc.conn_id).execute(context())
    assert tenant_sql(server, acc.name, ["select count(*) from db2.orders"]) == [(3,)]
    report = MatrixOneRestoreVerificationSensor(task_id="v", reference=out, matrixone_conn_id=acc.conn_id,
                                                poke_interval=0.1, timeout=5).execute(context())
    assert report["status"] == "pass"
    undo = MatrixOneSnapshotRestoreOperator(task_id="u", snapshot_name=out["safety_snapshot"]["name"],
                                            matrixone_conn_id=acc.conn_id).execute(context())
    expected = "FROM SNAPSHOT" if server.mo_version == "3.0.18" else "{SNAPSHOT = "
    assert expected in undo["sql"]
    assert tenant_sql(server, acc.name, ["select count(*) from db1.products"]) == [(5,)]
    assert "db2" not in [r[0] for r in tenant_sql(server, acc.name, ["show databases"])]
    MatrixOnePITRDropOperator(task_id="d", pitr_name="p_acc", matrixone_conn_id=acc.conn_id).execute(context())


def test_table_restore_and_snapshot_operators(acc: SimpleNamespace, server: Any) -> None:
    MatrixOnePITRCreateOperator(task_id="p", pitr_name="p_t", level="table", database="db2", table="orders",
                                matrixone_conn_id=acc.conn_id).execute(context())
    snap = MatrixOneSnapshotCreateOperator(task_id="s", snapshot_name="s_db1", level="database", database="db1",
                                           matrixone_conn_id=acc.conn_id)
    assert snap.execute(context())["action"] == "created"
    assert snap.execute(context())["action"] == "unchanged"
    t = now_after_pitr()
    tenant_sql(server, acc.name, ["delete from db2.orders", "delete from db1.products"])
    out = MatrixOnePITRRestoreOperator(task_id="r", pitr_name="p_t", timestamp=t.isoformat(), level="table",
                                       database="db2", table="orders", matrixone_conn_id=acc.conn_id,
                                       ).execute(context())
    assert out["check"]["status"] == "pass"
    assert tenant_sql(server, acc.name, ["select count(*) from db2.orders"]) == [(3,)]
    MatrixOneSnapshotRestoreOperator(task_id="sr", snapshot_name="s_db1", matrixone_conn_id=acc.conn_id).execute(
        context())
    assert tenant_sql(server, acc.name, ["select count(*) from db1.products"]) == [(9,)]
    drop = MatrixOneSnapshotDropOperator(task_id="sd", snapshot_name="s_db1", matrixone_conn_id=acc.conn_id)
    assert drop.execute(context())["action"] == "dropped"
    assert drop.execute(context())["action"] == "absent"
