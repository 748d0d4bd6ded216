"""Hostile operator arguments (as DAG authors or templates would pass them), against a real server.

Each case must end in a clear Airflow error (AirflowFailException for input that a retry cannot
fix) and send zero mutating statements (the server's statement log is the witness).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pendulum
import pytest
from airflow.sdk.exceptions import AirflowException, AirflowFailException

from airflow_provider_matrixone.operators.pitr import (
    MatrixOnePITRAlterOperator,
    MatrixOnePITRCreateOperator,
    MatrixOnePITRDropOperator,
)
from airflow_provider_matrixone.operators.restore import MatrixOnePITRRestoreOperator
from airflow_provider_matrixone.operators.snapshot import (
    MatrixOneSnapshotCreateOperator,
    MatrixOneSnapshotDropOperator,
    MatrixOneSnapshotRestoreOperator,
)
from airflow_provider_matrixone.sensors.restore import MatrixOneRestoreVerificationSensor
from tests.hostile.payloads import NAMES, TIMESTAMPS
from tests.operators.support import context, set_connection
from tests.provider.support import TENANT_PASSWORD, TEST_PASSWORD, make_tenant, root_sql, tenant_sql

ACC = "hostileop"

# (case id, operator class, base kwargs, field that gets the hostile value)
RESTORE = {"pitr_name": "hop", "level": "table", "account": ACC, "database": "db1", "table": "products",
           "timestamp": "@T"}
SLOTS: list[tuple[str, type, dict[str, Any], str]] = [
    ("restore-pitr_name", MatrixOnePITRRestoreOperator, RESTORE, "pitr_name"),
    ("restore-account", MatrixOnePITRRestoreOperator, RESTORE, "account"),
    ("restore-database", MatrixOnePITRRestoreOperator, RESTORE, "database"),
    ("restore-table", MatrixOnePITRRestoreOperator, RESTORE, "table"),
    ("restore-target_account", MatrixOnePITRRestoreOperator, {**RESTORE, "level": "account", "database": None,
                                                              "table": None}, "target_account"),
    ("pitr-create-pitr_name", MatrixOnePITRCreateOperator, {"pitr_name": "x", "level": "account", "account": ACC},
     "pitr_name"),
    ("pitr-create-database", MatrixOnePITRCreateOperator, {"pitr_name": "hp2", "level": "database", "account": ACC,
                                                           "database": "db1"}, "database"),
    ("snapshot-create-name", MatrixOneSnapshotCreateOperator, {"snapshot_name": "x", "level": "account",
                                                               "account": ACC}, "snapshot_name"),
    ("snapshot-restore-name", MatrixOneSnapshotRestoreOperator, {"snapshot_name": "x", "account": ACC},
     "snapshot_name"),
    ("sensor-table", MatrixOneRestoreVerificationSensor, {"reference_timestamp": "@T", "level": "table",
                                                          "account": ACC, "database": "db1", "table": "x"}, "table"),
]
NAME_CASES = [pytest.param(cls, kw, field, value, id=f"{slot}-{name}") for slot, cls, kw, field in SLOTS
              for name, value in NAMES.items()]

OTHER_CASES = [
    pytest.param(MatrixOnePITRRestoreOperator, {**RESTORE, "level": "galaxy"}, id="restore-level-unknown"),
    pytest.param(MatrixOnePITRRestoreOperator, {**RESTORE, "level": "table", "table": None}, id="table-no-table"),
    pytest.param(MatrixOnePITRRestoreOperator, {**RESTORE, "level": "database", "database": None},
                 id="database-no-database"),
    pytest.param(MatrixOnePITRRestoreOperator, {**RESTORE, "level": "cluster"}, id="cluster-with-objects"),
    pytest.param(MatrixOnePITRRestoreOperator, {**RESTORE, "level": "database", "target_account": "other"},
                 id="beside-not-account-level"),
    pytest.param(MatrixOnePITRRestoreOperator, {**RESTORE, "safety_snapshot": "perhaps"}, id="snapshot-word"),
    pytest.param(MatrixOnePITRRestoreOperator, {**RESTORE, "capture_reference": 2}, id="reference-int"),
    pytest.param(MatrixOnePITRRestoreOperator, {**RESTORE, "safety_snapshot": ""}, id="snapshot-blank"),
    pytest.param(MatrixOnePITRRestoreOperator, {**RESTORE, "fingerprint": "None"}, id="fingerprint-none"),
    pytest.param(MatrixOnePITRRestoreOperator, {**RESTORE, "safety_snapshot": ["yes"]}, id="snapshot-list"),
    pytest.param(MatrixOnePITRRestoreOperator, {**RESTORE, "fingerprint": "1; drop"}, id="fingerprint-inj"),
    pytest.param(MatrixOnePITRRestoreOperator, {**RESTORE, "timestamp": None}, id="timestamp-none"),
    pytest.param(MatrixOnePITRRestoreOperator, {**RESTORE, "timestamp": ["2024-01-01"]}, id="timestamp-list"),
    pytest.param(MatrixOnePITRRestoreOperator, {**RESTORE, "timestamp": 3.5}, id="timestamp-float"),
    pytest.param(MatrixOnePITRRestoreOperator, {**RESTORE, "account": 12345}, id="account-int"),
    pytest.param(MatrixOnePITRRestoreOperator, {**RESTORE, "table": {"a": 1}}, id="table-dict"),
    pytest.param(MatrixOnePITRCreateOperator, {"pitr_name": "hp3", "level": "account", "account": ACC,
                                               "range_value": "ten"}, id="range-word"),
    pytest.param(MatrixOnePITRCreateOperator, {"pitr_name": "hp3", "level": "account", "account": ACC,
                                               "range_value": 0}, id="range-zero"),
    pytest.param(MatrixOnePITRCreateOperator, {"pitr_name": "hp3", "level": "account", "account": ACC,
                                               "range_value": 10**30}, id="range-huge"),
    pytest.param(MatrixOnePITRCreateOperator, {"pitr_name": "hp3", "level": "account", "account": ACC,
                                               "range_value": 1.5}, id="range-float"),
    pytest.param(MatrixOnePITRCreateOperator, {"pitr_name": "hp3", "level": "account", "account": ACC,
                                               "range_unit": "d'; drop account a; --"}, id="unit-injection"),
    pytest.param(MatrixOnePITRCreateOperator, {"pitr_name": "hp3", "level": "cluster", "account": ACC},
                 id="create-cluster-with-account"),
    pytest.param(MatrixOnePITRCreateOperator, {"pitr_name": "hp3", "level": "account", "account": ACC,
                                               "if_exists": "obliterate"}, id="if-exists-unknown"),
    pytest.param(MatrixOnePITRAlterOperator, {"pitr_name": "hop", "range_value": -1, "range_unit": "d"},
                 id="alter-range-neg"),
    pytest.param(MatrixOnePITRAlterOperator, {"pitr_name": "hop", "range_value": 1, "range_unit": "fortnight"},
                 id="alter-unit-unknown"),
    pytest.param(MatrixOnePITRDropOperator, {"pitr_name": "hop`; drop database db1; --"}, id="drop-injection"),
    pytest.param(MatrixOneSnapshotCreateOperator, {"snapshot_name": "hs", "level": "table", "account": ACC},
                 id="snapshot-level-table-no-objects"),
    pytest.param(MatrixOneSnapshotDropOperator, {"snapshot_name": "hs'; drop account a; --"},
                 id="snapshot-drop-injection"),
]

TIMESTAMP_CASES = [pytest.param(v, z, id=f"timestamp-{n}") for n, (v, z) in TIMESTAMPS.items()]


@pytest.fixture(scope="module")
def scenario(mo_server: Any) -> Iterator[dict[str, Any]]:
    make_tenant(mo_server, ACC)
    tenant_sql(mo_server, ACC, ["create pitr hop for account range 1 'd'"])
    time.sleep(1.05)
    t = pendulum.now("UTC")
    time.sleep(0.05)
    tenant_sql(mo_server, ACC, ["delete from db1.products where id > 4"])
    yield {"t": t.isoformat(), "conn_id": set_connection("hostile_op", mo_server, f"{ACC}#admin", TENANT_PASSWORD,
                                                         client="pymysql")}
    root_sql(mo_server, [f"drop account if exists {ACC}"])


def execute(server: Any, cls: type, kwargs: dict[str, Any], conn_id: str) -> list[str]:
    """Run the operator; returns the mutating statements it sent (expects it to raise)."""
    from matrixone_lite.wire.statement_log import is_mutating

    mark = len(server.statement_log.entries)
    op = cls(task_id="hostile", matrixone_conn_id=conn_id, **kwargs)
    if isinstance(op, MatrixOneRestoreVerificationSensor):
        op.timeout, op.poke_interval = 0.5, 0.1
    try:
        op.execute(context())
    except (AirflowFailException, AirflowException) as exc:
        message = str(exc)
        assert 10 < len(message) < 3000, message[:500]
        assert "Traceback" not in message
    else:
        raise AssertionError(f"{cls.__name__}({kwargs}) was accepted")
    return [e["sql"] for e in server.statement_log.entries[mark:] if is_mutating(e["sql"])]


def _resolve(kwargs: dict[str, Any], t: str) -> dict[str, Any]:
    return {k: (t if v == "@T" else v) for k, v in kwargs.items()}


@pytest.mark.parametrize(("cls", "kwargs", "field", "value"), NAME_CASES)
def test_hostile_operator_identifier(cls: type, kwargs: dict[str, Any], field: str, value: str,
                                     scenario: dict[str, Any], mo_server: Any) -> None:
    args = _resolve({**kwargs, field: value}, scenario["t"])
    mark = len(mo_server.statement_log.entries)
    assert execute(mo_server, cls, args, scenario["conn_id"]) == []
    if cls is MatrixOnePITRRestoreOperator:  # every name is checked before connecting: nothing at all is sent
        assert mo_server.statement_log.entries[mark:] == []


@pytest.mark.parametrize("value", ["perhaps", 2, "yes; drop", "", "None", None], ids=str)
def test_hostile_dry_run_values_mean_a_dry_run(value: Any, scenario: dict[str, Any], mo_server: Any) -> None:
    """dry_run that is not clearly true/false fails safe: a plan, never a CREATE SNAPSHOT or RESTORE."""
    mark = len(mo_server.statement_log.entries)
    out = MatrixOnePITRRestoreOperator(task_id="h", matrixone_conn_id=scenario["conn_id"],
                                       **_resolve({**RESTORE, "dry_run": value}, scenario["t"])).execute(context())
    assert out["dry_run"] is True and "dry_run_note" in out
    from matrixone_lite.wire.statement_log import is_mutating

    assert [e["sql"] for e in mo_server.statement_log.entries[mark:] if is_mutating(e["sql"])] == []


@pytest.mark.parametrize(("cls", "kwargs"), OTHER_CASES)
def test_hostile_operator_argument(cls: type, kwargs: dict[str, Any], scenario: dict[str, Any],
                                   mo_server: Any) -> None:
    assert execute(mo_server, cls, _resolve(kwargs, scenario["t"]), scenario["conn_id"]) == []


@pytest.mark.parametrize(("value", "zone"), TIMESTAMP_CASES)
def test_hostile_operator_timestamp(value: str, zone: str | None, scenario: dict[str, Any],
                                    mo_server: Any) -> None:
    args = {**RESTORE, "timestamp": value, "timezone": zone}
    assert execute(mo_server, MatrixOnePITRRestoreOperator, args, scenario["conn_id"]) == []


def test_hostile_values_are_not_echoed_whole(scenario: dict[str, Any], mo_server: Any) -> None:
    """A 100,000-character value is described, not copied into the error (logs stay readable)."""
    op = MatrixOnePITRRestoreOperator(task_id="h", matrixone_conn_id=scenario["conn_id"],
                                      **_resolve({**RESTORE, "table": "x" * 100_000}, scenario["t"]))
    with pytest.raises(AirflowFailException) as err:
        op.execute(context())
    assert len(str(err.value)) < 1000


def test_the_valid_restore_goes_through(scenario: dict[str, Any], mo_server: Any) -> None:
    """Control: the same arguments with valid values are accepted, so the refusals above are real."""
    out = MatrixOnePITRRestoreOperator(task_id="ok", matrixone_conn_id=scenario["conn_id"],
                                       **_resolve(RESTORE, scenario["t"])).execute(context())
    assert out["check"]["status"] == "pass"
    assert tenant_sql(mo_server, ACC, ["select count(*) from db1.products"]) == [(9,)]
    assert TEST_PASSWORD not in repr(out)


@pytest.mark.parametrize("value", ["acc1\nERROR forged log line", "acc\x1b[31mred"], ids=["newline", "ansi"])
def test_hostile_control_characters_are_escaped_in_errors(value: str, scenario: dict[str, Any]) -> None:
    op = MatrixOnePITRRestoreOperator(task_id="h", matrixone_conn_id=scenario["conn_id"],
                                      **_resolve({**RESTORE, "pitr_name": value}, scenario["t"]))
    with pytest.raises(AirflowFailException) as err:
        op.execute(context())
    assert "\n" not in str(err.value) and "\x1b" not in str(err.value)


@pytest.mark.parametrize("value", ["10; drop", "ten", [1]], ids=["injection", "word", "list"])
def test_hostile_connection_extra_connect_timeout(value: Any, scenario: dict[str, Any], mo_server: Any) -> None:
    conn_id = set_connection("hostile_op_timeout", mo_server, f"{ACC}#admin", TENANT_PASSWORD, client="pymysql",
                             connect_timeout=value)
    mark = len(mo_server.statement_log.entries)
    op = MatrixOnePITRRestoreOperator(task_id="h", matrixone_conn_id=conn_id, **_resolve(RESTORE, scenario["t"]))
    with pytest.raises(AirflowFailException, match="connect_timeout"):
        op.execute(context())
    assert mo_server.statement_log.entries[mark:] == []
