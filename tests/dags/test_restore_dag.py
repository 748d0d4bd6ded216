"""matrixone_pitr_restore through dag.test() against matrixone_lite: every level, beside, dry run,
and invalid parameters refused before any SQL reaches the server."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pendulum
import pytest

from tests.dags.conftest import conn_json, task_states, xcom
from tests.provider.support import TENANT_PASSWORD, make_tenant, root_sql, tenant_sql

ACC = "rdag"
BESIDE = "rdag_copy"


@pytest.fixture(scope="module")
def scenario(mo_server: Any) -> Iterator[dict[str, Any]]:
    """A tenant with the seed data, a sys-created and a tenant-created PITR, and T (UTC)."""
    make_tenant(mo_server, ACC)
    root_sql(mo_server, ["drop pitr if exists rdag_sys", f"create pitr rdag_sys for account {ACC} range 2 'h'",
                         f"drop account if exists {BESIDE}",
                         f"create account {BESIDE} admin_name 'admin' identified by '{TENANT_PASSWORD}'"])
    tenant_sql(mo_server, ACC, ["create pitr rdag_own for account range 2 'h'"])
    time.sleep(1.1)  # SHOW PITR shows whole seconds; T must be after the creation second
    t = pendulum.now("UTC")
    time.sleep(0.05)
    yield {"t": t.isoformat()}
    snapshots = [r[0] for r in root_sql(mo_server, ["show snapshots"]) if r[3] in (ACC, BESIDE)]
    root_sql(mo_server, [f"drop snapshot if exists `{name}`" for name in snapshots]
             + [f"drop account if exists {BESIDE}", f"drop account if exists {ACC}", "drop pitr if exists rdag_sys"])


@pytest.fixture
def tenant_conns(mo_server: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    for account in (ACC, BESIDE):
        monkeypatch.setenv(f"AIRFLOW_CONN_MATRIXONE_{account.upper()}",
                           conn_json(mo_server, login=f"{account}#admin", password=TENANT_PASSWORD))


def _dbs(server: Any, account: str) -> set[str]:
    return {r[0] for r in tenant_sql(server, account, ["show databases"])}


def test_account_level_restore_through_sys_pitr(run_dag: Any, tenant_conns: None, mo_server: Any,
                                                scenario: dict[str, Any]) -> None:
    tenant_sql(mo_server, ACC, ["drop database db1", "create database after_t"])
    # named: unnamed, the tenant's own rdag_own wins the tie (see test_unnamed_account_restore_...)
    dr = run_dag("matrixone_pitr_restore", {"timestamp": scenario["t"], "level": "account", "account": ACC,
                                            "pitr_name": "rdag_sys"})
    assert str(dr.state) == "success", task_states(dr)
    plan = xcom(dr, "plan")
    assert plan["sql"].startswith(f"RESTORE ACCOUNT `{ACC}` FROM PITR `rdag_sys`")
    assert plan["restore_as"] == "sys"
    assert {"db1", "db2"} <= _dbs(mo_server, ACC) and "after_t" not in _dbs(mo_server, ACC)
    report = xcom(dr, "report")
    assert {v["verdict"] for v in report["verdicts"]} == {"VERIFIED"}
    assert {v["table"] for v in report["verdicts"]} == {"db1.products", "db2.orders"}
    snapshot = xcom(dr, "report")["safety_snapshot"]
    assert snapshot and snapshot in [r[0] for r in root_sql(mo_server, ["show snapshots"])]


def test_account_level_restore_with_the_tenants_own_pitr(run_dag: Any, tenant_conns: None, mo_server: Any,
                                                          scenario: dict[str, Any]) -> None:
    """The guide's acc1 case: the tenant admin restores its own account from its own PITR."""
    tenant_sql(mo_server, ACC, ["drop database db2"])
    dr = run_dag("matrixone_pitr_restore", {"timestamp": scenario["t"], "level": "account", "account": ACC,
                                            "pitr_name": "rdag_own", "safety_snapshot": False})
    assert str(dr.state) == "success", task_states(dr)
    plan = xcom(dr, "plan")
    assert plan["sql"].startswith("RESTORE FROM PITR `rdag_own`") and plan["restore_as"] == ACC
    assert tenant_sql(mo_server, ACC, ["select count(*) from db2.orders"])[0][0] == 3


