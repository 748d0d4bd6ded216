"""MatrixOneRestoreVerificationSensor and its trigger against matrixone_lite (direct calls, asyncio)."""

from __future__ import annotations

import asyncio
import threading
import time
from types import SimpleNamespace
from typing import Any

import pytest
from airflow.sdk import PokeReturnValue
from airflow.sdk.exceptions import (
    AirflowFailException,
    AirflowSensorTimeout,
    AirflowSkipException,
    TaskDeferred,
)

from airflow_provider_matrixone.operators.pitr import MatrixOnePITRCreateOperator
from airflow_provider_matrixone.operators.restore import MatrixOnePITRRestoreOperator
from airflow_provider_matrixone.sensors.restore import MatrixOneRestoreVerificationSensor
from airflow_provider_matrixone.triggers.restore import MatrixOneRestoreVerificationTrigger
from tests.operators.support import context, mutating_since, now_after_pitr, tenant_sql


def _sensor(conn_id: str, **kw: Any) -> MatrixOneRestoreVerificationSensor:
    kw.setdefault("poke_interval", 0.1)
    kw.setdefault("timeout", 5)
    return MatrixOneRestoreVerificationSensor(task_id="verify", matrixone_conn_id=conn_id, **kw)


def _restored(tenant: SimpleNamespace, server: Any, *, fingerprint: bool = True) -> dict[str, Any]:
    """Database-level PITR on db1, incident, restore: returns the restore operator's XCom."""
    MatrixOnePITRCreateOperator(task_id="p", pitr_name="p_db1", level="database", database="db1",
                                matrixone_conn_id=tenant.conn_id).execute(context())
    t = now_after_pitr()
    tenant_sql(server, tenant.name, ["delete from db1.products where id > 3"])
    return MatrixOnePITRRestoreOperator(task_id="r", pitr_name="p_db1", timestamp=t.isoformat(), level="database",
                                        database="db1", fingerprint=fingerprint, safety_snapshot=False,
                                        matrixone_conn_id=tenant.conn_id).execute(context())


def test_pass_returns_the_report_and_reads_nothing_mutating(tenant: SimpleNamespace, mo_server: Any) -> None:
    out = _restored(tenant, mo_server)
    mark = len(mo_server.statement_log.entries)
    result = _sensor(tenant.conn_id, reference=str(out)).poke(context())
    assert isinstance(result, PokeReturnValue) and result.is_done
    report = result.xcom_value
    assert report is not None
    assert report["status"] == "pass" and report["verdict"] == "VERIFIED" and report["content"] is True
    (table,) = report["tables"]
    assert (table["table"], table["verdict"], table["expected_rows"], table["actual_rows"]) == (
        "db1.products", "VERIFIED", 9, 9)
    assert table["expected_fingerprint"] == table["actual_fingerprint"] is not None
    assert mutating_since(mo_server, mark) == []
    # databases, tables, counts, columns, fingerprints, indexes, foreign keys, their rules, relations
    # (for sequences) and SHOW FULL TABLES (for views, one per database): one batched statement each
    assert report["statements"] <= 10


def test_missing_table_waits_then_times_out_or_skips(tenant: SimpleNamespace, mo_server: Any) -> None:
    out = _restored(tenant, mo_server)
    tenant_sql(mo_server, tenant.name, ["drop table db1.products"])
    sensor = _sensor(tenant.conn_id, reference=out["reference"], timeout=0.5)
    assert sensor.poke(context()) is False
    with pytest.raises(AirflowSensorTimeout):
        sensor.execute(context())
    with pytest.raises(AirflowSkipException):
        _sensor(tenant.conn_id, reference=out["reference"], timeout=0.5, soft_fail=True).execute(context())


