"""matrixone_pitr_restore on a private server with a sys cluster PITR (sys may own only one):
the issue-12 PITR choice, verification deferred to the triggerer, the report logged before return."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import pendulum
import pytest

from tests.dags.conftest import (
    private_acc1_server,
    task_states,
    use_acc1_connections,
    xcom,
)
from tests.provider.support import TENANT_PASSWORD, sql_as

ACC = "acc1"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """The guide's acc1 with its own account PITR, and sys's cluster PITR; T after both."""
    with private_acc1_server(tmp_path_factory, "mo-select", cluster_pitr=True) as srv:
        yield srv


@pytest.fixture
def conns(server: Any, sys_conn: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    return use_acc1_connections(server, monkeypatch)


def _tenant(server: Any, statements: list[str]) -> list:
    return sql_as(server, f"{ACC}#admin", TENANT_PASSWORD, statements)


def test_unnamed_account_restore_uses_the_accounts_own_pitr_not_sys_cluster(run_dag: Any, conns: Any) -> None:
    """Issue 12: level=account account=acc1 without a name chose sys's cluster PITR `cl`."""
    before = len(conns.statement_log.mutating())
    dr = run_dag("matrixone_pitr_restore", {"timestamp": conns.t, "level": "account", "account": ACC,
                                            "dry_run": True})
    assert str(dr.state) == "success", task_states(dr)
    plan = xcom(dr, "plan")
    assert plan["pitr"]["name"] == "pitr1" and plan["restore_as"] == ACC
    assert plan["sql"].startswith("RESTORE FROM PITR `pitr1`")
    assert plan["pitr_choice"].startswith("pitr1: account-level PITR created by acc1")
    assert "cl (cluster, by sys)" in plan["pitr_choice"]
    assert conns.statement_log.mutating()[before:] == []


def test_verification_runs_in_the_trigger_and_the_report_is_logged_before_return(
        run_dag: Any, conns: Any, caplog: pytest.LogCaptureFixture, capfd: pytest.CaptureFixture[str]) -> None:
    _tenant(conns, ["delete from db1.t where id > 1"])
    caplog.set_level(logging.INFO)
    dr = run_dag("matrixone_pitr_restore", {"timestamp": conns.t, "level": "account", "account": ACC,
                                            "safety_snapshot": False})
    assert str(dr.state) == "success", task_states(dr)
    assert _tenant(conns, ["select count(*) from db1.t"])[0][0] == 3
    messages = [r.getMessage() for r in caplog.records]
    # the sensor handed the comparison to the trigger (dag.test runs it inline); operator loggers
    # are structlog's and write to the captured streams, not to caplog
    captured = "".join(capfd.readouterr())
    assert "deferring: the triggerer compares 1 table(s)" in captured
    assert "restore VERIFIED by the trigger after 1 polls" in captured
    assert "restore VERIFIED before deferring" not in captured
    # the report went through the task logger (print() reached the UI after the return value)
    report = [m for m in messages if m.startswith("Restore of account acc1")]
    assert report and "SQL: RESTORE FROM PITR `pitr1`" in report[0] and "Safety snapshot (undo point)" in report[0]
    assert xcom(dr, "report")["ok"] is True


def test_sensor_deferrable_defaults_to_the_operators_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    """`[operators] default_deferrable` decides the default, read when the module is imported."""
    import subprocess  # noqa: PLC0415
    import sys  # noqa: PLC0415

    code = ("from airflow_provider_matrixone.sensors.restore import MatrixOneRestoreVerificationSensor as S; "
            "print(S(task_id='v', expected_counts={'db1.t': 1}).deferrable)")
    seen = {}
    for value in ("True", "False"):
        env = {**__import__("os").environ, "AIRFLOW__OPERATORS__DEFAULT_DEFERRABLE": value}
        out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120,
                             check=True)
        seen[value] = out.stdout.strip().splitlines()[-1]
    assert seen == {"True": "True", "False": "False"}


def test_the_guides_stray_space_runs_with_a_note(run_dag: Any, conns: Any,
                                                 caplog: pytest.LogCaptureFixture) -> None:
    t = pendulum.parse(conns.t).in_timezone("UTC")
    typo = t.strftime("%Y-%m-%d %H:%M: %S.%f")  # the guide's "17:30: 00"
    caplog.set_level(logging.INFO)
    dr = run_dag("matrixone_pitr_restore", {"timestamp": typo, "level": "account", "account": ACC, "dry_run": True})
    assert str(dr.state) == "success", task_states(dr)
    plan = xcom(dr, "plan")
    assert plan["request"]["instant"] == t.isoformat()
    assert plan["request"]["timestamp_note"].startswith(f"normalised timestamp {typo!r}")
    assert any("note         : normalised timestamp" in r.getMessage() for r in caplog.records)


def test_a_bad_timestamp_fails_the_plan_with_the_parsers_sentence(run_dag: Any, conns: Any,
                                                                   capfd: pytest.CaptureFixture[str]) -> None:
    before = len(conns.statement_log.entries)
    dr = run_dag("matrixone_pitr_restore", {"timestamp": "yesterday noon", "level": "account", "account": ACC})
    states = task_states(dr)
    assert str(dr.state) == "failed" and states["plan"] == "failed", states
    assert conns.statement_log.entries[before:] == []  # refused before any connection
    assert "invalid timestamp 'yesterday noon': not a recognised timestamp" in "".join(capfd.readouterr())
