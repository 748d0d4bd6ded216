"""matrixone_pitr_drill through dag.test(): restore into a scratch account, verify, clean up."""

from __future__ import annotations

import dataclasses
import time
from typing import Any

import pytest

from tests.dags.conftest import PASSWORD, conn_json, task_states, xcom
from tests.provider.support import TENANT_PASSWORD, make_tenant, root_sql, tenant_sql

ACC = "drilltest"


@pytest.fixture
def drill_source(mo_server: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    make_tenant(mo_server, ACC)
    root_sql(mo_server, ["drop pitr if exists drill_p", f"create pitr drill_p for account {ACC} range 1 'h'"])
    monkeypatch.setenv(f"AIRFLOW_CONN_MATRIXONE_{ACC.upper()}",
                       conn_json(mo_server, login=f"{ACC}#admin", password=TENANT_PASSWORD))
    time.sleep(1.1)
    yield mo_server
    root_sql(mo_server, ["drop pitr if exists drill_p", f"drop account if exists {ACC}"])


def _scratch_accounts(server: Any) -> list[str]:
    return [r[0] for r in root_sql(server, ["show accounts"]) if str(r[0]).startswith("drill_")]


def test_drill_restores_into_scratch_and_cleans_up(run_dag: Any, drill_source: Any) -> None:
    server = drill_source
    before = len(server.statement_log.entries)
    source_writes = [e for e in server.statement_log.mutating() if e["account"] == ACC]
    dr = run_dag("matrixone_pitr_drill", {"pitrs": ["drill_p"], "strategy": "random", "fingerprint": True})
    assert str(dr.state) == "success", task_states(dr)
    result = xcom(dr, "report")["drills"][0]
    assert result["ok"] is True and result["pitr"] == "drill_p" and result["source"] == ACC
    assert result["rows_verified"] == 12 and result["tables"] == 2 and result["verdict"] == "VERIFIED"
    assert "verdict" in xcom(dr, "report")["report"] and "VERIFIED" in xcom(dr, "report")["report"]
    assert result["recovery_s"] >= 0
    assert _scratch_accounts(server) == []
    restores = [e["sql"] for e in server.statement_log.entries[before:] if e["sql"].startswith("RESTORE")]
    assert restores == [f"RESTORE ACCOUNT `{result['scratch_account']}` FROM PITR `drill_p` '{result['t_server']}'"]
    # The source was only read: no statement ran as the source account that changes anything.
    assert [e for e in server.statement_log.mutating() if e["account"] == ACC] == source_writes
    # The generated password never reached the server's statement log unredacted.
    assert all("IDENTIFIED BY '***'" in e["sql"] for e in server.statement_log.entries[before:]
               if "IDENTIFIED BY" in e["sql"].upper())
    assert all(PASSWORD not in e["sql"] for e in server.statement_log.entries[before:])


def test_failed_drill_fails_the_dag_and_still_drops_scratch(run_dag: Any, drill_source: Any, dagbag: Any,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """Fault injection: the comparison reports a missing table after the real restore ran."""
    server = drill_source
    from airflow_provider_matrixone.pitr import verify as verify_module
    from airflow_provider_matrixone.restore import run as workflow
    from airflow_provider_matrixone.sql_io import capture

    def lossy_verify(ops: Any, reference: Any) -> Any:
        state = capture.capture_state(ops, reference)
        state = dataclasses.replace(state, tables={k: v for k, v in state.tables.items() if k != "db2.orders"})
        return verify_module.compare(reference, state)

    monkeypatch.setattr(workflow, "verify", lossy_verify)  # the workflow's post-restore check
    dr = run_dag("matrixone_pitr_drill", {"pitrs": ["drill_p"]})
    assert str(dr.state) == "failed"
    assert task_states(dr)["report"] == "failed"
    result = xcom(dr, "drill", 0)
    assert result["ok"] is False and result["verdict"] == "MISMATCH"
    assert "db2.orders: MISMATCH (table db2.orders existed at T and is missing now)" in result["error"], result
    assert result["scratch_dropped"] is True and result["recovery_s"] >= 0
    assert _scratch_accounts(server) == []
    assert tenant_sql(server, ACC, ["select count(*) from db1.products"])[0][0] == 9


def test_drill_without_source_connection_fails_before_creating_anything(
    run_dag: Any, drill_source: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    server = drill_source
    monkeypatch.setenv(f"AIRFLOW_CONN_MATRIXONE_{ACC.upper()}", conn_json(server))  # logs into sys, not drilltest
    before = len(server.statement_log.mutating())
    dr = run_dag("matrixone_pitr_drill", {"pitrs": ["drill_p"]})
    assert str(dr.state) == "failed"
    assert "logs into account sys" in xcom(dr, "drill", 0)["error"]
    assert server.statement_log.mutating()[before:] == []
