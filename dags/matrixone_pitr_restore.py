"""On-call restore: plan, (stop if dry run), restore, verify, report.

Trigger it from the UI form or with
``airflow dags trigger matrixone_pitr_restore --conf '{"timestamp": "2024-10-28 17:30:00",
"timezone": "Asia/Shanghai", "level": "database", "account": "acc2", "database": "db1"}'``.

* ``plan`` validates every parameter before any SQL, picks the connection and PITR (a PITR is
  visible only to the account that created it; tenants are read through ``matrixone_<account>``
  connections), checks the recovery window, builds the exact RESTORE statement and reads the
  reference: the objects and row counts as they were at T (time travel). It changes nothing.
* ``restore`` is the provider's ``MatrixOnePITRRestoreOperator`` (safety snapshot = the undo point,
  reference at T, retry-safe RESTORE), fed by the plan; ``verify`` is the provider's
  ``MatrixOneRestoreVerificationSensor`` comparing the live data with that reference; ``report``
  prints the per-table verdict table. Uses params only, never the logical date: manual runs have
  none.
* With ``probe_conn_id`` (an application login's connection) the restore's own check also proves
  that login can read every restored table (MatrixOne #26640); a refusal fails the run with MISMATCH.
* On VERIFIED the ``verify`` task emits one asset event per restored table on the provider's
  default ``AssetAlias("matrixone_verified_restore")`` (``matrixone://host:port/account/db/table``,
  with T, the PITR, rows, digest and verdict), so a DAG scheduled on a table's asset runs on a
  proven restore point. The restore task's own events are turned off here (``asset_alias=None``):
  one event per table per run, from the last proof.
"""

from __future__ import annotations

import dataclasses
import logging
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import pendulum
from airflow.providers.standard.operators.hitl import ApprovalOperator
from airflow.sdk import Param, dag, get_current_context, task

from airflow_provider_matrixone.hooks import routing
from airflow_provider_matrixone.operators.restore import MatrixOnePITRRestoreOperator
from airflow_provider_matrixone.pitr.errors import MatrixOneError
from airflow_provider_matrixone.proof.assets import DEFAULT_ASSET_ALIAS
from airflow_provider_matrixone.restore import render_report, run, undo
from airflow_provider_matrixone.sensors.restore import MatrixOneRestoreVerificationSensor

if str(Path(__file__).parent) not in sys.path:
    sys.path.append(str(Path(__file__).parent))

from matrixone_dag_support import approval, connections, restore_request  # noqa: E402

# The task logger: lines logged here reach the task log before "Done. Returned value was", where
# print() output arrived through another stream and the UI folded it under "Post Execute".
log = logging.getLogger("airflow.task")

_NAME = {"type": ["null", "string"], "pattern": restore_request.NAME_PATTERN, "default": None}


def _params() -> dict[str, Param]:
    return {
        # No pattern: the provider's parser checks it in the plan task (same forms and sentences
        # as mo-pitr and the operators; the guide's "17:30: 00" is normalised with a note).
        "timestamp": Param(
            type="string",
            minLength=1,
            maxLength=restore_request.TIMESTAMP_MAX_LENGTH,
            title="Restore to (timestamp)",
            description="The instant to restore to: 2024-10-28 17:30:00 (read in 'timezone'), "
            "2024-10-28T09:30:00Z / +08:00, or epoch nanoseconds. Checked by the plan task before "
            "anything runs.",
        ),
        "timezone": Param(
            "UTC",
            type="string",
            pattern=restore_request.ZONE_PATTERN,
            title="Time zone of the timestamp",
            description="Zone a timestamp without offset is in: UTC, an IANA name (Asia/Shanghai), "
            "+08:00, or 'server' for the MatrixOne server's zone.",
        ),
        "pitr_name": Param(**_NAME, title="PITR name",
                           description="Leave empty to use the most specific PITR that covers the object."),
        "level": Param("account", type="string", enum=restore_request.LEVELS, title="Restore level",
                       description="account | database | table | cluster"),
        "account": Param(**_NAME, title="Account",
                         description="Account whose data is restored (empty: the connection's account)."),
        "database": Param(**_NAME, title="Database", description="For level database or table."),
        "table": Param(**_NAME, title="Table", description="For level table."),
        "target_account": Param(**_NAME, title="Restore beside into account",
                                description="Optional, level account only: restore the data into this "
                                "existing account instead of in place (needs a sys connection)."),
        "dry_run": Param(False, type="boolean", title="Dry run",
                         description="Plan and read the reference only; change nothing."),
        "safety_snapshot": Param(True, type="boolean", title="Safety snapshot",
                                 description="Snapshot what is about to be overwritten before restoring."),
        "require_approval": Param(False, type="boolean", title="Require approval",
                                  description="Show the plan (objects dropped or replaced, rows now vs at T, "
                                  "the SQL, the undo point) in an approval task and restore only when a "
                                  "human approves; reject or timeout restores nothing."),
        "fingerprint": Param(True, type="boolean", title="Fingerprint rows",
                             description="Also hash every row (slower, catches wrong values with right counts)."),
        "probe_conn_id": Param(None, type=["null", "string"], pattern=r"^[A-Za-z0-9_.-]{1,250}$",
                               title="Application login (access proof)",
                               description="Optional: an Airflow connection of the application's own login. "
                               "After the restore verifies, it reads each restored table; a table it cannot "
                               "read fails the run (MISMATCH naming the table and the missing privilege)."),
    }