def test_mismatch_fails_without_retry_after_grace(tenant: SimpleNamespace, mo_server: Any,
                                                 caplog: pytest.LogCaptureFixture) -> None:
    out = _restored(tenant, mo_server)
    tenant_sql(mo_server, tenant.name, ["delete from db1.products where id = 1", "create table db1.newer (a int)"])
    assert _sensor(tenant.conn_id, reference=out, mismatch_grace=60).poke(context()) is False
    with pytest.raises(AirflowFailException) as info:
        _sensor(tenant.conn_id, reference=out).execute(context())
    text = str(info.value)
    assert "table db1.products had 9 rows at T and has 8 now" in text
    assert "table db1.newer did not exist at T and exists now" in text and "MISMATCH" in text
    with pytest.raises(AirflowSkipException):
        _sensor(tenant.conn_id, reference=out, soft_fail=True).execute(context())


def test_fingerprint_catches_changed_values(tenant: SimpleNamespace, mo_server: Any) -> None:
    out = _restored(tenant, mo_server, fingerprint=True)
    assert _sensor(tenant.conn_id, reference=out, fingerprint=True).poke(context())
    tenant_sql(mo_server, tenant.name, ["update db1.products set price = price + 1 where id = 2"])
    with pytest.raises(AirflowFailException, match="MISMATCH.*same 9 rows count as at T but different values"):
        _sensor(tenant.conn_id, reference=out).execute(context())


def test_counts_only_reference_with_fingerprint_says_so_and_fails(tenant: SimpleNamespace, mo_server: Any) -> None:
    """Before issue 13 this sensor silently compared counts and passed with every price changed."""
    out = _restored(tenant, mo_server, fingerprint=False)
    tenant_sql(mo_server, tenant.name, ["update db1.products set price = price + 1"])
    for asked in (True, None):  # explicitly, and by default
        kw = {} if asked is None else {"fingerprint": asked}
        with pytest.raises(AirflowFailException, match="reference has row counts only"):
            _sensor(tenant.conn_id, reference=out, **kw).execute(context())
    # turned off explicitly: counts and columns only, and the log/summary says so
    report = _sensor(tenant.conn_id, reference=out, fingerprint=False).execute(context())
    assert report["verdict"] == "VERIFIED" and "counts and columns only" in report["summary"]


def test_reference_timestamp_and_expected_counts(tenant: SimpleNamespace, mo_server: Any) -> None:
    t = now_after_pitr()
    tenant_sql(mo_server, tenant.name, ["insert into db2.orders (product_name, quantity) values ('x', 1)"])
    sensor = _sensor(tenant.conn_id, reference_timestamp=t.isoformat(), level="database", database="db2")
    with pytest.raises(AirflowFailException, match="(?s)db2.orders .* 3 .* 4 .*MISMATCH.*had 3 rows at T and has 4 now"):
        sensor.execute(context())
    by_tables = _sensor(tenant.conn_id, reference_timestamp=t.isoformat(), tables=["db1.products"])
    assert by_tables.poke(context())
    assert _sensor(tenant.conn_id, expected_counts={"db2.orders": 4, "db1.products": 9}).poke(context())
    assert _sensor(tenant.conn_id, expected_counts='{"db2.orders": "4"}').poke(context())
    assert _sensor(tenant.conn_id, expected_counts={"db9.none": 1}).poke(context()) is False


def test_wrong_account_and_bad_expectations_fail_clearly(tenant: SimpleNamespace, root_conn: str,
                                                         mo_server: Any) -> None:
    out = _restored(tenant, mo_server)
    with pytest.raises(AirflowFailException, match=f"must read account '{tenant.name}'"):
        _sensor(root_conn, reference=out).execute(context())
    with pytest.raises(AirflowFailException, match="exactly one of"):
        _sensor(tenant.conn_id, reference=out, expected_counts={"db1.products": 9}).execute(context())
    with pytest.raises(AirflowFailException, match="exactly one of"):
        _sensor(tenant.conn_id).execute(context())
    with pytest.raises(AirflowFailException, match="invalid table .products; drop."):
        _sensor(tenant.conn_id, expected_counts={"db1.products; drop": 9}).execute(context())


