"""require_approval: the restore DAG parks in Airflow's human-in-the-loop ApprovalOperator with the
plan as its body and restores only on Approve; Reject or a timeout restores nothing.

dag.test() keeps a run alive while a task is AWAITING_INPUT and waits for a response recorded
from outside (dag.py: "the Required Actions UI or the HITL REST API of an api-server sharing this
metadata DB"). A responder thread records it the way the API route does (HITLDetail +
handle_event_submit), and a timeout the way the scheduler's AWAITING_INPUT sweep does."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pendulum
import pytest

from tests.dags.conftest import private_acc1_server, task_states, use_acc1_connections
from tests.provider.support import TENANT_PASSWORD, sql_as

ACC = "acc1"
DAG_ID = "matrixone_pitr_restore"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    with private_acc1_server(tmp_path_factory, "mo-approval") as srv:
        yield srv


@pytest.fixture
def conns(server: Any, sys_conn: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    return use_acc1_connections(server, monkeypatch)


def _rows(server: Any) -> int:
    return int(sql_as(server, f"{ACC}#admin", TENANT_PASSWORD, ["select count(*) from db1.t"])[0][0])


def _respond(option: str | None, seen: dict[str, Any], started: datetime, done: threading.Event) -> None:
    """Wait for *this run's* approval task to park, then answer ``option`` (None: let it time out).

    It waits until the DAG run has ended rather than for a fixed time: giving up while ``dag.test()``
    still waits for an answer would hang the test for the approval's 4 h timeout (seen once on a
    loaded machine). Only an approval task that started after this responder is answered, never one
    parked by an earlier test's run.
    """
    from airflow.models.hitl import HITLDetail, HITLUser  # noqa: PLC0415
    from airflow.models.taskinstance import TaskInstance as TI  # noqa: PLC0415
    from airflow.models.trigger import handle_event_submit  # noqa: PLC0415
    from airflow.triggers.base import TriggerEvent  # noqa: PLC0415
    from airflow.utils.session import create_session  # noqa: PLC0415
    from airflow.utils.state import TaskInstanceState  # noqa: PLC0415
    from sqlalchemy import select  # noqa: PLC0415

    while not done.is_set():
        with create_session() as session:
            ti = session.scalars(select(TI).where(TI.dag_id == DAG_ID, TI.task_id == "approve",
                                                  TI.state == TaskInstanceState.AWAITING_INPUT,
                                                  TI.start_date >= started)).first()
            if ti is None:
                time.sleep(0.3)
                continue
            detail = session.scalar(select(HITLDetail).where(HITLDetail.ti_id == ti.id))
            seen.update(subject=detail.subject, body=detail.body, options=list(detail.options),
                        timeout=ti.trigger_timeout)
            if option is None:
                # the scheduler's sweep for a request without defaults (check_awaiting_input_timeouts)
                event = {"error": "The Human-in-the-loop response timeout has passed without a response.",
                         "error_type": "timeout"}
            else:
                # what PATCH .../hitlDetails does (routes/public/hitl.py: update_hitl_detail)
                detail.responded_by = HITLUser(id="oncall", name="oncall")
                detail.responded_at = datetime.now(UTC)
                detail.chosen_options = [option]
                detail.params_input = {}
                session.add(detail)
                event = detail.as_resume_event_payload()
            handle_event_submit(TriggerEvent(event), task_instance=ti, session=session)
            return
    seen["error"] = "the approval task never reached AWAITING_INPUT"


def _run_with_answer(run_dag: Callable[..., Any], server: Any, option: str | None,
                     timestamp: str | None = None) -> tuple[Any, dict[str, Any]]:
    seen: dict[str, Any] = {}
    done = threading.Event()
    responder = threading.Thread(target=_respond, args=(option, seen, datetime.now(UTC), done), daemon=True)
    responder.start()
    try:
        dr = run_dag(DAG_ID, {"timestamp": timestamp or server.t, "level": "account", "account": ACC,
                              "require_approval": True})
    finally:
        done.set()
    responder.join(timeout=5)
    assert "error" not in seen, seen
    return dr, seen


def test_approve_shows_the_plan_then_restores(run_dag: Any, conns: Any) -> None:
    sql_as(conns, f"{ACC}#admin", TENANT_PASSWORD, ["delete from db1.t where id > 1"])
    typo = pendulum.parse(conns.t).in_timezone("UTC").strftime("%Y-%m-%d %H:%M: %S.%f")  # the guide's form
    dr, seen = _run_with_answer(run_dag, conns, "Approve", typo)
    assert str(dr.state) == "success", task_states(dr)
    assert task_states(dr)["restore"] == "success" and task_states(dr)["verify"] == "success"
    assert _rows(conns) == 3
    assert seen["options"] == ["Approve", "Reject"]
    assert seen["subject"].startswith(f"Approve restore of account {ACC} to ")
    body = seen["body"]
    assert "| db1.t | replace | 1 | 3 |" in body  # rows now vs at T
    assert "RESTORE FROM PITR `pitr1`" in body
    assert "Undo point: safety snapshot `mo_safety_" in body
    assert f"Note: normalised timestamp {typo!r}" in body
    assert seen["timeout"] is not None and seen["timeout"] - datetime.now(UTC) > timedelta(hours=3)


def test_reject_restores_nothing(run_dag: Any, conns: Any) -> None:
    sql_as(conns, f"{ACC}#admin", TENANT_PASSWORD, ["delete from db1.t where id > 1"])
    before = len(conns.statement_log.mutating())
    dr, _ = _run_with_answer(run_dag, conns, "Reject")
    states = task_states(dr)
    assert states["approve"] == "success" and states["restore"] == "skipped", states
    assert states["verify"] == "skipped" and states["report"] == "skipped", states
    assert conns.statement_log.mutating()[before:] == []
    assert _rows(conns) == 1


def test_timeout_restores_nothing(run_dag: Any, conns: Any) -> None:
    sql_as(conns, f"{ACC}#admin", TENANT_PASSWORD, ["delete from db1.t where id > 1"])
    before = len(conns.statement_log.mutating())
    dr, _ = _run_with_answer(run_dag, conns, None)
    states = task_states(dr)
    assert str(dr.state) == "failed", states
    assert states["approve"] == "failed" and states["restore"] == "upstream_failed", states
    assert conns.statement_log.mutating()[before:] == []
    assert _rows(conns) == 1


def test_without_approval_the_approval_task_is_skipped(run_dag: Any, conns: Any) -> None:
    dr = run_dag(DAG_ID, {"timestamp": conns.t, "level": "account", "account": ACC, "require_approval": False,
                          "safety_snapshot": False})
    states = task_states(dr)
    assert str(dr.state) == "success", states
    assert states["approve"] == "skipped" and states["restore"] == "success", states
