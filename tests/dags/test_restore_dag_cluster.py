"""matrixone_pitr_restore at cluster level, on a private server (a cluster restore rewinds every
account, and sys may own only one cluster-level PITR)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pendulum
import pytest

from tests.dags.conftest import PASSWORD, conn_json, task_states, xcom
from tests.provider.support import sql_as


@pytest.fixture(scope="module")
def cluster_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from matrixone_lite import LiteServer

    with LiteServer(data_dir=tmp_path_factory.mktemp("mo-cluster"), port=0, version="4.2.0",
                    timezone="Asia/Shanghai", root_password=PASSWORD) as srv:
        yield srv


def _root(server: Any, statements: list[str]) -> list:
    return sql_as(server, "root", PASSWORD, statements)


def test_cluster_restore_rewinds_sys_data_and_accounts(run_dag: Any, cluster_server: Any,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    server = cluster_server
    _root(server, ["create database ops", "create table ops.jobs (id int primary key, name varchar(20))",
                   "insert into ops.jobs values (1, 'a'), (2, 'b'), (3, 'c')",
                   "create pitr cl for cluster range 1 'h'"])
    time.sleep(1.1)
    t = pendulum.now("UTC").isoformat()
    time.sleep(0.05)
    _root(server, ["delete from ops.jobs where id > 1", "create account late admin_name 'a' identified by 'late-pw1'"])
    monkeypatch.setenv("AIRFLOW_CONN_MATRIXONE_DEFAULT", conn_json(server))
    dr = run_dag("matrixone_pitr_restore", {"timestamp": t, "level": "cluster", "safety_snapshot": False})
    assert str(dr.state) == "success", task_states(dr)
    assert xcom(dr, "plan")["sql"].startswith("RESTORE CLUSTER FROM PITR `cl`")
    assert _root(server, ["select count(*) from ops.jobs"])[0][0] == 3
    assert "late" not in [r[0] for r in _root(server, ["show accounts"])]
    assert {v["verdict"] for v in xcom(dr, "report")["verdicts"]} == {"VERIFIED"}
