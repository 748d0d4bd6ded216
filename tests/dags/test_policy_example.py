"""The policy DAG's documented example (docs/dags/policy.md) runs clean on a server set up like the
guide: its cluster entry adopts the guide's `pitr1` instead of colliding with it (issue 12)."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from dags.matrixone_dag_support import seed
from tests.dags.conftest import PASSWORD, ROOT, conn_json, task_states, xcom
from tests.provider.support import TENANT_PASSWORD, sql_as


def documented_policy() -> list[dict[str, Any]]:
    text = (Path(ROOT) / "docs" / "dags" / "policy.md").read_text()
    match = re.search(r"airflow variables set matrixone_pitr_policies '(\[.*?\])'", text, re.S)
    assert match, "the documented example is gone from docs/dags/policy.md"
    return json.loads(match.group(1))


@pytest.fixture(scope="module")
def guide_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """acc1 and acc2 with the guide's data; pitr1 (cluster, sys), pitr2/pitr3 (each tenant's own)."""
    from matrixone_lite import LiteServer

    with LiteServer(data_dir=tmp_path_factory.mktemp("mo-guide"), port=0, version="4.2.0",
                    root_password=PASSWORD) as srv:
        for account in ("acc1", "acc2"):
            sql_as(srv, "root", PASSWORD,
                   [f"create account {account} admin_name 'admin' identified by '{TENANT_PASSWORD}'"])
            sql_as(srv, f"{account}#admin", TENANT_PASSWORD, seed.data_statements(account))
        for name, level, creator, value, unit in seed.PITRS:
            target = "cluster" if level == "cluster" else "account"
            if creator == "sys":
                sql_as(srv, "root", PASSWORD, [f"create pitr {name} for {target} range {value} '{unit}'"])
            else:
                sql_as(srv, f"{creator}#admin", TENANT_PASSWORD,
                       [f"create pitr {name} for {target} range {value} '{unit}'"])
        time.sleep(0.05)
        yield srv


def test_documented_policy_example_first_run_succeeds(run_dag: Any, guide_server: Any,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    policy = documented_policy()
    assert any(e["level"] == "cluster" for e in policy)
    monkeypatch.setenv("AIRFLOW_VAR_MATRIXONE_PITR_POLICIES", json.dumps(policy))
    monkeypatch.setenv("AIRFLOW_CONN_MATRIXONE_DEFAULT", conn_json(guide_server))
    for account in ("acc1", "acc2"):
        monkeypatch.setenv(f"AIRFLOW_CONN_MATRIXONE_{account.upper()}",
                           conn_json(guide_server, login=f"{account}#admin", password=TENANT_PASSWORD))
    dr = run_dag("matrixone_pitr_policy")
    assert str(dr.state) == "success", task_states(dr)
    actions = {xcom(dr, "reconcile", i)["name"]: xcom(dr, "reconcile", i)["action"] for i in range(len(policy))}
    assert actions["pitr1"] == "unchanged"  # the guide's cluster PITR, adopted
    assert set(actions.values()) <= {"unchanged", "created", "updated"}
    assert [r[0] for r in sql_as(guide_server, "root", PASSWORD, ["show pitr"])].count("pitr1") == 1