@dag(
    dag_id="matrixone_pitr_restore",
    schedule=None,
    start_date=pendulum.datetime(2024, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    params=_params(),
    tags=["matrixone", "pitr", "restore", "on-call"],
    doc_md=__doc__,
)
def matrixone_pitr_restore() -> None:
    @task
    def plan() -> dict[str, Any]:
        """Validate, choose PITR and connections, build the SQL and the plan. Read-only."""
        params = get_current_context()["params"]
        request = restore_request.parse(dict(params))  # before any connection is opened
        router = routing.router(connections.DEFAULT_CONN_ID)
        if request.timezone == "server":
            request = restore_request.parse(dict(params), server_zone=router.default.server_timezone)
        route = router.route(request.workflow())
        wf = dataclasses.replace(request.workflow(), pitr_name=route.pitr.name,
                                 source_account=route.source_account)
        # The restore operator's own planner (the provider's workflow), with the same request it
        # will get: the dry run shows exactly the SQL and the objects it would drop, recreate or replace.
        restore_plan = run.plan(route.restore_ops, wf, source_ops=route.reference_ops, target_ops=route.verify_ops)
        ctx = get_current_context()
        # the same run key the restore task's operator derives, so the name shown is the one taken
        undo_point = undo.undo_point(restore_plan, route.restore_ops.account,
                                     f"{ctx['dag'].dag_id}/restore/{ctx['run_id']}/-1", wanted=request.safety_snapshot)
        result = {
            **route.to_dict(),
            "request": {**request.to_dict(), **wf.to_dict()},
            "sql": restore_plan.sql,
            "timestamp_server": restore_plan.server_literal,
            "server_timezone": restore_plan.server_timezone,
            "operator_account": wf.account if wf.level.value != "cluster" else None,
            "plan": restore_plan.to_dict(),
            "undo": undo_point,
        }
        what = _describe(result)
        undo_text = approval.undo_point(result, request.safety_snapshot)
        result["approval"] = {"subject": approval.subject(result, what), "body": approval.body(result, what, undo_text)}
        lines = [
            f"PLAN ({'dry run' if request.dry_run else 'will restore'})",
            f"  restore to   : {request.instant.isoformat()} UTC = '{restore_plan.server_literal}' in the server zone",
            *([f"  note         : {request.timestamp_note}"] if request.timestamp_note else []),
            f"  chosen       : {route.reason}",
            f"  run as       : account {result['restore_as']} (connection {result['restore_conn_id']})",
            f"  verify in    : account {result['verify_account']} (connection {result['verify_conn_id']})",
            "", restore_plan.render(), f"  undo point   : {undo_text}",
        ]
        log.info("%s", "\n".join(lines))
        return result

    @task.short_circuit
    def stop_if_dry_run(p: dict[str, Any]) -> bool:
        """A dry run ends here: nothing below runs, nothing was changed."""
        if p["request"]["dry_run"]:
            log.info("dry run: stopping before the restore; the plan above is what would run")
            return False
        return True

    @task.branch
    def approval_needed(p: dict[str, Any]) -> str:
        """With require_approval the restore waits for a human; otherwise it runs directly."""
        if p["request"].get("require_approval"):
            log.info("require_approval: waiting for a human in the approval task")
            return "approve"
        return "restore"

    approve = ApprovalOperator(
        task_id="approve",
        subject="{{ ti.xcom_pull(task_ids='plan')['approval']['subject'] }}",
        body="{{ ti.xcom_pull(task_ids='plan')['approval']['body'] }}",
        # no defaults: a timeout fails this task, so the restore never runs (upstream_failed)
        response_timeout=timedelta(hours=approval.RESPONSE_TIMEOUT_HOURS),
    )

    def _plan(key: str) -> str:
        return "{{ ti.xcom_pull(task_ids='plan')['" + key + "'] }}"

    def _req(key: str) -> str:
        return "{{ ti.xcom_pull(task_ids='plan')['request']['" + key + "'] }}"

    restore = MatrixOnePITRRestoreOperator(
        task_id="restore",
        matrixone_conn_id=_plan("restore_conn_id"),
        reference_conn_id=_plan("reference_conn_id"),
        verify_conn_id=_plan("verify_conn_id"),
        pitr_name="{{ ti.xcom_pull(task_ids='plan')['pitr']['name'] }}",
        timestamp=_req("at_ns"),  # the exact instant, parsed once in the plan task
        level=_req("level"),
        account=_plan("operator_account"),
        database=_req("database"),
        table=_req("table"),
        target_account=_req("target_account"),
        source_account=_plan("source_account"),
        safety_snapshot="{{ params.safety_snapshot }}",
        fingerprint="{{ params.fingerprint }}",
        capture_reference=True,
        probe_conn_id="{{ params.probe_conn_id }}",  # "None" when unset: no access proof
        asset_alias=None,  # the verify task emits the asset events (one per table per run)
        # runs after approval, or directly when no approval is required (the branch skipped it);
        # a rejection skips it, a timeout fails `approve` and this becomes upstream_failed
        trigger_rule="none_failed_min_one_success",
    )

    verify = MatrixOneRestoreVerificationSensor(
        task_id="verify",
        matrixone_conn_id=_plan("verify_conn_id"),
        verify_conn_id=_plan("verify_conn_id"),
        reference="{{ ti.xcom_pull(task_ids='restore') }}",
        fingerprint="{{ params.fingerprint }}",
        # waits in the triggerer: a worker slot is not held while the restored data settles
        deferrable=True,
        check_before_deferring=False,
        # Airflow 3.3 may fail a deferred task whose trigger fires before the scheduler drained the
        # worker's defer-exit event ("finished with state success, but ... running";
        # apache/airflow#72716, #71580). Verification only reads, so a retry is safe.
        retries=2,
        retry_delay=timedelta(seconds=5),
        poke_interval=2,
        timeout=120,
    )

    @task
    def report(p: dict[str, Any], r: dict[str, Any], v: dict[str, Any]) -> dict[str, Any]:
        """The per-table verdict table, the SQL, the undo point and the phase timings."""
        verdicts = [
            {"account": v.get("account") or p["verify_account"], "table": t["table"],
             "expected_rows": t["expected_rows"], "actual_rows": t["actual_rows"],
             "verdict": str(t["verdict"]),
             "detail": "; ".join(t.get("reasons") or []) or ("counts, columns and content match"
                                                            if t.get("expected_fingerprint") else
                                                            "counts and columns match")}
            for t in v.get("tables", [])
        ]
        snapshot = (r.get("safety_snapshot") or {}).get("name")
        text = "\n".join([
            f"Restore of {_describe(p)} to {p['timestamp_server']} ({p['server_timezone']}) with pitr "
            f"{p['pitr']['name']}",
            f"SQL: {r.get('sql')}",
            f"Safety snapshot (undo point): {snapshot or 'none'}",
            f"Verification (sensor): {v.get('summary')}",
            f"Access proof: {_access(r)}",
            f"Asset events: {len(v.get('assets') or [])} on alias {DEFAULT_ASSET_ALIAS}",
            render_report(r),
        ])
        log.info("%s", text)  # before returning: the report sits above the return value in the task log
        bad = [x for x in verdicts if x["verdict"] != "VERIFIED"]
        if bad:
            raise MatrixOneError("restore: verification failed for " + ", ".join(
                f"{x['table']}: {x['verdict']} ({x['detail']})" for x in bad[:10]))
        return {"ok": True, "verdicts": verdicts, "safety_snapshot": snapshot, "report": text}

    p: Any = plan()
    gate: Any = approval_needed(p)
    stop_if_dry_run(p) >> gate
    gate >> approve >> restore
    gate >> restore
    restore >> verify
    restored: Any = restore.output
    verified: Any = verify.output
    report(p, restored, verified)


def _access(r: dict[str, Any]) -> str:
    """The restore check's access proof in one line (absent without probe_conn_id)."""
    access = (r.get("check") or {}).get("access")
    if not access:
        return "not asked (no probe_conn_id)"
    return f"{access['verdict']}: login {access['login']} read {access['tables_read']} restored table(s)"


def _describe(p: dict[str, Any]) -> str:
    """'table db2.orders of account acc2', 'account acc1 into account drill_x', 'the cluster'."""
    req = p["request"]
    account = req["account"] or p["verify_account"]
    if req["level"] == "cluster":
        return "the cluster"
    if req["level"] == "account":
        beside = f" into account {req['target_account']}" if req["target_account"] else ""
        return f"account {account}{beside}"
    obj = req["database"] + (f".{req['table']}" if req["level"] == "table" else "")
    return f"{req['level']} {obj} of account {account}"


matrixone_pitr_restore()
