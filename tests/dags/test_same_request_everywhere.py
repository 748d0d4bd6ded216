"""Issue 12's "Done when": one request through mo-pitr, the operator and the restore DAG.

The seed guide's three restores (a whole account, a database, a table) are each run three times
against matrixone_lite over TCP, after the same incident: through the sample restore DAG
(dag.test()), through MatrixOnePITRRestoreOperator in a one-task DAG (dag.test(), a real task
context) and through ``mo-pitr pitr restore --verify --format json``. All three must give the same
plan, the same undo point (name and scope), the same SQL and the same verdicts, because all three
run the provider's one workflow (airflow_provider_matrixone.restore). The undo point's name comes
from the run key, so the operator and mo-pitr are given the DAG run's key.
"""

from __future__ import annotations

import io
import json
import time
from collections.abc import Iterator
from typing import Any

import pendulum
import pytest

from tests.dags.conftest import conn_json, task_states, xcom
from tests.provider.support import TENANT_PASSWORD, make_tenant, tenant_sql
from tests.support.dags import register_dag

ACC = "same1"
PITR = "same_p"

#: (request, the incident the restore repairs)
CASES = {
    "account": ({"level": "account", "account": ACC},
                ["delete from db1.products where id > 4", "drop table db2.orders", "create database db3"]),
    "database": ({"level": "database", "account": ACC, "database": "db2"},
                 ["delete from db2.orders where id > 1", "insert into db2.orders (product_name, quantity) "
                  "values ('late', 7)"]),
    "table": ({"level": "table", "account": ACC, "database": "db1", "table": "products"},
              ["update db1.products set stock_quantity = 0 where id = 3"]),
}


class _Pipe(io.StringIO):
    def isatty(self) -> bool:
        return False


@pytest.fixture(scope="module")
def scenario(mo_server: Any) -> Iterator[str]:
    make_tenant(mo_server, ACC)
    tenant_sql(mo_server, ACC, [f"create pitr {PITR} for account range 2 'h'"])
    time.sleep(1.1)  # SHOW PITR shows whole seconds; T must be after the creation second
    t = pendulum.now("UTC").isoformat()
    time.sleep(0.05)
    yield t


@pytest.fixture
def tenant_conn(mo_server: Any, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv(f"AIRFLOW_CONN_MATRIXONE_{ACC.upper()}",
                       conn_json(mo_server, login=f"{ACC}#admin", password=TENANT_PASSWORD))
    return f"matrixone_{ACC}"


def _drop_snapshot(server: Any, result: dict[str, Any]) -> None:
    """Each entry point takes its own undo point: drop the previous one (same name, same scope)."""
    snap = result.get("safety_snapshot")
    if snap:
        tenant_sql(server, ACC, [f"drop snapshot if exists `{snap['name']}`"])




def _via_operator(dag_id: str, conn_id: str, t: str, request: dict[str, Any], run_key: str) -> dict[str, Any]:
    from airflow.sdk import DAG

    from airflow_provider_matrixone.operators.restore import MatrixOnePITRRestoreOperator

    with DAG(dag_id, schedule=None, start_date=pendulum.datetime(2024, 1, 1, tz="UTC")) as dag:
        MatrixOnePITRRestoreOperator(task_id="restore", matrixone_conn_id=conn_id, pitr_name=PITR, timestamp=t,
                                     run_key=run_key, **request)
    register_dag(dag)
    dr = dag.test()
    assert str(dr.state) == "success", task_states(dr)
    result = xcom(dr, "restore")
    assert result is not None
    return dict(result)


def _via_cli(server: Any, capsys: pytest.CaptureFixture[str], t: str, request: dict[str, Any],
             run_key: str) -> dict[str, Any]:
    from airflow_provider_matrixone.cli.main import main

    flags = ["--account", request["account"]]
    if request.get("database"):
        flags += ["--database", request["database"]]
    if request.get("table"):
        flags += ["--table", request["table"]]
    capsys.readouterr()
    code = main(["pitr", "restore", "--pname", PITR, "--timestamp", t, *flags, "--verify", "--yes",
                 "--run-key", run_key, "--format", "json", "--host", server.host, "--port", str(server.port),
                 "--user", f"{ACC}#admin", "--password", TENANT_PASSWORD], stdin=_Pipe(""))
    out, err = capsys.readouterr()
    assert code == 0, err
    data: dict[str, Any] = json.loads(out)
    return data


def _comparable_plan(plan: dict[str, Any]) -> dict[str, Any]:
    """The plan without the one time-dependent part: the window's end is "now"."""
    pitr = {k: v for k, v in plan["pitr"].items() if k != "window"}
    return {**plan, "pitr": pitr}


@pytest.mark.parametrize("level", list(CASES))
def test_same_request_gives_the_same_plan_undo_point_sql_and_verdicts(
        level: str, run_dag: Any, tenant_conn: str, mo_server: Any, scenario: str,
        capsys: pytest.CaptureFixture[str]) -> None:
    request, incident = CASES[level]
    t = scenario

    tenant_sql(mo_server, ACC, incident)
    dr = run_dag("matrixone_pitr_restore", {"timestamp": t, "timezone": "UTC", "pitr_name": PITR, **request})
    assert str(dr.state) == "success", task_states(dr)
    dag_result = xcom(dr, "restore")
    run_key = f"{dr.dag_id}/restore/{dr.run_id}/-1"  # what the DAG's operator derived
    assert xcom(dr, "plan")["undo"] == dag_result["undo"]  # the plan (and approval) announce the undo point taken
    _drop_snapshot(mo_server, dag_result)

    tenant_sql(mo_server, ACC, incident)
    op_result = _via_operator(f"same_request_{level}", tenant_conn, t, request, run_key)
    _drop_snapshot(mo_server, op_result)

    tenant_sql(mo_server, ACC, incident)
    cli = _via_cli(mo_server, capsys, t, request, run_key)
    tenant_sql(mo_server, ACC, [f"drop snapshot if exists `{cli['undo']['name']}`"] if cli["undo"]["name"] else [])

    results = {"dag": dag_result, "operator": op_result}
    for name, r in results.items():
        assert r["sql"] == cli["sql"], name
        assert _comparable_plan(r["plan"]) == _comparable_plan(cli["plan"]), name
        assert r["undo"] == cli["undo"], name
        assert r["check"]["verdict"] == cli["verification"]["verdict"] == "VERIFIED", name
        assert r["check"]["objects"] == cli["verification"]["objects"], name
    # the plan really saw the incident, and the undo point covers exactly the restored scope
    assert cli["plan"]["tables"], cli["plan"]
    scope = {k: v for k, v in cli["undo"]["scope"].items() if v is not None}
    expected = {"level": level, **({"database": request["database"]} if level != "account" else {}),
                **({"table": request["table"]} if level == "table" else {})}
    assert {k: v for k, v in scope.items() if k != "account"} == expected
    assert cli["undo"]["name"].startswith("mo_safety_")
    assert {o["verdict"] for o in cli["verification"]["objects"]} == {"VERIFIED"}
