"""Snapshot operators: create, drop and restore (grammar chosen per server line by the domain).

Undoing a PITR restore is restoring the safety snapshot the restore operator took:
``MatrixOneSnapshotRestoreOperator(snapshot_name=<result["safety_snapshot"]["name"]>, level=...)``.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from airflow.sdk import BaseOperator
from airflow.sdk.exceptions import AirflowException

from airflow_provider_matrixone.operators._assets import declare_alias, emit_check_events
from airflow_provider_matrixone.operators._common import (
    DEFAULT_CONN_ID,
    as_bool,
    as_choice,
    domain_errors,
    make_hook,
    optional_str,
)
from airflow_provider_matrixone.pitr import errors, statements
from airflow_provider_matrixone.pitr.guards import check_snapshot_covers
from airflow_provider_matrixone.pitr.models import Level, Scope
from airflow_provider_matrixone.pitr.verify import capture_reference
from airflow_provider_matrixone.proof.assets import DEFAULT_ASSET_ALIAS
from airflow_provider_matrixone.restore.run import PhaseTimer, check_restored

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


class MatrixOneSnapshotRestoreOperator(BaseOperator):
    """Restore a cluster, account, database or table from a snapshot.

    The statement form follows the server line: ``RESTORE ... {SNAPSHOT = 's'}`` on 4.x,
    ``RESTORE ACCOUNT a ... FROM SNAPSHOT s`` before 4.0. ``level``/objects default to the
    snapshot's own (read from SHOW SNAPSHOTS).

    :param to_account: restore into another account (sys only); verifying it needs ``verify_conn_id``
        (a login of that account: an account reads only its own data), else the check is skipped.
    :param reference_conn_id: reads the scope at the snapshot's instant; defaults to
        ``matrixone_conn_id``. When sys restores another account's snapshot, give a login of that
        account here (and in ``verify_conn_id``); without one the check is skipped with a warning.
    :param verify: read the scope as the snapshot holds it (time travel to the snapshot's instant)
        before the RESTORE and compare the scope with it afterwards, by the same proof as the PITR
        restore (counts, columns, objects and, with ``fingerprint``, content). On by default; a check
        that is not ``VERIFIED`` fails the task.
    :param fingerprint: prove content as well (default); ``False`` compares counts and columns.
    :param verify_conn_id: connection that reads the restored scope now; defaults to ``matrixone_conn_id``.
    :param probe_conn_id: an application login: once the scope verifies it reads each restored table;
        a refusal fails the task with ``MISMATCH`` naming the login, the table and the privilege (#26640).
    :param asset_alias: the ``AssetAlias`` outlet (default ``matrixone_verified_restore``; ``None``
        turns it off): on ``VERIFIED`` one event per restored table, ``extra["snapshot"]`` naming the source.
    """

    template_fields: Sequence[str] = ("matrixone_conn_id", "snapshot_name", "level", "account", "database", "table",
                                      "to_account", "verify", "fingerprint", "verify_conn_id", "reference_conn_id",
                                      "probe_conn_id")
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
        restore_timeout: float | None = 6 * 3600,
        matrixone_conn_id: str = DEFAULT_CONN_ID,
        verify: bool | str = True,
        fingerprint: bool | str = True,
        verify_conn_id: str | None = None,
        reference_conn_id: str | None = None,
        probe_conn_id: str | None = None,
        asset_alias: str | None = DEFAULT_ASSET_ALIAS,
        **kwargs: Any,
    ) -> None:
        alias = declare_alias(asset_alias, kwargs)
        super().__init__(**kwargs)
        self.asset_alias = alias
        self.verify = verify
        self.fingerprint = fingerprint
        self.verify_conn_id = verify_conn_id
        self.reference_conn_id = reference_conn_id
        self.probe_conn_id = probe_conn_id
        self.snapshot_name = snapshot_name
        self.level = level
        self.account = account
        self.database = database
        self.table = table
        self.to_account = to_account
        self.restore_timeout = restore_timeout
        self.matrixone_conn_id = matrixone_conn_id

    def execute(self, context: Any) -> dict[str, Any]:
        with domain_errors(f"restore snapshot {self.snapshot_name}"):
            hook = make_hook(self.matrixone_conn_id, read_timeout=self.restore_timeout)
            level = optional_str(self.level)
            account, database, table = (optional_str(v) for v in (self.account, self.database, self.table))
            to_account = optional_str(self.to_account)
            if level is not None:
                Scope.build(level, account=account, database=database, table=table)  # validate before any read
            snap = hook.get_snapshot(self.snapshot_name)
            if snap is None:
                raise errors.SnapshotNotFound(f"snapshot {self.snapshot_name} does not exist")
            if level is None:
                level, database, table = snap.level.value, snap.database, snap.table
                account = account or (snap.account if snap.level is Level.ACCOUNT else None)
            scope = Scope.build(level, account=account or (None if level == "cluster" else hook.account),
                                database=database, table=table)
            # a snapshot serves its own object only (#27116; v4.2.0 and older restore it anyway)
            check_snapshot_covers(snap.name, snap.level, snap.database, snap.table, scope)
            sql = statements.restore_snapshot(snap.name, scope, version=hook.version, to_account=to_account)
            readers, skipped = self._readers(hook, scope, to_account) if as_bool(self.verify, "verify") else \
                (None, "verify=False")
            timer = PhaseTimer(self.log)
            reference = None
            if readers is not None:  # read before the RESTORE: the restore may destroy what it reads
                with timer.phase("reference"):
                    reference = capture_reference(readers[0], scope, snap.ts_ns, target_account=to_account,
                                                  fingerprint=as_bool(self.fingerprint, "fingerprint"))
            self.log.info("restoring from snapshot %s (taken %s): %s", snap.name, snap.to_dict()["timestamp"], sql)
            start = time.monotonic()
            with timer.phase("restore"):
                hook.execute(sql)
            duration = round(time.monotonic() - start, 6)
            self.log.info("snapshot restore finished in %.3f s", duration)
            result: dict[str, Any] = {"snapshot": snap.to_dict(), "scope": scope.to_dict(), "to_account": to_account,
                                      "sql": sql, "duration_s": duration, "phases": timer.phases, "check": None,
                                      "check_skipped": skipped}
            if reference is None or readers is None:
                return result
            ref_hook, verify_hook = readers
            probe_id = optional_str(self.probe_conn_id)
            check = check_restored(verify_hook, reference, timer=timer, logger=self.log,
                                   probe_ops=make_hook(probe_id) if probe_id else None, source_ops=ref_hook)
            result["check"] = check
        if check["status"] != "pass":
            raise AirflowException(f"snapshot {snap.name} restored but the scope does not match the snapshot: "
                                   f"{check['summary']}\n" + "\n".join(f"  MISMATCH: {r}" for r in check["reasons"]))
        if self.asset_alias:
            result["assets"] = emit_check_events(context, self.asset_alias, verify_hook, check, self.log,
                                                 snapshot=snap.name)
        return result

    def _readers(self, hook: Any, scope: Scope, to_account: str | None) -> tuple[tuple[Any, Any] | None, str | None]:
        """((reads the snapshot's instant, reads the restored scope now), None), or (None, why it is skipped).

        MatrixOne lets an account read only its own data, so sys restoring a tenant's snapshot (or
        into another account) needs logins of those accounts; without them the restore still runs,
        unverified, with a warning (as before verification existed), and emits no asset event.
        """
        ref_id, ver_id = optional_str(self.reference_conn_id), optional_str(self.verify_conn_id)
        ref = make_hook(ref_id) if ref_id else hook
        ver = make_hook(ver_id) if ver_id else hook
        if scope.level is not Level.CLUSTER:
            for reader, conn_field, expected in ((ref, "reference_conn_id", scope.account),
                                                 (ver, "verify_conn_id", to_account or scope.account)):
                if not _same(reader.account, expected):
                    why = (f"account {expected}'s data can only be read by a login of that account; give {conn_field} "
                           f"(connection {getattr(reader, 'matrixone_conn_id', '?')} is account {reader.account})")
                    self.log.warning("snapshot restore not verified: %s", why)
                    return None, why
        return (ref, ver), None
