"""Booleans that are blank, ``None`` or not a boolean fail safe (issue 14, part 7).

Before: ``dry_run=""`` or ``dry_run="None"`` (an unset template) ran a real CREATE SNAPSHOT and
RESTORE. Now ``dry_run`` that is not clearly true/false means a dry run; every other flag refuses
with a clear error before any statement. Witnesses: the server's statement log, SHOW SNAPSHOTS and
the data itself.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import jinja2
import pytest
from airflow.sdk.exceptions import AirflowFailException

from airflow_provider_matrixone.operators.pitr import MatrixOnePITRCreateOperator
from airflow_provider_matrixone.operators.restore import MatrixOnePITRRestoreOperator
from airflow_provider_matrixone.sensors.restore import MatrixOneRestoreVerificationSensor
from tests.operators.support import context, mutating_since, now_after_pitr, tenant_sql

UNSET_TEMPLATE = jinja2.Template("{{ params.dry_run }}").render(params={"dry_run": None})  # "None"
UNDEFINED_TEMPLATE = jinja2.Template("{{ params.dry_run }}").render(params={})  # ""


@pytest.fixture
def incident(tenant: SimpleNamespace, mo_server: Any) -> SimpleNamespace:
    MatrixOnePITRCreateOperator(task_id="p", pitr_name="p_flags", level="account",
                                matrixone_conn_id=tenant.conn_id).execute(context())
    t = now_after_pitr()
    tenant_sql(mo_server, tenant.name, ["delete from db1.products where id > 3"])
    return SimpleNamespace(name=tenant.name, conn_id=tenant.conn_id, t=t.isoformat())


def _restore(incident: SimpleNamespace, **kw: Any) -> MatrixOnePITRRestoreOperator:
    return MatrixOnePITRRestoreOperator(task_id="r", pitr_name="p_flags", timestamp=incident.t, level="account",
                                        matrixone_conn_id=incident.conn_id, **kw)


@pytest.mark.parametrize("value", ["", "None", "null", "maybe", None, " ", UNSET_TEMPLATE, UNDEFINED_TEMPLATE, 2],
                         ids=["blank", "None-str", "null", "maybe", "None", "space", "unset-template",
                              "undefined-template", "int-2"])
def test_ambiguous_dry_run_is_a_dry_run(value: Any, incident: SimpleNamespace, mo_server: Any) -> None:
    snapshots_before = tenant_sql(mo_server, incident.name, ["show snapshots"])
    mark = len(mo_server.statement_log.entries)
    out = _restore(incident, dry_run=value).execute(context())
    assert mutating_since(mo_server, mark) == []
    assert out["dry_run"] is True and "treated as a dry run" in out["dry_run_note"]
    assert "restore" not in {p["phase"] for p in out["phases"]}
    assert tenant_sql(mo_server, incident.name, ["show snapshots"]) == snapshots_before
    assert tenant_sql(mo_server, incident.name, ["select count(*) from db1.products"]) == [(3,)]


@pytest.mark.parametrize("value", [False, "false", " FALSE ", "no", "0", 0])
def test_clear_false_still_restores(value: Any, incident: SimpleNamespace, mo_server: Any) -> None:
    out = _restore(incident, dry_run=value, safety_snapshot="no").execute(context())
    assert out["dry_run"] is False and "dry_run_note" not in out
    assert tenant_sql(mo_server, incident.name, ["select count(*) from db1.products"]) == [(9,)]


@pytest.mark.parametrize(("field", "value"), [("safety_snapshot", ""), ("safety_snapshot", "None"),
                                              ("capture_reference", "null"), ("fingerprint", "maybe"),
                                              ("fingerprint", None), ("safety_snapshot", "on")])
def test_other_ambiguous_flags_fail_before_any_statement(field: str, value: Any, incident: SimpleNamespace,
                                                         mo_server: Any) -> None:
    mark = len(mo_server.statement_log.entries)
    with pytest.raises(AirflowFailException) as info:
        _restore(incident, **{field: value}).execute(context())
    assert mo_server.statement_log.entries[mark:] == []
    assert field in str(info.value) and "true/false" in str(info.value)
    assert tenant_sql(mo_server, incident.name, ["select count(*) from db1.products"]) == [(3,)]


@pytest.mark.parametrize(("field", "value"), [("fingerprint", ""), ("fingerprint", "None"), ("deferrable", "None"),
                                              ("deferrable", "maybe")])
def test_sensor_ambiguous_flags_fail_before_any_statement(field: str, value: Any, incident: SimpleNamespace,
                                                          mo_server: Any) -> None:
    mark = len(mo_server.statement_log.entries)
    sensor = MatrixOneRestoreVerificationSensor(task_id="v", matrixone_conn_id=incident.conn_id,
                                                expected_counts={"db1.products": 3}, timeout=1, poke_interval=0.1,
                                                **{field: value})
    with pytest.raises(AirflowFailException, match=field):
        sensor.execute(context())
    assert mo_server.statement_log.entries[mark:] == []


def test_sensor_deferrable_false_string_pokes_instead_of_deferring(incident: SimpleNamespace) -> None:
    """``deferrable="False"`` (a rendered template) used to be truthy and defer."""
    sensor = MatrixOneRestoreVerificationSensor(task_id="v", matrixone_conn_id=incident.conn_id,
                                                expected_counts={"db1.products": 3}, timeout=2, poke_interval=0.1,
                                                deferrable="False")
    report = sensor.execute(context())
    assert report is None or report["status"] == "pass"