def test_database_level_restore_as_tenant(run_dag: Any, tenant_conns: None, mo_server: Any,
                                          scenario: dict[str, Any]) -> None:
    tenant_sql(mo_server, ACC, ["drop database db1"])
    t_shanghai = pendulum.parse(scenario["t"]).in_timezone("Asia/Shanghai").strftime("%Y-%m-%d %H:%M:%S.%f")
    dr = run_dag("matrixone_pitr_restore", {"timestamp": t_shanghai, "timezone": "Asia/Shanghai",
                                            "level": "database", "account": ACC, "database": "db1",
                                            "fingerprint": True})
    assert str(dr.state) == "success", task_states(dr)
    plan = xcom(dr, "plan")
    assert plan["sql"].startswith("RESTORE DATABASE `db1` FROM PITR `rdag_own`")
    assert plan["restore_as"] == ACC
    assert tenant_sql(mo_server, ACC, ["select count(*) from db1.products"])[0][0] == 9
    assert all(v["detail"] == "counts, columns and content match" for v in xcom(dr, "report")["verdicts"])


def test_table_level_restore(run_dag: Any, tenant_conns: None, mo_server: Any, scenario: dict[str, Any]) -> None:
    tenant_sql(mo_server, ACC, ["truncate table db2.orders"])
    dr = run_dag("matrixone_pitr_restore", {"timestamp": scenario["t"], "level": "table", "account": ACC,
                                            "database": "db2", "table": "orders", "pitr_name": "rdag_own"})
    assert str(dr.state) == "success", task_states(dr)
    assert xcom(dr, "plan")["sql"].startswith("RESTORE DATABASE `db2` TABLE `orders` FROM PITR `rdag_own`")
    rows = tenant_sql(mo_server, ACC, ["select id from db2.orders order by id"])
    assert [r[0] for r in rows] == [1, 2, 3]


def test_restore_beside_into_another_account(run_dag: Any, tenant_conns: None, mo_server: Any,
                                             scenario: dict[str, Any]) -> None:
    dr = run_dag("matrixone_pitr_restore", {"timestamp": scenario["t"], "level": "account", "account": ACC,
                                            "target_account": BESIDE, "safety_snapshot": False})
    assert str(dr.state) == "success", task_states(dr)
    assert xcom(dr, "plan")["sql"].startswith(f"RESTORE ACCOUNT `{BESIDE}` FROM PITR `rdag_sys`")
    assert {"db1", "db2"} <= _dbs(mo_server, BESIDE)
    assert tenant_sql(mo_server, BESIDE, ["select count(*) from db2.orders"])[0][0] == 3


def test_dry_run_changes_nothing(run_dag: Any, tenant_conns: None, mo_server: Any,
                                 scenario: dict[str, Any]) -> None:
    tenant_sql(mo_server, ACC, ["drop database db1"])
    before = len(mo_server.statement_log.mutating())
    dr = run_dag("matrixone_pitr_restore", {"timestamp": scenario["t"], "level": "account", "account": ACC,
                                            "dry_run": True})
    assert str(dr.state) == "success", task_states(dr)
    states = task_states(dr)
    assert states["restore"] == "skipped" and states["verify"] == "skipped"
    assert mo_server.statement_log.mutating()[before:] == []
    assert "db1" not in _dbs(mo_server, ACC)
    # unnamed: sys's rdag_sys and the tenant's rdag_own are equally specific; the account's own wins
    assert xcom(dr, "plan")["sql"].startswith("RESTORE FROM PITR `rdag_own`")
    assert xcom(dr, "plan")["restore_as"] == ACC
    # the dry run shows what the restore would do: db1 (dropped after T) comes back
    actions = {(t["database"], t["action"]) for t in xcom(dr, "plan")["plan"]["tables"]}
    assert ("db1", "recreate") in actions
    assert xcom(dr, "plan")["plan"]["sql"] == xcom(dr, "plan")["sql"]