def test_deferrable_defers_with_a_string_only_trigger(tenant: SimpleNamespace, mo_server: Any) -> None:
    out = _restored(tenant, mo_server)
    tenant_sql(mo_server, tenant.name, ["drop table db1.products"])
    sensor = _sensor(tenant.conn_id, reference=out, deferrable=True, timeout=30)
    with pytest.raises(TaskDeferred) as info:
        sensor.execute(context())
    deferred = info.value
    assert deferred.method_name == "execute_complete"
    assert deferred.timeout is not None and deferred.timeout.total_seconds() == 30
    trigger = deferred.trigger
    assert isinstance(trigger, MatrixOneRestoreVerificationTrigger)
    path, kwargs = trigger.serialize()
    assert path == "airflow_provider_matrixone.triggers.restore.MatrixOneRestoreVerificationTrigger"
    assert all(isinstance(v, (str, int, float)) for v in kwargs.values())
    assert MatrixOneRestoreVerificationTrigger(**kwargs).serialize() == (path, kwargs)
    # the restore lands later: recreate the table with its rows while the trigger polls
    restore_sql = out["sql"]

    def land() -> None:
        time.sleep(0.4)
        tenant_sql(mo_server, tenant.name, [restore_sql])

    threading.Thread(target=land, daemon=True).start()
    event = asyncio.run(_first_event(trigger))
    assert event["status"] == "success" and event["polls"] >= 2
    assert sensor.execute_complete(context(), event)["status"] == "pass"


def test_trigger_failure_event_and_execute_complete(tenant: SimpleNamespace, mo_server: Any) -> None:
    out = _restored(tenant, mo_server)
    tenant_sql(mo_server, tenant.name, ["delete from db1.products"])
    sensor = _sensor(tenant.conn_id, reference=out)
    trigger = MatrixOneRestoreVerificationTrigger(conn_id=tenant.conn_id, reference=sensor.build_reference().to_json(),
                                                  poke_interval=0.1)
    event = asyncio.run(_first_event(trigger))
    assert event["status"] == "failure" and "had 9 rows at T and has 0 now" in event["message"]
    assert event["report"]["verdict"] == "MISMATCH"
    with pytest.raises(AirflowFailException, match="verification MISMATCH"):
        sensor.execute_complete(context(), event)
    bad = MatrixOneRestoreVerificationTrigger(conn_id=tenant.conn_id, reference="{not json", poke_interval=0.1)
    assert asyncio.run(_first_event(bad))["status"] == "error"


async def _first_event(trigger: MatrixOneRestoreVerificationTrigger) -> dict[str, Any]:
    async for event in trigger.run():
        return dict(event.payload)
    raise AssertionError("trigger ended without an event")


def test_deferred_timeout_and_soft_fail_follow_airflow(tenant: SimpleNamespace) -> None:
    from airflow.sdk.bases.operator import TRIGGER_FAIL_REPR, TriggerFailureReason

    timeout = {"error": TriggerFailureReason.TRIGGER_TIMEOUT}
    strict = _sensor(tenant.conn_id, expected_counts={"db1.products": 9}, deferrable=True)
    with pytest.raises(AirflowSensorTimeout):
        strict.resume_execution(TRIGGER_FAIL_REPR, timeout, context())
    soft = _sensor(tenant.conn_id, expected_counts={"db1.products": 9}, deferrable=True, soft_fail=True)
    with pytest.raises(AirflowSkipException):
        soft.resume_execution(TRIGGER_FAIL_REPR, timeout, context())
    failure = {"event": {"status": "failure", "message": "db1.products 9 8 count_mismatch"}}
    with pytest.raises(AirflowSkipException):
        soft.resume_execution("execute_complete", failure, context())
    with pytest.raises(AirflowFailException, match="count_mismatch"):
        strict.resume_execution("execute_complete", failure, context())
