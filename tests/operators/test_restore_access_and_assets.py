"""The restore operator's own verify step proves access and emits asset events (issue 13 points 3 and 6).

Before, only the verification sensor did: a DAG that restored with the operator alone got a
green task while the application could not read the restored table (MatrixOne #26640), and no
downstream pipeline heard of the verified restore point. Now the workflow's check runs the same
access proof (``probe_conn_id``) and the operator declares the default ``AssetAlias``
(``matrixone_verified_restore``) and emits one event per restored table, only on VERIFIED.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pendulum
import pytest
from airflow.sdk import AssetAlias
from airflow.sdk.exceptions import AirflowException

from airflow_provider_matrixone.operators.restore import MatrixOnePITRRestoreOperator
from airflow_provider_matrixone.proof.assets import DEFAULT_ASSET_ALIAS, asset_uri
from airflow_provider_matrixone.sensors.restore import MatrixOneRestoreVerificationSensor
from tests.operators.support import context, now_after_pitr, set_connection, tenant_sql
from tests.support.dags import register_dag

APP_PASSWORD = "pw-app-5d1c2b"


def _app(server: Any, tenant: SimpleNamespace) -> str:
    """A PITR of db1 and an application login that may read db1.products (and only that)."""
    tenant_sql(server, tenant.name, ["create pitr p_db1 for database db1 range 1 'd'", "create role r_app",
                                     "grant select on table db1.products to r_app",
                                     f"create user app identified by '{APP_PASSWORD}' default role r_app"])
    return set_connection(f"mo_app_{tenant.name}", server, f"{tenant.name}#app", APP_PASSWORD)


def _restore(tenant: SimpleNamespace, t: pendulum.DateTime, **kw: Any) -> MatrixOnePITRRestoreOperator:
    return MatrixOnePITRRestoreOperator(task_id="restore", matrixone_conn_id=tenant.conn_id, pitr_name="p_db1",
                                        timestamp=t.isoformat(), level="database", database="db1", **kw)


def test_application_locked_out_after_the_restore_fails_the_operator(tenant: SimpleNamespace,
                                                                     mo_server: Any) -> None:
    """Rows all back, grant gone (a database restore does not bring account grants back): MISMATCH."""
    probe = _app(mo_server, tenant)
    t = now_after_pitr()
    tenant_sql(mo_server, tenant.name, ["delete from db1.products where id > 3",
                                        "revoke select on table db1.products from r_app"])
    with pytest.raises(AirflowException) as info:
        _restore(tenant, t, probe_conn_id=probe).execute(context())
    text = str(info.value)
    assert "verification MISMATCH" in text, text
    assert f"application login {tenant.name}#app cannot read table db1.products" in text, text
    assert "missing privilege: SELECT on table db1.products" in text, text
    # the data itself did come back: the finding is access, not content
    assert tenant_sql(mo_server, tenant.name, ["select count(*) from db1.products"]) == [(9,)]


def test_application_login_refused_after_the_restore_is_a_mismatch(tenant: SimpleNamespace,
                                                                   mo_server: Any) -> None:
    """The login itself is refused (here: the user was dropped after T). Found in a real Airflow run,
    where an account restore to T removed a login created after T: the task died with the driver's
    raw ``OperationalError (1045)`` instead of a verdict. Now it is a MISMATCH with a sentence."""
    probe = _app(mo_server, tenant)
    t = now_after_pitr()
    tenant_sql(mo_server, tenant.name, ["delete from db1.products where id > 3", "drop user app"])
    with pytest.raises(AirflowException) as info:
        _restore(tenant, t, probe_conn_id=probe).execute(context())
    text = str(info.value)
    assert "verification MISMATCH" in text, text
    assert f"application login {tenant.name}#app cannot log in after the restore" in text, text
    assert "reads none of the" in text and "cannot read 0 restored" not in text, text
    assert APP_PASSWORD not in text
    assert tenant_sql(mo_server, tenant.name, ["select count(*) from db1.products"]) == [(9,)]


def test_application_that_reads_every_restored_table_is_verified(tenant: SimpleNamespace, mo_server: Any) -> None:
    probe = _app(mo_server, tenant)
    t = now_after_pitr()
    tenant_sql(mo_server, tenant.name, ["delete from db1.products where id > 3"])
    result = _restore(tenant, t, probe_conn_id=probe).execute(context())
    check = result["check"]
    assert check["verdict"] == "VERIFIED" and result["ok"] is True
    assert check["access"] == {"login": f"{tenant.name}#app", "tables_read": 1, "tables_unread": 0, "verdict": "VERIFIED", "reasons": []}
    assert "access_probe" in [p["phase"] for p in result["phases"]]
    assert f"application login {tenant.name}#app reads all 1 table(s)" in check["summary"]


def test_default_asset_alias_is_declared_and_can_be_turned_off(tenant: SimpleNamespace) -> None:
    t = pendulum.now("UTC")
    assert _restore(tenant, t).outlets == [AssetAlias(DEFAULT_ASSET_ALIAS)]
    assert _restore(tenant, t, asset_alias="mine").outlets == [AssetAlias("mine")]
    assert _restore(tenant, t, asset_alias=None).outlets == []
    sensor = MatrixOneRestoreVerificationSensor(task_id="v", expected_counts={"db1.products": 9})
    assert sensor.outlets == [AssetAlias(DEFAULT_ASSET_ALIAS)]
    assert MatrixOneRestoreVerificationSensor(task_id="v", expected_counts={"x.y": 1}, asset_alias="").outlets == []


def _run(dag: Any) -> Any:
    register_dag(dag)
    dr = dag.test()
    (ti,) = dr.get_task_instances()
    return ti


def test_verified_restore_emits_asset_events_by_default_and_queues_downstream(
        tenant: SimpleNamespace, mo_server: Any, airflow_db: str) -> None:
    from airflow.models.asset import AssetDagRunQueue, AssetEvent
    from airflow.sdk import DAG, Asset
    from airflow.utils.session import create_session
    from sqlalchemy import select

    _app(mo_server, tenant)
    t = now_after_pitr()
    tenant_sql(mo_server, tenant.name, ["delete from db1.products where id > 3"])
    start = pendulum.datetime(2024, 1, 1, tz="UTC")
    with DAG(dag_id=f"test_op_assets_{tenant.name}", schedule=None, start_date=start, catchup=False) as dag:
        _restore(tenant, t)  # no asset argument: the default alias
    uri = asset_uri(mo_server.host, mo_server.port, tenant.name, "db1.products")
    with DAG(dag_id=f"test_op_assets_down_{tenant.name}", schedule=[Asset(uri=uri, name=uri)], start_date=start,
             catchup=False, is_paused_upon_creation=False) as downstream:
        pass
    register_dag(downstream)
    ti = _run(dag)
    assert str(ti.state) == "success"
    result = ti.xcom_pull(task_ids="restore")
    assert result["check"]["verdict"] == "VERIFIED" and result["assets"] == [uri]
    with create_session() as session:
        events = [e for e in session.scalars(select(AssetEvent)) if e.uri == uri]
        queued = list(session.scalars(select(AssetDagRunQueue).where(
            AssetDagRunQueue.target_dag_id == downstream.dag_id)))
    assert len(events) == 1, events
    extra = events[0].extra
    assert extra["verdict"] == "VERIFIED" and extra["pitr"] == "p_db1" and extra["rows"] == 9
    assert extra["at"] == result["check"]["reference_at_utc"] == t.isoformat().replace("+00:00", "Z")
    obj = next(o for o in result["check"]["objects"] if o["table"] == "db1.products")
    assert extra["fingerprint"] == obj["actual_fingerprint"] and extra["fingerprint"]
    assert len(queued) == 1


def test_failed_access_proof_emits_no_asset_event(tenant: SimpleNamespace, mo_server: Any, airflow_db: str) -> None:
    from airflow.models.asset import AssetEvent
    from airflow.sdk import DAG
    from airflow.utils.session import create_session
    from sqlalchemy import select

    probe = _app(mo_server, tenant)
    t = now_after_pitr()
    tenant_sql(mo_server, tenant.name, ["revoke select on table db1.products from r_app"])
    with DAG(dag_id=f"test_op_no_assets_{tenant.name}", schedule=None,
             start_date=pendulum.datetime(2024, 1, 1, tz="UTC"), catchup=False) as dag:
        _restore(tenant, t, probe_conn_id=probe, retries=0)
    ti = _run(dag)
    assert str(ti.state) == "failed"
    uri = asset_uri(mo_server.host, mo_server.port, tenant.name, "db1.products")
    with create_session() as session:
        assert [e for e in session.scalars(select(AssetEvent)) if e.uri == uri] == []


# ------------------------------------------------------------------------------ snapshot restores


def _snapshot_restore(tenant: SimpleNamespace, **kw: Any) -> Any:
    from airflow_provider_matrixone.operators.snapshot import MatrixOneSnapshotRestoreOperator

    return MatrixOneSnapshotRestoreOperator(task_id="restore", matrixone_conn_id=tenant.conn_id,
                                            snapshot_name="s_db1", **kw)


def test_snapshot_restore_is_verified_and_proves_access(tenant: SimpleNamespace, mo_server: Any) -> None:
    probe = _app(mo_server, tenant)
    tenant_sql(mo_server, tenant.name, ["create snapshot s_db1 for database db1"])
    tenant_sql(mo_server, tenant.name, ["update db1.products set price = price + 1 where id = 2",
                                        "insert into db1.products (product_name, category, price, stock_quantity) "
                                        "values ('x', 'y', 1, 1)"])
    result = _snapshot_restore(tenant, probe_conn_id=probe).execute(context())
    check = result["check"]
    assert check["verdict"] == "VERIFIED", check
    assert check["access"]["verdict"] == "VERIFIED" and check["access"]["tables_read"] == 1
    obj = next(o for o in check["objects"] if o["table"] == "db1.products")
    assert obj["expected_rows"] == obj["actual_rows"] == 9 and obj["actual_fingerprint"]
    assert [p["phase"] for p in result["phases"]] == ["plan", "reference", "safety_snapshot", "restore", "check",
                                                      "access_probe"]


def test_snapshot_restore_with_application_locked_out_fails(tenant: SimpleNamespace, mo_server: Any) -> None:
    probe = _app(mo_server, tenant)
    tenant_sql(mo_server, tenant.name, ["create snapshot s_db1 for database db1",
                                        "revoke select on table db1.products from r_app"])
    with pytest.raises(AirflowException) as info:
        _snapshot_restore(tenant, probe_conn_id=probe).execute(context())
    text = str(info.value)
    assert f"application login {tenant.name}#app cannot read table db1.products" in text, text
    assert "missing privilege: SELECT on table db1.products" in text, text


def test_wrong_snapshot_restore_is_a_mismatch(tenant: SimpleNamespace, mo_server: Any) -> None:
    """matrixone_lite restores a database without its sequences, as MatrixOne v4.2.0 did (#27049)."""
    tenant_sql(mo_server, tenant.name, ["use db1", "create sequence db1.s start with 5", "select nextval('s')",
                                        "create snapshot s_db1 for database db1"])
    with pytest.raises(AirflowException) as info:
        _snapshot_restore(tenant).execute(context())
    assert "sequence db1.s existed at T and is missing now" in str(info.value), str(info.value)


def test_verified_snapshot_restore_emits_asset_events(tenant: SimpleNamespace, mo_server: Any,
                                                     airflow_db: str) -> None:
    from airflow.models.asset import AssetEvent
    from airflow.sdk import DAG
    from airflow.utils.session import create_session
    from sqlalchemy import select

    tenant_sql(mo_server, tenant.name, ["create snapshot s_db1 for database db1", "delete from db1.products"])
    with DAG(dag_id=f"test_snap_assets_{tenant.name}", schedule=None,
             start_date=pendulum.datetime(2024, 1, 1, tz="UTC"), catchup=False) as dag:
        _snapshot_restore(tenant)
    ti = _run(dag)
    assert str(ti.state) == "success"
    uri = asset_uri(mo_server.host, mo_server.port, tenant.name, "db1.products")
    assert ti.xcom_pull(task_ids="restore")["assets"] == [uri]
    with create_session() as session:
        (event,) = [e for e in session.scalars(select(AssetEvent)) if e.uri == uri]
    assert event.extra["snapshot"] == "s_db1" and event.extra["verdict"] == "VERIFIED"
    assert event.extra["rows"] == 9 and event.extra["pitr"] is None


def test_sys_restoring_a_tenant_snapshot_is_verified_through_the_tenants_login(
        tenant: SimpleNamespace, mo_server: Any, root_conn: str) -> None:
    """An account reads only its own data: sys verifies a tenant's snapshot restore through its login.

    Without one, the restore is refused before it starts (tests/operators/test_verification_fails_closed.py).
    """
    from tests.operators.support import root_sql

    root_sql(mo_server, [f"create snapshot s_acc_{tenant.name} for account {tenant.name}"])
    tenant_sql(mo_server, tenant.name, ["delete from db1.products where id > 2"])
    snap = f"s_acc_{tenant.name}"
    from airflow_provider_matrixone.operators.snapshot import MatrixOneSnapshotRestoreOperator

    verified = MatrixOneSnapshotRestoreOperator(task_id="restore", matrixone_conn_id=root_conn, snapshot_name=snap,
                                                reference_conn_id=tenant.conn_id, verify_conn_id=tenant.conn_id)
    check = verified.execute(context())["check"]
    assert check["verdict"] == "VERIFIED", check["reasons"]
    assert {o["table"] for o in check["objects"] if o["object"] == "table"} == {"db1.products", "db2.orders"}
    assert tenant_sql(mo_server, tenant.name, ["select count(*) from db1.products"]) == [(9,)]