@pytest.mark.parametrize(
    "conf",
    [
        {"timestamp": "2024-10-28 17:30:00", "level": "table", "database": "db2", "table": "orders`; drop database db2; --"},
        {"timestamp": "2024-10-28 17:30:00", "level": "schema"},
        {"timestamp": "2024-10-28 17:30:00", "timezone": "Mars/Olympus'"},
    ],
    ids=["hostile-table", "unknown-level", "bad-zone"],
)
def test_invalid_params_fail_before_any_sql(run_dag: Any, mo_server: Any, conf: dict[str, Any]) -> None:
    before = len(mo_server.statement_log.entries)
    with pytest.raises(Exception, match="(?i)valid|pattern|enum|not one of|does not match"):
        run_dag("matrixone_pitr_restore", conf)
    assert mo_server.statement_log.entries[before:] == []


def test_missing_timestamp_is_refused(run_dag: Any, mo_server: Any) -> None:
    before = len(mo_server.statement_log.entries)
    with pytest.raises(Exception, match="(?i)timestamp|required|valid"):
        run_dag("matrixone_pitr_restore", {"level": "account"})
    assert mo_server.statement_log.entries[before:] == []


@pytest.mark.parametrize(
    "params",
    [
        {"timestamp": "2024-10-28 17:30:00", "level": "table", "database": "db2", "table": "orders`; drop"},
        {"timestamp": "2024-10-28 17:30:00", "level": "database", "database": "db 1"},
        {"timestamp": "2024-10-28 17:30:00", "level": "table", "database": "db2"},
        {"timestamp": "2024-10-28 17:30:00", "level": "database", "database": "db1", "target_account": "x"},
        {"timestamp": "2024-10-28 17:30:00", "level": "cluster", "account": "acc1"},
        {"timestamp": "2024-13-28 17:30:00"},
        {"timestamp": "2024-10-28 17:30:00", "safety_snapshot": "maybe"},
    ],
)
def test_plan_revalidates_params_without_the_form(params: dict[str, Any]) -> None:
    """The plan task's own check (no I/O) refuses what the form would, even if the form is bypassed."""
    from airflow_provider_matrixone.pitr.errors import InvalidInput
    from dags.matrixone_dag_support import restore_request  # noqa: PLC0415

    with pytest.raises(InvalidInput):
        restore_request.parse(params)


def test_cli_trigger_validates_conf(run_dag: Any, tenant_conns: None, mo_server: Any,
                                    scenario: dict[str, Any]) -> None:
    """`airflow dags trigger --conf` enforces the same schema (the DAG is in the DB after a dry run)."""
    import json  # noqa: PLC0415
    import subprocess  # noqa: PLC0415
    import sys  # noqa: PLC0415
    from pathlib import Path  # noqa: PLC0415

    dr = run_dag("matrixone_pitr_restore", {"timestamp": scenario["t"], "level": "account", "account": ACC,
                                            "dry_run": True})
    assert str(dr.state) == "success", task_states(dr)
    airflow = str(Path(sys.executable).parent / "airflow")
    before = len(mo_server.statement_log.entries)
    bad = subprocess.run([airflow, "dags", "trigger", "matrixone_pitr_restore", "--conf",
                          json.dumps({"timestamp": "2024-10-28 17:30:00", "level": "schema"})],
                         capture_output=True, text=True, timeout=120, check=False)
    assert bad.returncode != 0
    assert "schema" in bad.stdout + bad.stderr
    # the guide's stray space is accepted like mo-pitr accepts it (the plan task normalises it)
    good = subprocess.run([airflow, "dags", "trigger", "matrixone_pitr_restore", "-o", "json", "--conf",
                           json.dumps({"timestamp": "2024-10-28 17:30: 00", "timezone": "Asia/Shanghai",
                                       "level": "table", "account": "acc2", "database": "db2", "table": "orders"})],
                          capture_output=True, text=True, timeout=120, check=False)
    assert good.returncode == 0, good.stderr[-2000:]
    run = json.loads(good.stdout[good.stdout.index("[{"):].splitlines()[0])[0]
    assert run["state"] == "queued" and run["logical_date"] is None and run["conf"]["table"] == "orders"
    assert mo_server.statement_log.entries[before:] == []  # triggering sends nothing to MatrixOne
    from airflow.models.dagrun import DagRun  # noqa: PLC0415
    from airflow.utils.session import create_session  # noqa: PLC0415

    with create_session() as session:  # no scheduler here: drop the queued run so later runs start clean
        session.query(DagRun).filter_by(dag_id="matrixone_pitr_restore", run_id=run["dag_run_id"]).delete()


