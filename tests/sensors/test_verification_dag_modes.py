"""The restore operator and the sensor through Airflow's machinery: dag.test() with templating, XCom,
poke / reschedule / deferrable modes, timeout with soft_fail, and a mismatch failing the task."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pendulum

from airflow_provider_matrixone.operators.pitr import MatrixOnePITRCreateOperator
from airflow_provider_matrixone.operators.restore import MatrixOnePITRRestoreOperator
from airflow_provider_matrixone.sensors.restore import MatrixOneRestoreVerificationSensor
from tests.operators.support import context, now_after_pitr, tenant_sql
from tests.support.dags import register_dag

REF = "{{ ti.xcom_pull(task_ids='restore') }}"


def _dag(conn_id: str) -> Any:
    from airflow.sdk import DAG, Param

    with DAG(
        dag_id=f"test_verify_modes_{conn_id}",
        schedule=None,
        start_date=pendulum.datetime(2024, 1, 1, tz="UTC"),
        params={"ts": Param("", type="string"), "db": Param("db1", type="string"),
                "dry_run": Param(False, type="boolean")},
        catchup=False,
    ) as dag:
        restore = MatrixOnePITRRestoreOperator(
            task_id="restore", pitr_name="p_dag", timestamp="{{ params.ts }}", level="database",
            database="{{ params.db }}", dry_run="{{ params.dry_run }}", matrixone_conn_id=conn_id,
        )
        common: dict[str, Any] = {"matrixone_conn_id": conn_id, "reference": REF, "poke_interval": 1, "timeout": 60}
        poke = MatrixOneRestoreVerificationSensor(task_id="verify_poke", mode="poke", **common)
        resched = MatrixOneRestoreVerificationSensor(task_id="verify_reschedule", mode="reschedule", **common)
        deferred = MatrixOneRestoreVerificationSensor(task_id="verify_deferrable", deferrable=True, **common)
        restore >> [poke, resched, deferred]
        MatrixOneRestoreVerificationSensor(
            task_id="wait_timeout_soft", matrixone_conn_id=conn_id, expected_counts={"db1.never_there": 1},
            mode="reschedule", poke_interval=1, timeout=2, soft_fail=True,
        )
        MatrixOneRestoreVerificationSensor(
            task_id="mismatch", matrixone_conn_id=conn_id, expected_counts={"db1.products": 1}, mode="reschedule",
            poke_interval=1, timeout=30,
        )
    return dag




def test_modes_through_dag_test(tenant: SimpleNamespace, mo_server: Any, airflow_db: str) -> None:
    MatrixOnePITRCreateOperator(task_id="p", pitr_name="p_dag", level="database", database="db1",
                                matrixone_conn_id=tenant.conn_id).execute(context())
    t = now_after_pitr()
    tenant_sql(mo_server, tenant.name, ["delete from db1.products where id in (2, 4, 6)"])
    dag = _dag(tenant.conn_id)
    register_dag(dag)
    dr = dag.test(run_conf={"ts": t.in_timezone("Asia/Shanghai").isoformat(), "dry_run": False})
    states = {ti.task_id: str(ti.state) for ti in dr.get_task_instances()}
    assert states == {
        "restore": "success", "verify_poke": "success", "verify_reschedule": "success",
        "verify_deferrable": "success", "wait_timeout_soft": "skipped", "mismatch": "failed",
    }
    assert tenant_sql(mo_server, tenant.name, ["select count(*) from db1.products"]) == [(9,)]
    tis = {ti.task_id: ti for ti in dr.get_task_instances()}
    report = tis["verify_deferrable"].xcom_pull(task_ids="verify_deferrable")
    assert report["status"] == "pass" and report["tables"][0]["table"] == "db1.products"
    restored = tis["restore"].xcom_pull(task_ids="restore")
    assert restored["plan"]["instant_utc"] == t.isoformat().replace("+00:00", "Z")
