"""matrixone_pitr_policy through dag.test(): reconcile, report unmanaged PITRs, coverage, idempotence."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.dags.conftest import PASSWORD, conn_json, task_states, xcom
from tests.provider.support import TENANT_PASSWORD, make_tenant, root_sql, tenant_sql

ACC = "poltest"
POLICY = [
    {"name": "pol_acc", "level": "account", "account": ACC, "range": "2h"},
    {"name": "pol_db", "level": "database", "account": ACC, "database": "db1", "range": "1d"},
]


@pytest.fixture
def policy_env(mo_server: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AIRFLOW_VAR_MATRIXONE_PITR_POLICIES", json.dumps(POLICY))
    monkeypatch.setenv(f"AIRFLOW_CONN_MATRIXONE_{ACC.upper()}",
                       conn_json(mo_server, login=f"{ACC}#admin", password=TENANT_PASSWORD))


def _mapped_results(dr: Any) -> dict[str, dict[str, Any]]:
    out = {}
    for index in range(len(POLICY)):
        result = xcom(dr, "reconcile", index)
        out[result["name"]] = result
    return out


def test_policy_reconciles_then_changes_nothing(run_dag: Any, policy_env: None, mo_server: Any) -> None:
    make_tenant(mo_server, ACC)
    root_sql(mo_server, ["drop pitr if exists pol_acc", f"create pitr pol_acc for account {ACC} range 1 'h'"])
    tenant_sql(mo_server, ACC, ["create pitr pol_stray for table db2 orders range 3 'h'"])

    first = run_dag("matrixone_pitr_policy")
    assert str(first.state) == "success", task_states(first)
    results = _mapped_results(first)
    assert results["pol_acc"]["action"] == "updated" and results["pol_acc"]["range"] == "2h"
    assert results["pol_db"]["action"] == "created" and results["pol_db"]["database"] == "db1"
    unmanaged = {(u["owner"], u["name"]): u["action"] for u in xcom(first, "unmanaged_pitrs")}
    assert unmanaged[(ACC, "pol_stray")] == "reported"
    # Never dropped without prune.
    assert [r[0] for r in tenant_sql(mo_server, ACC, ["show pitr"])].count("pol_stray") == 1
    assert [(r[7], r[8]) for r in root_sql(mo_server, ["show pitr"]) if r[0] == "pol_acc"] == [(2, "h")]
    assert [r[5] for r in tenant_sql(mo_server, ACC, ["show pitr"]) if r[0] == "pol_db"] == ["db1"]
    report = xcom(first, "coverage")
    rows = {(r["account"], r["database"]): r for r in report["coverage"]}
    assert rows[(ACC, "*")]["status"] == "covered" and "pol_acc" in rows[(ACC, "*")]["pitr"]
    assert "pol_db" in rows[(ACC, "db1")]["pitr"]

    before = len(mo_server.statement_log.mutating())
    second = run_dag("matrixone_pitr_policy")
    assert str(second.state) == "success", task_states(second)
    assert {r["action"] for r in _mapped_results(second).values()} == {"unchanged"}
    assert mo_server.statement_log.mutating()[before:] == []
    root_sql(mo_server, [f"drop account if exists {ACC}", "drop pitr if exists pol_acc"])


def test_policy_validation_rejects_bad_entries() -> None:
    from airflow_provider_matrixone.pitr.errors import InvalidInput
    from dags.matrixone_dag_support import policy  # noqa: PLC0415

    bad = [
        [{"name": "p", "level": "account", "range": "0h"}],
        [{"name": "p", "level": "account", "range": "10 days"}],
        [{"name": "p`x", "level": "cluster", "range": "1d"}],
        [{"name": "p", "level": "table", "database": "db1", "range": "1d"}],
        [{"name": "p", "level": "cluster", "range": "1d"}, {"name": "p", "level": "cluster", "range": "2d"}],
        {"pitrs": [], "prune": "yes"},
        "not json",
    ]
    for raw in bad:
        with pytest.raises(InvalidInput):
            policy.load(raw, "sys")
    entries, prune = policy.load({"pitrs": POLICY, "prune": True}, "sys")
    assert prune is True
    assert [e["owner"] for e in entries] == ["sys", ACC]


def test_conflicting_entry_fails_its_task_but_coverage_still_reports(run_dag: Any, mo_server: Any,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    account = "polconf"
    make_tenant(mo_server, account)
    root_sql(mo_server, ["drop pitr if exists polconf_old", f"create pitr polconf_old for account {account} range 1 'd'"])
    monkeypatch.setenv("AIRFLOW_VAR_MATRIXONE_PITR_POLICIES", json.dumps(
        [{"name": "polconf_new", "level": "account", "account": account, "range": "2d"}]))
    before = len(mo_server.statement_log.mutating())
    dr = run_dag("matrixone_pitr_policy")
    states = task_states(dr)
    assert str(dr.state) == "failed" and states["reconcile[0]"] == "failed", states
    assert states["coverage"] == "failed"  # it still ran: the report is in its log
    assert mo_server.statement_log.mutating()[before:] == []  # nothing created, altered or dropped
    root_sql(mo_server, [f"drop account if exists {account}", "drop pitr if exists polconf_old"])


def test_prune_drops_only_unmanaged_pitrs(run_dag: Any, monkeypatch: pytest.MonkeyPatch,
                                          tmp_path_factory: pytest.TempPathFactory) -> None:
    """On a private server: prune would drop every sys PITR outside the policy."""
    from matrixone_lite import LiteServer  # noqa: PLC0415

    with LiteServer(data_dir=tmp_path_factory.mktemp("mo-prune"), port=0, version="4.2.0", timezone="UTC",
                    root_password=PASSWORD) as srv:
        make_tenant(srv, ACC)
        root_sql(srv, [f"create pitr pol_acc for account {ACC} range 2 'h'", "create pitr stray_sys for cluster range 1 'd'"])
        tenant_sql(srv, ACC, ["create pitr stray_tenant for database db2 range 1 'd'"])
        monkeypatch.setenv("AIRFLOW_CONN_MATRIXONE_DEFAULT", conn_json(srv))
        monkeypatch.setenv(f"AIRFLOW_CONN_MATRIXONE_{ACC.upper()}",
                           conn_json(srv, login=f"{ACC}#admin", password=TENANT_PASSWORD))
        monkeypatch.setenv("AIRFLOW_VAR_MATRIXONE_PITR_POLICIES", json.dumps({"pitrs": POLICY, "prune": True}))
        dr = run_dag("matrixone_pitr_policy")
        assert str(dr.state) == "success", task_states(dr)
        pruned = {(u["owner"], u["name"]): u["action"] for u in xcom(dr, "unmanaged_pitrs")}
        assert pruned == {("sys", "stray_sys"): "dropped", (ACC, "stray_tenant"): "dropped"}
        assert [r[0] for r in root_sql(srv, ["show pitr"])] == ["pol_acc"]
        assert sorted(r[0] for r in tenant_sql(srv, ACC, ["show pitr"])) == ["pol_db"]
