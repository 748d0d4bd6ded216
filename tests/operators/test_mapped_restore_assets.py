"""Restore operators used through dynamic task mapping keep their verified-restore assets (issue 13, point 6).

``MatrixOnePITRRestoreOperator.partial(...).expand(table=[...])`` (one restore per table) or a
snapshot restore mapped over snapshots: each mapped instance restores, verifies and emits events
for *its own* scope only, on the default ``AssetAlias("matrixone_verified_restore")``.

Found while writing these tests: the operators declared the alias in ``__init__``, which Airflow
does not call for a mapped task when the DAG is parsed (only later, when each instance is
unmapped to run). The serialized DAG so showed a mapped restore with no outlet at all (no alias in
the DAG's asset graph, no ``AssetAliasModel`` from parsing), although the instances emitted on it
at runtime. The operators now declare it in ``partial()`` too (``operators/_assets.py``).

Everything runs for real: ``dag.test()`` against the session's matrixone_lite over TCP.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pendulum
import pytest
from airflow.sdk import AssetAlias

from airflow_provider_matrixone.operators.restore import MatrixOnePITRRestoreOperator
from airflow_provider_matrixone.operators.snapshot import MatrixOneSnapshotRestoreOperator
from airflow_provider_matrixone.proof.assets import DEFAULT_ASSET_ALIAS, asset_uri
from airflow_provider_matrixone.sensors.restore import MatrixOneRestoreVerificationSensor
from tests.operators.support import now_after_pitr, tenant_sql
from tests.support.dags import register_dag

START = pendulum.datetime(2024, 1, 1, tz="UTC")
TABLES = ["products", "extra"]


def _two_tables_of_db1(server: Any, tenant: SimpleNamespace) -> pendulum.DateTime:
    """db1.products (9 rows, seed) and db1.extra (3 rows) under a PITR of db1; returns T, then damages both."""
    tenant_sql(server, tenant.name, ["create table db1.extra (id int primary key, v varchar(10))",
                                     "insert into db1.extra values (1, 'a'), (2, 'b'), (3, 'c')",
                                     "create pitr p_db1 for database db1 range 1 'd'"])
    t = now_after_pitr()
    tenant_sql(server, tenant.name, ["delete from db1.products where id > 3",
                                     "update db1.extra set v = 'damaged' where id = 2",
                                     "delete from db1.extra where id = 3"])
    return t


def _mapped_pitr_restore(tenant: SimpleNamespace, t: pendulum.DateTime, **partial: Any) -> Any:
    return MatrixOnePITRRestoreOperator.partial(
        task_id="restore", matrixone_conn_id=tenant.conn_id, pitr_name="p_db1", timestamp=t.isoformat(),
        level="table", database="db1", **partial).expand(table=TABLES)


def _parsed_aliases(dag_id: str) -> list[str]:
    """Aliases the parsed (serialized) DAG produces, as the scheduler and the UI's asset graph see them."""
    from airflow.models.serialized_dag import SerializedDagModel
    from airflow.utils.session import create_session

    with create_session() as session:
        deps = SerializedDagModel.get_dag_dependencies(session=session).get(dag_id, [])
    return sorted({d.dependency_id for d in deps if d.dependency_type == "asset-alias" and d.source == dag_id})


def _events_of(dag_id: str) -> list[SimpleNamespace]:
    """The asset events a DAG's tasks emitted, read while the session is open."""
    from airflow.models.asset import AssetEvent
    from airflow.utils.session import create_session
    from sqlalchemy import select

    with create_session() as session:
        return [SimpleNamespace(uri=e.uri, extra=e.extra, source_task_id=e.source_task_id,
                                source_map_index=e.source_map_index,
                                alias_names=sorted(a.name for a in e.source_aliases))
                for e in session.scalars(select(AssetEvent).where(AssetEvent.source_dag_id == dag_id))]


def _queued_runs(dag_id: str) -> int:
    from airflow.models.asset import AssetDagRunQueue
    from airflow.utils.session import create_session
    from sqlalchemy import select

    with create_session() as session:
        return len(list(session.scalars(select(AssetDagRunQueue).where(AssetDagRunQueue.target_dag_id == dag_id))))


def _run(dag: Any) -> dict[int, Any]:
    """``dag.test()``; the mapped task's instances by map index."""
    register_dag(dag)
    run = dag.test()
    return {ti.map_index: ti for ti in run.get_task_instances() if ti.task_id == "restore"}


