"""Fixtures for the sample-DAG tests: one DagBag, connections pointing at the session's server."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pendulum
import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DAGS = os.path.join(ROOT, "dags")
PASSWORD = os.environ["MO_TEST_PASSWORD"]


def conn_json(server: Any, login: str = "root", password: str = PASSWORD, **extra: Any) -> str:
    return json.dumps({"conn_type": "matrixone", "host": server.host, "port": server.port, "login": login,
                       "password": password, "extra": {"client": "pymysql", **extra}})


@pytest.fixture(scope="session")
def dagbag() -> Any:
    from airflow.dag_processing.dagbag import DagBag

    start = time.monotonic()
    bag = DagBag(dag_folder=DAGS)
    print(f"\nDagBag parse of {DAGS}: {time.monotonic() - start:.2f} s, {len(bag.dags)} DAGs")
    return bag


@pytest.fixture
def sys_conn(mo_server: Any, airflow_db: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """matrixone_default = root on the session server, marked disposable (demo: true)."""
    monkeypatch.setenv("AIRFLOW_CONN_MATRIXONE_DEFAULT", conn_json(mo_server, demo=True))
    yield mo_server


_PARAM_DEFAULTS: dict[str, dict[str, Any]] = {}


@pytest.fixture
def run_dag(dagbag: Any, sys_conn: Any) -> Callable[..., Any]:
    """Run a DAG in-process with dag.test(); returns the DagRun."""
    defaults = _PARAM_DEFAULTS

    def run(dag_id: str, conf: dict[str, Any] | None = None) -> Any:
        dag = dagbag.dags.get(dag_id)
        assert dag is not None, dagbag.import_errors
        # In-process, resolving a run's conf writes into the DAG's shared Param objects, so the
        # next dag.test() would inherit it (a worker process never does): pass every default.
        if dag_id not in defaults:
            from airflow.sdk.definitions._internal.types import NOTSET

            defaults[dag_id] = {k: dag.params.get_param(k).value for k in dag.params
                                if dag.params.get_param(k).value is not NOTSET}
        start = time.monotonic()
        dr = dag.test(run_conf=defaults[dag_id] | (conf or {}))
        print(f"dag.test({dag_id}): {dr.state} in {time.monotonic() - start:.1f} s")
        return dr

    return run


def task_states(dr: Any) -> dict[str, str]:
    return {f"{ti.task_id}[{ti.map_index}]" if ti.map_index >= 0 else ti.task_id: str(ti.state)
            for ti in dr.get_task_instances()}


def xcom(dr: Any, task_id: str, map_index: int = -1) -> Any:
    from airflow.models.xcom import XComModel
    from airflow.utils.session import create_session

    with create_session() as session:
        row = session.query(XComModel).filter_by(dag_id=dr.dag_id, run_id=dr.run_id, task_id=task_id,
                                                 map_index=map_index, key="return_value").one_or_none()
        if row is None:
            return None
        value = row.value
    return json.loads(value) if isinstance(value, str) else value


@contextmanager
def private_acc1_server(tmp_path_factory: pytest.TempPathFactory, name: str, *,
                        cluster_pitr: bool = False) -> Iterator[Any]:
    """A server of its own: acc1 with db1.t (3 rows) and its account PITR ``pitr1`` (optionally sys's
    cluster PITR ``cl``; sys may own only one), and ``srv.t``, an instant after both."""
    from matrixone_lite import LiteServer
    from tests.provider.support import TENANT_PASSWORD, sql_as

    with LiteServer(data_dir=tmp_path_factory.mktemp(name), port=0, version="4.2.0",
                    root_password=PASSWORD) as srv:
        sql_as(srv, "root", PASSWORD, [f"create account acc1 admin_name 'admin' identified by '{TENANT_PASSWORD}'",
                                       *(["create pitr cl for cluster range 1 'h'"] if cluster_pitr else [])])
        sql_as(srv, "acc1#admin", TENANT_PASSWORD, [
            "create database db1", "create table db1.t (id int primary key)", "insert into db1.t values (1), (2), (3)",
            "create pitr pitr1 for account range 1 'h'"])
        time.sleep(1.1)  # SHOW PITR shows whole seconds; T must be after the creation second
        srv.t = pendulum.now("UTC").isoformat()
        time.sleep(0.05)
        yield srv


def use_acc1_connections(server: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    """Point matrixone_default (sys) and matrixone_acc1 at ``server``."""
    from tests.provider.support import TENANT_PASSWORD

    monkeypatch.setenv("AIRFLOW_CONN_MATRIXONE_DEFAULT", conn_json(server))
    monkeypatch.setenv("AIRFLOW_CONN_MATRIXONE_ACC1", conn_json(server, login="acc1#admin", password=TENANT_PASSWORD))
    return server
