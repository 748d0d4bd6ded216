"""The access proof (``probe_conn_id``) and the asset events / metrics of a VERIFIED restore (issue 13 points 3, 6).

Access: MatrixOne #26640 restored the rows and left the application's grants on the old tables. A
database restore of matrixone_lite does not bring grants back (they are account state), so
revoking the grant after T and restoring the database leaves exactly that state: every row right,
the application locked out. Assets: through dag.test(), the event rows land in the metadata DB.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pendulum
import pytest
from airflow.sdk.exceptions import AirflowFailException

from airflow_provider_matrixone.sensors.assets import asset_uri
from airflow_provider_matrixone.sensors.restore import MatrixOneRestoreVerificationSensor
from tests.operators.support import context, now_after_pitr, set_connection, tenant_sql
from tests.support.dags import register_dag

APP_PASSWORD = "pw-app-7f3e9c"


def _app(server: Any, tenant: SimpleNamespace) -> str:
    tenant_sql(server, tenant.name, ["create pitr p_db1 for database db1 range 1 'd'", "create role r_app",
                                     "grant select on table db1.products to r_app",
                                     f"create user app identified by '{APP_PASSWORD}' default role r_app"])
    return set_connection(f"mo_app_{tenant.name}", server, f"{tenant.name}#app", APP_PASSWORD)


def _sensor(tenant: SimpleNamespace, t: pendulum.DateTime, **kw: Any) -> MatrixOneRestoreVerificationSensor:
    return MatrixOneRestoreVerificationSensor(
        task_id="verify", matrixone_conn_id=tenant.conn_id, reference_timestamp=t.isoformat(), level="database",
        database="db1", timeout=5, poke_interval=1, **kw)


def test_application_locked_out_after_restore_is_a_mismatch(tenant: SimpleNamespace, mo_server: Any) -> None:
    probe = _app(mo_server, tenant)
    t = now_after_pitr()
    local = t.in_timezone("Asia/Shanghai").strftime("%Y-%m-%d %H:%M:%S.%f")
    tenant_sql(mo_server, tenant.name, ["delete from db1.products where id > 3",
                                        "revoke select on table db1.products from r_app",
                                        f"restore database db1 from pitr p_db1 '{local}'"])
    sensor = _sensor(tenant, t, probe_conn_id=probe)
    with pytest.raises(AirflowFailException) as info:
        sensor.poke(context(task_id="verify"))
    text = str(info.value)
    assert f"application login {tenant.name}#app cannot read table db1.products" in text, text
    assert "missing privilege: SELECT on table db1.products" in text, text


def test_application_that_reads_every_table_verifies(tenant: SimpleNamespace, mo_server: Any) -> None:
    probe = _app(mo_server, tenant)
    t = now_after_pitr()
    result = _sensor(tenant, t, probe_conn_id=probe).poke(context(task_id="verify"))
    report = result.xcom_value  # type: ignore[union-attr]
    assert report["verdict"] == "VERIFIED"
    assert report["access"] == {"login_conn_id": probe, "login": f"{tenant.name}#app", "tables_read": 1,
                                "tables_unread": 0, "verdict": "VERIFIED"}
    assert report["metrics"]["rows"] == {"db1.products": 9} and report["metrics"]["rows_total"] == 9
    assert set(report["metrics"]["phases_s"]) == {"reference_s", "verify_s", "access_probe_s"}


def test_access_is_proven_before_deferring_too(tenant: SimpleNamespace, mo_server: Any) -> None:
    """The deferrable path that verifies in the worker at once runs the same access proof."""
    probe = _app(mo_server, tenant)
    t = now_after_pitr()
    tenant_sql(mo_server, tenant.name, ["revoke select on table db1.products from r_app"])
    with pytest.raises(AirflowFailException, match="cannot read table db1.products"):
        _sensor(tenant, t, probe_conn_id=probe, deferrable=True).execute(context(task_id="verify"))


def test_asset_uri_quotes_each_part() -> None:
    assert asset_uri("Mo.Example", 6001, "acc1", "db1.order items") == "matrixone://mo.example:6001/acc1/db1/order%20items"


def test_verified_restore_emits_asset_events_with_metadata(tenant: SimpleNamespace, mo_server: Any,
                                                          airflow_db: str) -> None:
    from airflow.models.asset import AssetDagRunQueue, AssetEvent
    from airflow.sdk import DAG, Asset
    from airflow.utils.session import create_session
    from sqlalchemy import select

    t = now_after_pitr()
    with DAG(dag_id=f"test_assets_{tenant.name}", schedule=None, start_date=pendulum.datetime(2024, 1, 1, tz="UTC"),
             catchup=False) as dag:
        _sensor(tenant, t, pitr_name="p_db1")  # no asset_alias: the default alias is on
    uri = asset_uri(mo_server.host, mo_server.port, tenant.name, "db1.products")
    with DAG(dag_id=f"test_assets_down_{tenant.name}", schedule=[Asset(uri=uri, name=uri)],
             start_date=pendulum.datetime(2024, 1, 1, tz="UTC"), catchup=False,
             is_paused_upon_creation=False) as downstream:
        pass
    register_dag(dag)
    register_dag(downstream)
    dr = dag.test()
    (ti,) = dr.get_task_instances()
    assert str(ti.state) == "success"
    report = ti.xcom_pull(task_ids="verify")
    assert report["assets"] == [uri]
    with create_session() as session:
        events = [e for e in session.scalars(select(AssetEvent)) if e.uri == uri]
    assert len(events) == 1
    extra = events[0].extra
    assert extra["verdict"] == "VERIFIED" and extra["pitr"] == "p_db1" and extra["rows"] == 9
    assert extra["at"] == report["reference_at_utc"] and extra["fingerprint"] == report["tables"][0]["actual_fingerprint"]
    with create_session() as session:  # the downstream pipeline scheduled on the table's asset is queued
        queued = list(session.scalars(select(AssetDagRunQueue).where(
            AssetDagRunQueue.target_dag_id == downstream.dag_id)))
    assert len(queued) == 1
