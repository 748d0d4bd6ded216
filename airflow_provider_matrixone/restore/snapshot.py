"""A restore from a snapshot, as a request of the one workflow (:func:`.run.run_restore`).

Why a module of its own: a snapshot request is built from the snapshot itself (its instant is T,
its object the default scope), so it needs one read (SHOW SNAPSHOTS) before the workflow starts.
``mo-pitr snapshot restore`` and :class:`MatrixOneSnapshotRestoreOperator` both build their
request here and then run the same plan, undo point, RESTORE, verification and report as a PITR
restore; which object a request means is :func:`~airflow_provider_matrixone.pitr.restore_plan.snapshot_scope`,
whether the snapshot may serve it :func:`~airflow_provider_matrixone.pitr.guards.check_snapshot_covers`.
"""

from __future__ import annotations

from typing import Any

from airflow_provider_matrixone.pitr import errors
from airflow_provider_matrixone.pitr.guards import check_snapshot_covers
from airflow_provider_matrixone.pitr.models import Level
from airflow_provider_matrixone.pitr.restore_plan import snapshot_scope
from airflow_provider_matrixone.sql_io.operations import PitrOperations

from .request import RestoreRequest

__all__ = ["readable", "snapshot_request"]


def readable(ops: PitrOperations, request: RestoreRequest) -> bool:
    """Whether ``ops`` can list and verify the request's objects: MatrixOne shows an account's objects
    (now and at T) only to that account; a cluster restore lists the connected account's."""
    if request.level is Level.CLUSTER:
        return True
    own = ops.account.lower()
    return (request.account or own).lower() == own and (request.target_account or own).lower() == own


def snapshot_request(ops: PitrOperations, snapshot_name: str, *, level: Any = None, account: str | None = None,
                     database: str | None = None, table: str | None = None, to_account: str | None = None,
                     dry_run: bool = False, safety_snapshot: bool = True, verify: bool = True,
                     fingerprint: bool = True) -> RestoreRequest:
    """The workflow request for restoring ``snapshot_name``; refuses an object the snapshot does not serve.

    ``to_account`` restores the account's data into another account (``TO ACCOUNT``, sys only).
    ``verify`` is kept as asked, never turned off here: verifying another account's restore needs
    connections of that account (the workflow's ``source_ops``/``target_ops``), and an entry point
    that has none refuses before anything changes (``mo-pitr --verify``: ``require_own_account``;
    the operator: ``operators._readers``) rather than restoring unverified.
    """
    snap = ops.get_snapshot(snapshot_name)
    if snap is None:
        raise errors.SnapshotNotFound(f"snapshot {snapshot_name} does not exist (for account {ops.account})")
    scope = snapshot_scope(snap, ops.account, level=level, account=account, database=database, table=table)
    # a snapshot serves its own object only (#27116; v4.2.0 and older restore it anyway): refused here,
    # before a confirmation prompt, and again by the plan
    check_snapshot_covers(snap.name, snap.level, snap.database, snap.table, scope)
    return RestoreRequest.build(
        pitr_name=None, level=scope.level, instant=snap.ts_ns, account=scope.account, database=scope.database,
        table=scope.table, target_account=to_account, dry_run=dry_run, safety_snapshot=safety_snapshot,
        verify=verify, fingerprint=fingerprint,
    ).from_snapshot(snap.name)