def test_mapped_pitr_restore_emits_each_tables_event_from_its_own_instance(
        tenant: SimpleNamespace, mo_server: Any, airflow_db: str) -> None:
    from airflow.sdk import DAG, Asset

    t = _two_tables_of_db1(mo_server, tenant)
    uris = [asset_uri(mo_server.host, mo_server.port, tenant.name, f"db1.{name}") for name in TABLES]
    with DAG(dag_id=f"test_mapped_restore_{tenant.name}", schedule=None, start_date=START, catchup=False) as dag:
        _mapped_pitr_restore(tenant, t)  # no asset argument: the default alias
    with DAG(dag_id=f"test_mapped_restore_down_{tenant.name}", schedule=[Asset(uri=uris[0], name=uris[0])],
             start_date=START, catchup=False, is_paused_upon_creation=False) as downstream:
        pass
    register_dag(downstream)
    # declared when the DAG is parsed, before any instance runs (failed before: [] for a mapped task)
    assert dag.get_task("restore").outlets == [AssetAlias(DEFAULT_ASSET_ALIAS)]
    tis = _run(dag)
    assert _parsed_aliases(dag.dag_id) == [DEFAULT_ASSET_ALIAS]

    assert sorted(tis) == [0, 1] and all(str(ti.state) == "success" for ti in tis.values())
    events = _events_of(dag.dag_id)
    assert sorted(e.source_map_index for e in events) == [0, 1], [(e.uri, e.source_map_index) for e in events]
    for index, (name, uri) in enumerate(zip(TABLES, uris, strict=True)):
        result = tis[index].xcom_pull(task_ids="restore", map_indexes=index)
        check = result["check"]
        assert check["verdict"] == "VERIFIED" and result["ok"] is True, check
        # this instance restored and proved its own table, and emitted for it alone
        assert [o["table"] for o in check["objects"] if o["object"] == "table"] == [f"db1.{name}"]
        assert result["assets"] == [uri]
        (event,) = [e for e in events if e.source_map_index == index]
        assert event.uri == uri and event.source_task_id == "restore" and event.alias_names == [DEFAULT_ASSET_ALIAS]
        (obj,) = [o for o in check["objects"] if o["object"] == "table"]
        assert event.extra == {"at": t.isoformat().replace("+00:00", "Z"), "pitr": "p_db1",
                               "rows": obj["actual_rows"], "fingerprint": obj["actual_fingerprint"],
                               "verdict": "VERIFIED", "table": f"db1.{name}", "account": tenant.name}
        assert obj["expected_rows"] == obj["actual_rows"] and obj["actual_fingerprint"]
    assert [e.extra["rows"] for e in sorted(events, key=lambda e: e.source_map_index)] == [9, 3]
    assert _queued_runs(downstream.dag_id) == 1
    # the damage is undone, table by table
    assert tenant_sql(mo_server, tenant.name, ["select count(*) from db1.products"]) == [(9,)]
    assert tenant_sql(mo_server, tenant.name, ["select id, v from db1.extra order by id"]) == [
        (1, "a"), (2, "b"), (3, "c")]


def test_mapped_pitr_restore_with_asset_alias_none_emits_nothing(
        tenant: SimpleNamespace, mo_server: Any, airflow_db: str) -> None:
    from airflow.sdk import DAG, Asset

    t = _two_tables_of_db1(mo_server, tenant)
    uri = asset_uri(mo_server.host, mo_server.port, tenant.name, "db1.products")
    with DAG(dag_id=f"test_mapped_no_alias_{tenant.name}", schedule=None, start_date=START, catchup=False) as dag:
        _mapped_pitr_restore(tenant, t, asset_alias=None)
    with DAG(dag_id=f"test_mapped_no_alias_down_{tenant.name}", schedule=[Asset(uri=uri, name=uri)],
             start_date=START, catchup=False, is_paused_upon_creation=False) as downstream:
        pass
    register_dag(downstream)
    assert dag.get_task("restore").outlets == []
    tis = _run(dag)
    assert _parsed_aliases(dag.dag_id) == []
    assert sorted(tis) == [0, 1] and all(str(ti.state) == "success" for ti in tis.values())
    for index, ti in tis.items():
        result = ti.xcom_pull(task_ids="restore", map_indexes=index)
        assert result["check"]["verdict"] == "VERIFIED" and "assets" not in result
    assert _events_of(dag.dag_id) == []
    assert _queued_runs(downstream.dag_id) == 0


def test_mapped_snapshot_restore_over_two_databases(tenant: SimpleNamespace, mo_server: Any,
                                                    airflow_db: str) -> None:
    """One snapshot restore per database (db1, db2), mapped over the snapshot names, a custom alias."""
    from airflow.sdk import DAG

    tenant_sql(mo_server, tenant.name, ["create snapshot s_db1 for database db1",
                                        "create snapshot s_db2 for database db2"])
    tenant_sql(mo_server, tenant.name, ["delete from db1.products where id > 5", "delete from db2.orders"])
    with DAG(dag_id=f"test_mapped_snap_{tenant.name}", schedule=None, start_date=START, catchup=False) as dag:
        MatrixOneSnapshotRestoreOperator.partial(task_id="restore", matrixone_conn_id=tenant.conn_id,
                                                 asset_alias="per_db").expand(snapshot_name=["s_db1", "s_db2"])
    tis = _run(dag)
    assert _parsed_aliases(dag.dag_id) == ["per_db"]
    assert sorted(tis) == [0, 1] and all(str(ti.state) == "success" for ti in tis.values())
    expected = {0: ("s_db1", "db1.products", 9), 1: ("s_db2", "db2.orders", 3)}
    events = _events_of(dag.dag_id)
    assert sorted(e.source_map_index for e in events) == [0, 1]
    for index, (snapshot, table, rows) in expected.items():
        uri = asset_uri(mo_server.host, mo_server.port, tenant.name, table)
        assert tis[index].xcom_pull(task_ids="restore", map_indexes=index)["assets"] == [uri]
        (event,) = [e for e in events if e.source_map_index == index]
        assert event.uri == uri and event.alias_names == ["per_db"]
        assert event.extra["snapshot"] == snapshot and event.extra["pitr"] is None
        assert event.extra["rows"] == rows and event.extra["table"] == table and event.extra["verdict"] == "VERIFIED"