def test_plan_resolves_timestamps_in_the_requested_zone() -> None:
    from zoneinfo import ZoneInfo  # noqa: PLC0415

    from dags.matrixone_dag_support import restore_request  # noqa: PLC0415

    shanghai = restore_request.parse({"timestamp": "2024-10-28 17:30:00", "timezone": "Asia/Shanghai"})
    assert shanghai.instant.isoformat() == "2024-10-28T09:30:00+00:00"
    assert restore_request.parse({"timestamp": "2024-10-28 17:30:00"}).instant.isoformat() == "2024-10-28T17:30:00+00:00"
    server = restore_request.parse({"timestamp": "2024-10-28 17:30:00", "timezone": "server"},
                                   server_zone=ZoneInfo("America/New_York"))
    assert server.instant.isoformat() == "2024-10-28T21:30:00+00:00"
    explicit = restore_request.parse({"timestamp": "2024-10-28T17:30:00+08:00", "timezone": "Europe/Paris"})
    assert explicit.instant.isoformat() == "2024-10-28T09:30:00+00:00"  # an offset wins over the zone param
    assert restore_request.parse({"timestamp": "1730107800000000000"}).instant.isoformat() == "2024-10-28T09:30:00+00:00"


def test_unknown_pitr_fails_in_plan_without_changes(run_dag: Any, tenant_conns: None, mo_server: Any,
                                                    scenario: dict[str, Any]) -> None:
    before = len(mo_server.statement_log.mutating())
    dr = run_dag("matrixone_pitr_restore", {"timestamp": scenario["t"], "level": "database", "account": ACC,
                                            "database": "db1", "pitr_name": "no_such_pitr"})
    states = task_states(dr)
    assert str(dr.state) == "failed" and states["plan"] == "failed", states
    assert states["restore"] == "upstream_failed"
    assert mo_server.statement_log.mutating()[before:] == []


def test_verified_restore_announces_each_table_once_and_proves_access(
        run_dag: Any, tenant_conns: None, mo_server: Any, scenario: dict[str, Any],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The sample DAG's new verdict lines: the access proof (probe_conn_id) and one asset event per table."""
    from airflow.models.asset import AssetEvent
    from airflow.utils.session import create_session
    from sqlalchemy import select

    from airflow_provider_matrixone.proof.assets import asset_uri

    tenant_sql(mo_server, ACC, ["drop user if exists rdag_app", "drop role if exists r_rdag",
                                "create role r_rdag", "grant select on table db2.orders to r_rdag",
                                "create user rdag_app identified by 'pw-rdag-app-1' default role r_rdag"])
    monkeypatch.setenv("AIRFLOW_CONN_MATRIXONE_RDAG_APP",
                       conn_json(mo_server, login=f"{ACC}#rdag_app", password="pw-rdag-app-1"))
    tenant_sql(mo_server, ACC, ["delete from db2.orders where id = 1"])
    uri = asset_uri(mo_server.host, mo_server.port, ACC, "db2.orders")
    with create_session() as session:
        before = len([e for e in session.scalars(select(AssetEvent)) if e.uri == uri])
    dr = run_dag("matrixone_pitr_restore", {"timestamp": scenario["t"], "level": "table", "account": ACC,
                                            "database": "db2", "table": "orders", "pitr_name": "rdag_own",
                                            "safety_snapshot": False, "probe_conn_id": "matrixone_rdag_app"})
    assert str(dr.state) == "success", task_states(dr)
    text = xcom(dr, "report")["report"]
    assert f"Access proof: VERIFIED: login {ACC}#rdag_app read 1 restored table(s)" in text, text
    assert "Asset events: 1 on alias matrixone_verified_restore" in text, text
    assert xcom(dr, "verify")["assets"] == [uri]
    with create_session() as session:
        events = [e for e in session.scalars(select(AssetEvent)) if e.uri == uri]
    assert len(events) == before + 1  # the verify task's event only: the restore task emits none here
    assert events[-1].extra["verdict"] == "VERIFIED" and events[-1].extra["pitr"] == "rdag_own"
