"""The restore operator's decisions that depend on the content proof (issue 13), against matrixone_lite."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from airflow.sdk.exceptions import AirflowFailException

from airflow_provider_matrixone.operators.pitr import MatrixOnePITRCreateOperator
from airflow_provider_matrixone.operators.restore import MatrixOnePITRRestoreOperator
from airflow_provider_matrixone.pitr.verify import CurrentState, Reference, TableState, compare
from airflow_provider_matrixone.sensors.restore import MatrixOneRestoreVerificationSensor
from tests.operators.support import context, mutating_since, now_after_pitr, tenant_sql


def _pitr(conn_id: str, name: str) -> None:
    MatrixOnePITRCreateOperator(task_id="p", pitr_name=name, level="database", database="db1", range_value=1,
                                range_unit="d", matrixone_conn_id=conn_id).execute(context())


def _restore(conn_id: str, pitr: str, t: Any, **kw: Any) -> MatrixOnePITRRestoreOperator:
    return MatrixOnePITRRestoreOperator(task_id="restore", matrixone_conn_id=conn_id, pitr_name=pitr,
                                        timestamp=t.isoformat(), level="database", database="db1",
                                        safety_snapshot=False, **kw)


def test_retry_does_not_leave_a_renamed_column_in_place(tenant: SimpleNamespace, mo_server: Any) -> None:
    """Before issue 13 the retry's fingerprint ignored column names: "already landed", no RESTORE sent."""
    _pitr(tenant.conn_id, "p_rename")
    t = now_after_pitr()
    tenant_sql(mo_server, tenant.name, ["alter table db1.products rename column stock_quantity to stock"])
    mark = len(mo_server.statement_log.entries)
    out = _restore(tenant.conn_id, "p_rename", t).execute(context(try_number=2))
    assert [s for s in mutating_since(mo_server, mark) if s.upper().startswith("RESTORE")], "RESTORE not re-issued"
    assert out["restore"]["issued"] is True and out["check"]["verdict"] == "VERIFIED"
    cols = [r[0] for r in tenant_sql(mo_server, tenant.name, ["show columns from db1.products"])]
    assert "stock_quantity" in cols and "stock" not in cols


def test_interleaved_restores_each_prove_their_own_instant(tenant: SimpleNamespace, mo_server: Any) -> None:
    """Two restores of one scope to T1 and T2 with only UPDATEs between: the data ends at T2, so the
    verification of the T1 run must fail (before issue 13 both passed on equal counts)."""
    _pitr(tenant.conn_id, "p_inter")
    t1 = now_after_pitr()
    tenant_sql(mo_server, tenant.name, ["update db1.products set price = price + 1"])
    t2 = now_after_pitr()
    tenant_sql(mo_server, tenant.name, ["update db1.products set price = price * 2"])
    run1 = _restore(tenant.conn_id, "p_inter", t1).execute(context(run_id="run1"))
    run2 = _restore(tenant.conn_id, "p_inter", t2).execute(context(run_id="run2"))
    assert run1["check"]["verdict"] == run2["check"]["verdict"] == "VERIFIED"  # each was right when it ran
    sensor2 = MatrixOneRestoreVerificationSensor(task_id="v2", matrixone_conn_id=tenant.conn_id, reference=run2,
                                                 poke_interval=0.1, timeout=5)
    assert sensor2.execute(context())["verdict"] == "VERIFIED"
    sensor1 = MatrixOneRestoreVerificationSensor(task_id="v1", matrixone_conn_id=tenant.conn_id, reference=run1,
                                                 poke_interval=0.1, timeout=5)
    with pytest.raises(AirflowFailException, match="MISMATCH.*same 9 rows count as at T but different values"):
        sensor1.execute(context())
    # and a retry of run 1 now re-issues its RESTORE instead of calling the T2 data "already landed"
    mark = len(mo_server.statement_log.entries)
    again = _restore(tenant.conn_id, "p_inter", t1).execute(context(try_number=2, run_id="run1"))
    assert again["restore"]["issued"] is True and again["check"]["verdict"] == "VERIFIED"
    assert [s for s in mutating_since(mo_server, mark) if s.upper().startswith("RESTORE")]


def test_two_reads_of_t_that_disagree_are_unverifiable_never_averaged() -> None:
    """#21305: the reference's COUNT(*) and its fingerprint scan disagreed; the verdict is UNVERIFIABLE."""
    ref = Reference(scope=None, tables={"db1.t": TableState(5, "5:aa", unverifiable="two reads of the same instant "
                                                            "disagree: COUNT(*) read 5 rows and the fingerprint "
                                                            "scan read 4")}, fingerprint=True)
    now = CurrentState(tables={"db1.t": TableState(5, "5:aa")}, databases=None, account="acc1",
                       read_at_utc="2026-01-01T00:00:00Z", statements=1, duration_s=0.0)
    report = compare(ref, now)
    assert report.verdict == "UNVERIFIABLE" and report.status == "fail"
    assert "UNVERIFIABLE: table db1.t: two reads of the same instant disagree" in report.render()
