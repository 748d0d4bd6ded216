"""Snapshot operators: create, drop and restore (grammar chosen per server line by the domain).

Undoing a PITR restore is restoring the safety snapshot the restore operator took:
``MatrixOneSnapshotRestoreOperator(snapshot_name=<result["safety_snapshot"]["name"]>, level=...)``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from airflow.sdk import BaseOperator

from airflow_provider_matrixone.operators._assets import DeclaresAssetAlias, declare_alias
from airflow_provider_matrixone.operators._common import (
    DEFAULT_CONN_ID,
    as_choice,
    domain_errors,
    make_hook,
    optional_str,
    workflow_flags,
)
from airflow_provider_matrixone.operators._readers import verification_readers
from airflow_provider_matrixone.operators._workflow import run_operator_restore
from airflow_provider_matrixone.pitr import errors, statements
from airflow_provider_matrixone.pitr.models import Level, Scope
from airflow_provider_matrixone.proof.assets import DEFAULT_ASSET_ALIAS
from airflow_provider_matrixone.restore import snapshot_request
from airflow_provider_matrixone.restore.snapshot import readable

__all__ = ["MatrixOneSnapshotCreateOperator", "MatrixOneSnapshotDropOperator", "MatrixOneSnapshotRestoreOperator"]


def _same(a: str | None, b: str | None) -> bool:
    return (a or "").lower() == (b or "").lower()


class MatrixOneSnapshotCreateOperator(BaseOperator):
    """Create a snapshot of a cluster, account, database or table.

    :param if_exists: ``skip`` (an existing snapshot of the same object is success) or ``fail``.
    """

    template_fields: Sequence[str] = ("matrixone_conn_id", "snapshot_name", "level", "account", "database", "table",
                                      "if_exists")
    ui_color = "#e4f7d2"

    def __init__(
        self,
        *,
        snapshot_name: str,
        level: str,
        account: str | None = None,
        database: str | None = None,
        table: str | None = None,
        if_exists: str = "skip",
        matrixone_conn_id: str = DEFAULT_CONN_ID,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.snapshot_name = snapshot_name
        self.level = level
        self.account = account
        self.database = database
        self.table = table
        self.if_exists = if_exists
        self.matrixone_conn_id = matrixone_conn_id

    def execute(self, context: Any) -> dict[str, Any]:
        with domain_errors(f"create snapshot {self.snapshot_name}"):
            mode = as_choice(self.if_exists, "if_exists", ("skip", "fail"))
            scope = Scope.build(self.level, account=optional_str(self.account), database=optional_str(self.database),
                                table=optional_str(self.table))
            statements.create_snapshot(self.snapshot_name, scope)
            hook = make_hook(self.matrixone_conn_id)
            if scope.level is Level.CLUSTER and not _same(hook.account, "sys"):
                raise errors.PermissionDenied("only sys tenant can create cluster level snapshot")
            if scope.level is Level.ACCOUNT and scope.account and not _same(scope.account, hook.account) \
                    and not _same(hook.account, "sys"):
                raise errors.PermissionDenied("only sys tenant can create tenant level snapshot for other tenant")
            existing = hook.get_snapshot(self.snapshot_name)
            if existing is not None:
                same = existing.level is scope.level and (
                    scope.level in (Level.CLUSTER, Level.ACCOUNT) or (
                        _same(existing.database, scope.database) and _same(existing.table, scope.table)))
                if mode == "fail" or not same:
                    raise errors.SnapshotAlreadyExists(
                        f"snapshot {existing.name} already exists ({existing.level.value} snapshot taken "
                        f"{existing.to_dict()['timestamp']})" + ("" if same else f", not of this {scope.level.value}"))
                self.log.info("snapshot %s already exists (taken %s): nothing to do", existing.name,
                              existing.to_dict()["timestamp"])
                return {**existing.to_dict(), "action": "unchanged"}
            snap = hook.create_snapshot(self.snapshot_name, scope.level, account=scope.account,
                                        database=scope.database, table=scope.table)
            self.log.info("created snapshot %s at %s", snap.name, snap.to_dict()["timestamp"])
            return {**snap.to_dict(), "action": "created"}


class MatrixOneSnapshotDropOperator(BaseOperator):
    """Drop a snapshot.

    :param if_missing: ``skip`` (succeed when already gone) or ``fail``.
    """

    template_fields: Sequence[str] = ("matrixone_conn_id", "snapshot_name", "if_missing")
    ui_color = "#e4f7d2"

    def __init__(
        self, *, snapshot_name: str, if_missing: str = "skip", matrixone_conn_id: str = DEFAULT_CONN_ID, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self.snapshot_name = snapshot_name
        self.if_missing = if_missing
        self.matrixone_conn_id = matrixone_conn_id

    def execute(self, context: Any) -> dict[str, Any]:
        with domain_errors(f"drop snapshot {self.snapshot_name}"):
            mode = as_choice(self.if_missing, "if_missing", ("skip", "fail"))
            statements.drop_snapshot(self.snapshot_name)
            hook = make_hook(self.matrixone_conn_id)
            snap = hook.get_snapshot(self.snapshot_name)
            if snap is None:
                if mode == "fail":
                    raise errors.SnapshotNotFound(f"snapshot {self.snapshot_name} does not exist")
                self.log.info("snapshot %s does not exist: nothing to drop (if_missing=skip)", self.snapshot_name)
                return {"name": self.snapshot_name, "action": "absent"}
            hook.drop_snapshot(snap.name)
            self.log.info("dropped snapshot %s", snap.name)
            return {**snap.to_dict(), "action": "dropped"}


class MatrixOneSnapshotRestoreOperator(DeclaresAssetAlias, BaseOperator):
    """Restore a cluster, account, database or table from a snapshot, through the one restore workflow.

    The same plan, guards, undo point, verification and report as a PITR restore
    (:func:`airflow_provider_matrixone.restore.run_restore`, T being the snapshot's instant) and as
    ``mo-pitr snapshot restore``. The statement form follows the server line: ``RESTORE ...
    {SNAPSHOT = 's'}`` on 4.x, ``RESTORE ACCOUNT a ... FROM SNAPSHOT s`` before 4.0. Without
    ``level`` the object is what is named (database/table, else account), else the snapshot's own
    (:func:`~airflow_provider_matrixone.pitr.restore_plan.snapshot_scope`).

    :param to_account: restore into another account (sys only).
    :param dry_run: / :param safety_snapshot: / :param fingerprint: / :param run_key: as for
        :class:`~airflow_provider_matrixone.operators.restore.MatrixOnePITRRestoreOperator`.
    :param verify: read the scope as the snapshot holds it (time travel to the snapshot's instant)
        before the RESTORE and compare the scope with it afterwards, by the same proof as the PITR
        restore (counts, columns, objects and, with ``fingerprint``, content). On by default; a check
        that is not ``VERIFIED`` fails the task. ``False`` restores unverified, on purpose.
    :param reference_conn_id: / :param verify_conn_id: read the scope at the snapshot's instant and
        the restored scope now; default: ``matrixone_conn_id`` when it is the account whose data is
        read, else the account's connection (``matrixone_<account>`` or the
        ``matrixone_account_connections`` Variable). Without a usable one the task is refused before
        anything changes (:mod:`~airflow_provider_matrixone.operators._readers`), never run unverified.
    :param probe_conn_id: an application login: once the scope verifies it reads each restored table;
        a refusal fails the task with ``MISMATCH`` naming the login, the table and the privilege (#26640).
    :param asset_alias: the ``AssetAlias`` outlet (default ``matrixone_verified_restore``; ``None``
        turns it off): on ``VERIFIED`` one event per restored table, ``extra["snapshot"]`` naming the source.
    """

    template_fields: Sequence[str] = ("matrixone_conn_id", "snapshot_name", "level", "account", "database", "table",
                                      "to_account", "dry_run_only", "safety_snapshot", "verify", "fingerprint",
                                      "run_key", "verify_conn_id", "reference_conn_id", "probe_conn_id")
    ui_color = "#e4f7d2"

    def __init__(
        self,
        *,
        snapshot_name: str,
        level: str | None = None,
        account: str | None = None,
        database: str | None = None,
        table: str | None = None,
        to_account: str | None = None,
        dry_run: bool | str = False,
        safety_snapshot: bool | str = True,
        verify: bool | str = True,
        fingerprint: bool | str = True,
        run_key: str | None = None,
        restore_timeout: float | None = 6 * 3600,
        matrixone_conn_id: str = DEFAULT_CONN_ID,
        verify_conn_id: str | None = None,
        reference_conn_id: str | None = None,
        probe_conn_id: str | None = None,
        asset_alias: str | None = DEFAULT_ASSET_ALIAS,
        **kwargs: Any,
    ) -> None:
        alias = declare_alias(asset_alias, kwargs)
        super().__init__(**kwargs)
        self.asset_alias = alias
        self.snapshot_name = snapshot_name
        self.level = level
        self.account = account
        self.database = database
        self.table = table
        self.to_account = to_account
        self.dry_run_only = dry_run
        self.safety_snapshot = safety_snapshot
        self.verify = verify
        self.fingerprint = fingerprint
        self.run_key = run_key
        self.restore_timeout = restore_timeout
        self.matrixone_conn_id = matrixone_conn_id
        self.verify_conn_id = verify_conn_id
        self.reference_conn_id = reference_conn_id
        self.probe_conn_id = probe_conn_id

    def execute(self, context: Any) -> dict[str, Any]:
        with domain_errors(f"restore snapshot {self.snapshot_name}"):
            dry_run_flag, flags = workflow_flags(self, verify_field="verify")
            level = optional_str(self.level)
            account, database, table = (optional_str(v) for v in (self.account, self.database, self.table))
            if level is not None:
                Scope.build(level, account=account, database=database, table=table)  # validate before any read
            hook = make_hook(self.matrixone_conn_id, read_timeout=self.restore_timeout)
            request = snapshot_request(hook, self.snapshot_name, level=level, account=account, database=database,
                                       table=table, to_account=optional_str(self.to_account),
                                       dry_run=dry_run_flag.enabled, **flags)
            if request.verify:  # fail closed: logins of the accounts read, or refused before any change
                ref_hook, verify_hook = verification_readers(
                    hook, self.matrixone_conn_id, request, reference_conn_id=optional_str(self.reference_conn_id),
                    verify_conn_id=optional_str(self.verify_conn_id), opt_out="verify=False")
            else:
                ref_hook = verify_hook = hook
            return run_operator_restore(
                self, context, hook, request, (ref_hook, verify_hook), dry_run_note=dry_run_flag.note,
                mismatch=f"snapshot {request.snapshot_name} restored but the scope does not match the snapshot",
                list_objects=request.verify or readable(hook, request), snapshot=request.snapshot_name)
