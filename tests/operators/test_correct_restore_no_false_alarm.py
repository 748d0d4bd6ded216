"""No false alarm on correct restores (issue 13, Done when): awkward types survive a real RESTORE and verify.

tests/sensors/test_verify_soundness.py proves the fingerprint is stable on an *unchanged* scope.
What a user runs is a RESTORE: the rows are dropped and re-created from history, so a value that
round-trips differently (a TIMESTAMP read back in the Asia/Shanghai server zone, the 38th digit of
a DECIMAL, a BLOB's X'FF', JSON text, NULL vs '') would turn a correct restore into a false
MISMATCH. Here the scope is damaged, restored by the operators, and each verification (the
workflow's own check, then the sensor on the operator's XCom) must say VERIFIED.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from airflow_provider_matrixone.operators.restore import MatrixOnePITRRestoreOperator
from airflow_provider_matrixone.operators.snapshot import MatrixOneSnapshotRestoreOperator
from airflow_provider_matrixone.sensors.restore import MatrixOneRestoreVerificationSensor
from tests.operators.support import context, now_after_pitr, tenant_sql

SETUP = [
    "create database aw",
    "create table aw.t (id int primary key, s varchar(9), b blob, vb varbinary(4), j json, ts timestamp(6), "
    "d double, m decimal(38,10), big decimal(38,0), dt datetime(3))",
    "insert into aw.t values (1, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL), "
    "(2, '', X'00FF', X'FF', '{\"a\": [1, 2], \"b\": null}', '2024-10-28 17:30:00.123456', 1e300, "
    "1234567890123456789012345678.0123456789, 98765432109876543210987654321098765432, '2024-01-01 00:00:00.5'), "
    "(3, 'x ', X'', X'00', '[]', '2024-03-31 02:30:00', 0.1e0 + 0.2e0, -0.0000000001, "
    "-12345678901234567890123456789012345678, '1970-01-01 00:00:00')",
    "create table aw.empty_t (id int primary key, v decimal(38,10))",
]
DAMAGE = [
    "update aw.t set m = m + 0.0000000001, ts = '2024-10-28 17:30:00.123457', s = NULL where id = 2",
    "update aw.t set s = '' where id = 1",
    "delete from aw.t where id = 3",
    "insert into aw.empty_t values (1, 1.5)",
]


def _sensor_on(result: dict[str, Any], tenant: SimpleNamespace) -> dict[str, Any]:
    sensor = MatrixOneRestoreVerificationSensor(task_id="verify", matrixone_conn_id=tenant.conn_id,
                                                reference=result, timeout=5, poke_interval=1)
    return sensor.poke(context(task_id="verify")).xcom_value  # type: ignore[union-attr]


def test_pitr_restore_of_awkward_types_and_an_empty_table_is_verified(tenant: SimpleNamespace,
                                                                      mo_server: Any) -> None:
    tenant_sql(mo_server, tenant.name, [*SETUP, "create pitr p_aw for database aw range 1 'd'"])
    t = now_after_pitr()
    tenant_sql(mo_server, tenant.name, DAMAGE)
    result = MatrixOnePITRRestoreOperator(
        task_id="restore", matrixone_conn_id=tenant.conn_id, pitr_name="p_aw", timestamp=t.isoformat(),
        level="database", database="aw").execute(context())
    check = result["check"]
    assert check["verdict"] == "VERIFIED", check["reasons"]
    rows = {o["table"]: (o["expected_rows"], o["actual_rows"]) for o in check["objects"] if o["object"] == "table"}
    assert rows == {"aw.t": (3, 3), "aw.empty_t": (0, 0)}
    assert "content" in check["summary"]
    report = _sensor_on(result, tenant)
    assert report["verdict"] == "VERIFIED" and report["content"] is True


def test_snapshot_restore_of_awkward_types_and_an_empty_table_is_verified(tenant: SimpleNamespace,
                                                                          mo_server: Any) -> None:
    tenant_sql(mo_server, tenant.name, [*SETUP, "create snapshot s_aw for database aw"])
    tenant_sql(mo_server, tenant.name, DAMAGE)
    result = MatrixOneSnapshotRestoreOperator(task_id="restore", matrixone_conn_id=tenant.conn_id,
                                              snapshot_name="s_aw").execute(context())
    assert result["check"]["verdict"] == "VERIFIED", result["check"]["reasons"]
    assert {o["table"] for o in result["check"]["objects"] if o["object"] == "table"} == {"aw.t", "aw.empty_t"}
