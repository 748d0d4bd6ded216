"""#27116 gets its own sentence: a table that should not be in the scope is a copy of another database's table.

MatrixOne #27116 restored another database's table into the scope and reported success. The
verification always called it a MISMATCH ("table db1.orders did not exist at T and exists now");
now, when the table's digest (columns, types, keys and content, not its name) equals a table of
another database at T, the sentence names that table. An account scope has every database at T in
its reference; a database scope reads the same-named tables of the other databases at T, only on
this path. A table that merely looks alike (same columns, other rows) keeps the plain sentence.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from airflow.sdk.exceptions import AirflowFailException

from airflow_provider_matrixone.operators._common import make_hook
from airflow_provider_matrixone.operators.restore import MatrixOnePITRRestoreOperator
from airflow_provider_matrixone.pitr.models import Scope
from airflow_provider_matrixone.sensors.restore import MatrixOneRestoreVerificationSensor
from airflow_provider_matrixone.sql_io.capture import capture_reference, verify
from tests.operators.support import context, now_after_pitr, tenant_sql
from tests.support.seed import CREATE_ORDERS

#: db1.orders built exactly as db2.orders (same DDL), then filled with db2.orders' rows
COPY = ["use db1", CREATE_ORDERS, "insert into db1.orders select * from db2.orders"]
SENTENCE = ("table db1.orders is not part of db1 at T; its content (3 rows, same columns) matches db2.orders at T "
            "(a restore from another database's snapshot? MatrixOne #27116)")


def test_account_scope_names_the_other_database_table(tenant: SimpleNamespace, mo_server: Any) -> None:
    t = now_after_pitr()
    tenant_sql(mo_server, tenant.name, COPY)
    hook = make_hook(tenant.conn_id)
    report = verify(hook, capture_reference(hook, Scope.build("account", account=tenant.name), t))
    assert report.verdict == "MISMATCH" and report.status == "fail", report.render()
    assert SENTENCE in report.render(), report.render()


def test_database_scope_sensor_reads_the_other_databases_at_t(tenant: SimpleNamespace, mo_server: Any) -> None:
    t = now_after_pitr()
    tenant_sql(mo_server, tenant.name, COPY)
    sensor = MatrixOneRestoreVerificationSensor(task_id="verify", matrixone_conn_id=tenant.conn_id,
                                                reference_timestamp=t.isoformat(), level="database",
                                                database="db1", timeout=5, poke_interval=1)
    with pytest.raises(AirflowFailException) as info:
        sensor.poke(context(task_id="verify"))
    assert "MISMATCH" in str(info.value) and SENTENCE in str(info.value), str(info.value)


def test_same_columns_other_rows_keeps_the_plain_sentence(tenant: SimpleNamespace, mo_server: Any) -> None:
    t = now_after_pitr()
    tenant_sql(mo_server, tenant.name, [*COPY, "update db1.orders set quantity = quantity + 1 where id = 1"])
    sensor = MatrixOneRestoreVerificationSensor(task_id="verify", matrixone_conn_id=tenant.conn_id,
                                                reference_timestamp=t.isoformat(), level="database",
                                                database="db1", timeout=5, poke_interval=1)
    with pytest.raises(AirflowFailException) as info:
        sensor.poke(context(task_id="verify"))
    text = str(info.value)
    assert "table db1.orders did not exist at T and exists now" in text and "#27116" not in text, text


def test_restore_workflow_check_names_it_too(tenant: SimpleNamespace, mo_server: Any) -> None:
    """The restore operator's own check: db1 restored to T while another writer copies db2.orders in."""
    tenant_sql(mo_server, tenant.name, ["create pitr p_db1 for database db1 range 1 'd'"])
    t = now_after_pitr()
    op = MatrixOnePITRRestoreOperator(task_id="restore", matrixone_conn_id=tenant.conn_id, pitr_name="p_db1",
                                      timestamp=t.isoformat(), level="database", database="db1")
    # the RESTORE is sent through the operator's hook; copy the table in right after it lands
    hook_execute = type(make_hook(tenant.conn_id)).execute

    def execute_then_copy(self: Any, sql: str, *args: Any, **kwargs: Any) -> Any:
        out = hook_execute(self, sql, *args, **kwargs)
        if sql.upper().startswith("RESTORE"):
            tenant_sql(mo_server, tenant.name, COPY)
        return out

    mp = pytest.MonkeyPatch()
    mp.setattr(type(make_hook(tenant.conn_id)), "execute", execute_then_copy)
    try:
        with pytest.raises(Exception) as info:
            op.execute(context())
    finally:
        mp.undo()
    assert SENTENCE in str(info.value), str(info.value)


def test_only_the_source_accounts_databases_explain_it(tenant: SimpleNamespace, mo_server: Any) -> None:
    """Another account's db2.orders at T (same seed, same rows) must not be named: it was never the source."""
    from airflow_provider_matrixone.proof.provenance import explain_unexpected
    from tests.operators.support import TENANT_PASSWORD, make_tenant, new_account, set_connection

    other = new_account()
    make_tenant(mo_server, other)
    other_conn = set_connection(f"mo_{other}", mo_server, f"{other}#admin", TENANT_PASSWORD)
    same = ["update db2.orders set order_date = '2024-01-01 00:00:00'"]  # the two accounts' tables identical
    tenant_sql(mo_server, tenant.name, same)
    tenant_sql(mo_server, other, same)
    t = now_after_pitr()
    tenant_sql(mo_server, tenant.name, COPY)
    hook = make_hook(tenant.conn_id)
    ref = capture_reference(hook, Scope.build("database", account=tenant.name, database="db1"), t)
    report = verify(hook, ref)  # a database reference alone cannot name the source
    assert "table db1.orders did not exist at T and exists now" in report.render(), report.render()
    assert "#27116" not in explain_unexpected(make_hook(other_conn), ref, report).render()
    assert SENTENCE in explain_unexpected(hook, ref, report).render()


def test_deferrable_trigger_names_it_too(tenant: SimpleNamespace, mo_server: Any) -> None:
    """The triggerer's failure carries the same sentence as the poke (it said "did not exist at T")."""
    import asyncio

    from airflow.sdk.exceptions import TaskDeferred

    from airflow_provider_matrixone.triggers.restore import MatrixOneRestoreVerificationTrigger

    t = now_after_pitr()
    tenant_sql(mo_server, tenant.name, COPY)
    sensor = MatrixOneRestoreVerificationSensor(task_id="verify", matrixone_conn_id=tenant.conn_id,
                                                reference_timestamp=t.isoformat(), level="database",
                                                database="db1", timeout=30, poke_interval=0.1, deferrable=True,
                                                check_before_deferring=False)
    with pytest.raises(TaskDeferred) as deferred:
        sensor.execute(context(task_id="verify"))
    trigger = deferred.value.trigger
    assert isinstance(trigger, MatrixOneRestoreVerificationTrigger)
    path, kwargs = trigger.serialize()
    assert kwargs["reference_conn_id"] == tenant.conn_id

    async def first_event() -> dict[str, Any]:
        async for event in MatrixOneRestoreVerificationTrigger(**kwargs).run():
            return dict(event.payload)
        raise AssertionError("trigger ended without an event")

    event = asyncio.run(first_event())
    assert event["status"] == "failure" and SENTENCE in event["message"], event
    assert SENTENCE in event["report"]["reasons"], event["report"]["reasons"]
    with pytest.raises(AirflowFailException) as info:
        sensor.execute_complete(context(task_id="verify"), event)
    assert SENTENCE in str(info.value), str(info.value)