def test_mapped_sensor_and_default_args_declare_the_alias_when_parsed() -> None:
    """The verification sensor takes the same route (its mapped runs: the last test here), and an
    ``asset_alias`` in ``default_args`` is what a mapped task declares, as ``__init__`` would get it."""
    from airflow.sdk import DAG

    with DAG(dag_id="test_mapped_sensor_alias", schedule=None, start_date=START, catchup=False) as dag:
        MatrixOneRestoreVerificationSensor.partial(task_id="default").expand(expected_counts=[{"db1.t": 1}])
        MatrixOneRestoreVerificationSensor.partial(task_id="off", asset_alias="").expand(
            expected_counts=[{"db1.t": 1}])
        MatrixOnePITRRestoreOperator.partial(task_id="own_defaults", pitr_name="p", timestamp="x", level="table",
                                             database="db1", default_args={"asset_alias": "mine"},
                                             outlets=[AssetAlias("other")]).expand(table=TABLES)
    assert dag.get_task("default").outlets == [AssetAlias(DEFAULT_ASSET_ALIAS)]
    assert dag.get_task("off").outlets == []
    assert dag.get_task("own_defaults").outlets == [AssetAlias("other"), AssetAlias("mine")]
    # what each instance runs with: the same outlets, once, and the alias it emits on
    instance = dag.get_task("own_defaults").unmap({"table": "products"})
    assert instance.outlets == [AssetAlias("other"), AssetAlias("mine")] and instance.asset_alias == "mine"
    with DAG(dag_id="test_mapped_dag_defaults", schedule=None, start_date=START, catchup=False,
             default_args={"asset_alias": None}) as quiet:
        MatrixOnePITRRestoreOperator.partial(task_id="restore", pitr_name="p", timestamp="x", level="table",
                                             database="db1").expand(table=TABLES)
    assert quiet.get_task("restore").outlets == []
    assert quiet.get_task("restore").unmap({"table": "products"}).asset_alias is None


def test_mapping_the_alias_itself_is_refused_when_parsed() -> None:
    """Outlets are fixed when the DAG is parsed: an alias per instance cannot be declared."""
    from airflow.sdk import DAG

    with DAG(dag_id="test_mapped_alias_refused", schedule=None, start_date=START, catchup=False):
        partial = MatrixOnePITRRestoreOperator.partial(task_id="restore", pitr_name="p", timestamp="x",
                                                       level="table", database="db1", table="products")
        with pytest.raises(TypeError, match="asset_alias"):
            partial.expand(asset_alias=["a", "b"])


def test_mapped_sensor_runs_verify_and_emit_each_databases_events(tenant: SimpleNamespace, mo_server: Any,
                                                                 airflow_db: str) -> None:
    """The verification sensor mapped over databases, run with ``dag.test()``: each instance proves its
    own database at T and emits events for that database's tables only, from its own map index."""
    from airflow.sdk import DAG

    tenant_sql(mo_server, tenant.name, ["create pitr p_acc for account range 1 'd'"])
    t = now_after_pitr()
    with DAG(dag_id=f"test_mapped_sensor_{tenant.name}", schedule=None, start_date=START, catchup=False) as dag:
        MatrixOneRestoreVerificationSensor.partial(
            task_id="verify", matrixone_conn_id=tenant.conn_id, reference_timestamp=t.isoformat(), level="database",
            pitr_name="p_acc", timeout=5, poke_interval=1).expand(database=["db1", "db2"])
    register_dag(dag)
    run = dag.test()
    tis = {ti.map_index: ti for ti in run.get_task_instances() if ti.task_id == "verify"}
    assert sorted(tis) == [0, 1] and all(str(ti.state) == "success" for ti in tis.values())
    events = _events_of(dag.dag_id)
    own = {0: "db1", 1: "db2"}
    for index, db in own.items():
        report = tis[index].xcom_pull(task_ids="verify", map_indexes=index)
        assert report["verdict"] == "VERIFIED", report
        tables = sorted(r["table"] for r in report["tables"])
        assert tables and all(name.startswith(f"{db}.") for name in tables)
        mine = sorted(e.uri for e in events if e.source_map_index == index)
        assert mine == sorted(asset_uri(mo_server.host, mo_server.port, tenant.name, name) for name in tables)
        assert all(e.alias_names == [DEFAULT_ASSET_ALIAS] and e.extra["pitr"] == "p_acc"
                   for e in events if e.source_map_index == index)
    assert len(events) == sum(len(tis[i].xcom_pull(task_ids="verify", map_indexes=i)["tables"]) for i in own)
