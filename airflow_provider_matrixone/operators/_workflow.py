"""The Airflow half of a restore operator's run: the one workflow, its report, its verdict, its events.

Why one function: the PITR and the snapshot restore operators differ only in how they build the
request (a PITR and a timestamp, or a snapshot) and in what names the restore point of their asset
events; running :func:`~airflow_provider_matrixone.restore.run_restore`, logging the report before
the task returns (so it sits above the return value in the task log), failing on anything but
``VERIFIED`` and emitting the asset events are the same, and live here once.
"""

from __future__ import annotations

from typing import Any

from airflow.sdk.exceptions import AirflowException

from airflow_provider_matrixone.operators._assets import emit_check_events
from airflow_provider_matrixone.operators._common import make_hook, optional_str, workflow_run_key
from airflow_provider_matrixone.restore import RestoreRequest, render_report, run_restore

__all__ = ["run_operator_restore"]


def run_operator_restore(task: Any, context: Any, hook: Any, request: RestoreRequest, readers: tuple[Any, Any], *,
                         mismatch: str, hint: str = "", dry_run_note: str | None = None, list_objects: bool = True,
                         pitr: str | None = None, snapshot: str | None = None) -> dict[str, Any]:
    """Run ``request`` for ``task`` (its ``probe_conn_id``, ``asset_alias``, ``run_key``, ``log``).

    ``readers`` are (reads the source at T, reads the restored scope now), from
    :mod:`._readers`. ``mismatch`` opens the failure when the check is not ``VERIFIED``, ``hint``
    ends it. ``pitr`` / ``snapshot`` name the restore point in the asset events.
    """
    ref_hook, verify_hook = readers
    run_key, try_number = workflow_run_key(context, task)
    probe_id = optional_str(task.probe_conn_id)
    result = run_restore(hook, request, run_key=run_key, attempt=try_number, source_ops=ref_hook,
                         target_ops=verify_hook, logger=task.log, list_objects=list_objects,
                         probe_ops=make_hook(probe_id) if probe_id else None)
    if dry_run_note:
        result["dry_run_note"] = dry_run_note
    # logged before returning: the report sits above the return value in the task log
    task.log.info("restore report:\n%s", render_report(result))
    if not result["ok"]:
        check = result["check"]
        if (check.get("access") or {}).get("verdict") == "MISMATCH":
            raise AirflowException("restore landed and its content verified, but the application login "
                                   f"cannot read it: {check['summary']}\n"
                                   + "\n".join(f"  MISMATCH: {r}" for r in check["access"]["reasons"]))
        raise AirflowException(f"{mismatch}: {check['summary']}{hint}\n"
                               + "\n".join(f"  {check['verdict']}: {r}" for r in check["reasons"][:20]))
    if task.asset_alias and (result.get("check") or {}).get("verdict") == "VERIFIED":
        result["assets"] = emit_check_events(context, task.asset_alias, verify_hook, result["check"], task.log,
                                             pitr=pitr, snapshot=snapshot)
    return result
