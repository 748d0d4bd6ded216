"""The undo point: ONE policy for the safety snapshot taken right before a RESTORE.

Scope: exactly the restored scope (a table restore snapshots that table, a database restore that
database, an account restore that account, a cluster restore the cluster); nothing when the object
does not exist now (undo then means dropping it again). Name: derived from the run key (who runs
this restore: an Airflow run and task, or ``mo-pitr --run-key``) and the scope, so a retry of the
same run finds the snapshot of its first attempt instead of snapshotting an already-restored scope.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

from airflow_provider_matrixone.pitr import errors
from airflow_provider_matrixone.pitr.models import Level, Scope
from airflow_provider_matrixone.pitr.restore_plan import RECREATE, RestorePlan
from airflow_provider_matrixone.sql_io.operations import PitrOperations

PREFIX = "mo_safety_"


def scope_key(plan: RestorePlan) -> str:
    """``account_acc1``, ``table_acc2_db2_orders``: what the undo point covers, readable."""
    s = plan.scope
    parts = [s.level.value, plan.target_account or "", s.database or "", s.table or ""]
    return "_".join(p for p in parts if p)


def undo_name(run_key: str, key: str) -> str:
    """Deterministic, valid (``[a-z0-9_]``, <= 64 chars) snapshot name for one run and scope."""
    digest = hashlib.sha256(f"{run_key}\x1f{key}".encode()).hexdigest()
    slug = re.sub(r"[^a-z0-9]+", "_", key.lower()).strip("_")[:30]
    return f"{PREFIX}{digest[:16]}_{slug}"[:64].rstrip("_")


def undo_scope(plan: RestorePlan, caller_account: str) -> Scope | None:
    """The restored scope, as the caller's CREATE SNAPSHOT needs it; None when nothing exists to keep."""
    s = plan.scope
    if s.level is Level.CLUSTER:
        return Scope(Level.CLUSTER)
    if s.level is Level.ACCOUNT:
        target = plan.target_account
        return Scope(Level.ACCOUNT, None if target.lower() == caller_account.lower() else target)
    if plan.target_account.lower() != caller_account.lower():
        # a database or table snapshot is always of the connected account: another account's
        # database can only be kept through that account's snapshot
        return Scope(Level.ACCOUNT, plan.target_account)
    absent = [a for a in (plan.databases if s.level is Level.DATABASE else plan.tables) if a.action == RECREATE]
    if absent and plan.listed:
        return None
    return Scope(s.level, None, s.database, s.table)


def describe(scope: Scope | None) -> dict[str, Any] | None:
    return None if scope is None else scope.to_dict()


def undo_point(plan: RestorePlan, caller_account: str, run_key: str, *, wanted: bool = True) -> dict[str, Any]:
    """``{"name", "scope"}`` of the undo point a run will take (both None when none is taken).

    What the workflow records and what a plan shown for approval announces: one computation.
    """
    scope = undo_scope(plan, caller_account) if wanted else None
    return {"name": undo_name(run_key, scope_key(plan)) if scope else None, "scope": describe(scope)}


def take(ops: PitrOperations, plan: RestorePlan, name: str, *, create: bool,
         log: Any) -> dict[str, Any] | None:
    """Reuse the snapshot of an earlier attempt, or take it; None when there is nothing to protect."""
    existing = ops.get_snapshot(name)
    if existing is not None:
        log.info("safety snapshot %s exists from an earlier attempt (taken %s): reusing it", name,
                 existing.to_dict()["timestamp"])
        return {**existing.to_dict(), "reused": True}
    if not create:
        return None
    scope = undo_scope(plan, ops.account)
    if scope is None:
        log.info("no safety snapshot: the %s does not exist now, so undo means dropping it", plan.scope.level.value)
        return None
    try:
        snap = ops.create_snapshot(name, scope.level, account=scope.account, database=scope.database,
                                   table=scope.table)
    except errors.ObjectNotFound as exc:
        log.info("no safety snapshot: %s (nothing current to protect)", exc)
        return None
    log.info("safety snapshot %s taken at %s (%s); undo with a snapshot restore of %s", snap.name,
             snap.to_dict()["timestamp"], scope.level.value, snap.name)
    return {**snap.to_dict(), "reused": False}
