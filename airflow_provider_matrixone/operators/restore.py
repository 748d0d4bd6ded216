"""MatrixOnePITRRestoreOperator: templating around the provider's one restore workflow.

Everything a restore does (plan, guards, undo point, retry-safe RESTORE, check, report) is
:func:`airflow_provider_matrixone.restore.run_restore`, the same code ``mo-pitr`` runs. This module
only turns templated arguments into a :class:`~airflow_provider_matrixone.restore.RestoreRequest`,
picks the hooks, logs the report before returning and maps a failed check to a task failure.
``dry_run=True`` stops after the plan: nothing mutating is ever sent.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from airflow.sdk import BaseOperator

from airflow_provider_matrixone.operators._assets import DeclaresAssetAlias, declare_alias
from airflow_provider_matrixone.operators._common import (
    DEFAULT_CONN_ID,
    domain_errors,
    make_hook,
    optional_str,
    workflow_flags,
)
from airflow_provider_matrixone.operators._readers import verification_readers
from airflow_provider_matrixone.operators._workflow import run_operator_restore
from airflow_provider_matrixone.pitr.identifiers import validate_name
from airflow_provider_matrixone.pitr.models import Scope
from airflow_provider_matrixone.proof.assets import DEFAULT_ASSET_ALIAS
from airflow_provider_matrixone.restore import RestoreRequest

__all__ = ["MatrixOnePITRRestoreOperator"]


class MatrixOnePITRRestoreOperator(DeclaresAssetAlias, BaseOperator):
    """Restore a cluster, account, database or table from a PITR to ``timestamp``.

    :param pitr_name: the PITR to restore from (created by the connection's account).
    :param timestamp: aware datetime, RFC 3339 with offset (taken as is), epoch ns, or a naive
        ``YYYY-MM-DD HH:MM:SS`` together with ``timezone``.
    :param timezone: zone of a naive timestamp: ``UTC``, an IANA name, ``+08:00`` or ``server``.
    :param level: ``cluster`` | ``account`` | ``database`` | ``table``.
    :param account: account to restore (sys only for another account); defaults to the connection's.
    :param database: / :param table: objects for database and table restores.
    :param target_account: restore *beside*: copy ``account``'s data at T into this existing
        account (sys only, level account; reference §4.4).
    :param source_account: with a cluster PITR, the account whose data is restored.
    :param dry_run: plan only; returns the plan, sends no mutating statement. Fail-safe: any value
        that is not clearly true or false (``""``, ``"None"``, ``None``, ``"maybe"``: an unset
        template) also means a dry run, with a warning and ``dry_run_note`` in the result.
    :param safety_snapshot: snapshot the scope's current state first (the undo point). This and
        the other flags take true/false, yes/no or 1/0; anything else fails before any statement.
    :param capture_reference: record the state at T and verify the restore against it (and for the
        verification sensor); ``False`` restores unverified, on purpose.
    :param fingerprint: prove content: exact, order-independent per-table fingerprints (columns, names
        and types included) in the reference and the post-restore check. On by default; ``False``
        keeps counts and columns (the retry's "already landed" decision always compares content).
    :param reference_conn_id: connection that reads the source at T (an account can only read its
        own data); default: ``matrixone_conn_id`` when it is that account, else the account's own
        connection (``matrixone_<account>`` or the ``matrixone_account_connections`` Variable);
        without a usable one a verified restore is refused before anything changes
        (:mod:`~airflow_provider_matrixone.operators._readers`).
    :param verify_conn_id: connection that reads the restored scope now; defaults likewise.
    :param restore_timeout: read timeout (s) of the RESTORE statement; restores can take hours.
    :param run_key: names the undo point (with the restored scope); default
        ``<dag_id>/<task_id>/<run_id>/<map_index>``, so a retry reuses its first attempt's snapshot.
        ``mo-pitr pitr restore --run-key`` takes the same key and derives the same name.
    :param probe_conn_id: an application login (e.g. ``acc1#app``): once the restored scope
        verifies, it reads each restored table; a refusal fails the task with ``MISMATCH`` naming the
        login, the table and the missing privilege (MatrixOne #26640). Same proof as the sensor's.
    :param asset_alias: the ``AssetAlias`` declared as this task's outlet, by default
        ``matrixone_verified_restore``; ``None`` or ``""`` turns asset events off. Only when the
        check is ``VERIFIED`` one event per restored table is emitted,
        ``matrixone://host:port/account/db/table`` with ``extra`` T, the PITR, rows, fingerprint
        digest and verdict; a dry run, ``capture_reference=False`` or a failed check emit none.
    """

    template_fields: Sequence[str] = (
        "matrixone_conn_id", "reference_conn_id", "verify_conn_id", "pitr_name", "timestamp", "timezone", "level",
        "account", "database", "table", "target_account", "source_account", "dry_run_only", "safety_snapshot",
        "capture_reference", "fingerprint", "run_key", "probe_conn_id",
    )
    ui_color = "#ffe2c6"

    def __init__(
        self,
        *,
        pitr_name: str,
        timestamp: Any,
        level: str,
        timezone: str | None = None,
        account: str | None = None,
        database: str | None = None,
        table: str | None = None,
        target_account: str | None = None,
        source_account: str | None = None,
        dry_run: bool | str = False,
        safety_snapshot: bool | str = True,
        capture_reference: bool | str = True,
        fingerprint: bool | str = True,
        matrixone_conn_id: str = DEFAULT_CONN_ID,
        reference_conn_id: str | None = None,
        verify_conn_id: str | None = None,
        restore_timeout: float | None = 6 * 3600,
        run_key: str | None = None,
        probe_conn_id: str | None = None,
        asset_alias: str | None = DEFAULT_ASSET_ALIAS,
        **kwargs: Any,
    ) -> None:
        alias = declare_alias(asset_alias, kwargs)
        super().__init__(**kwargs)
        self.probe_conn_id = probe_conn_id
        self.asset_alias = alias
        self.pitr_name = pitr_name
        self.timestamp = timestamp
        self.timezone = timezone
        self.level = level
        self.account = account
        self.database = database
        self.table = table
        self.target_account = target_account
        self.source_account = source_account
        self.dry_run_only = dry_run
        self.safety_snapshot = safety_snapshot
        self.capture_reference = capture_reference
        self.fingerprint = fingerprint
        self.matrixone_conn_id = matrixone_conn_id
        self.reference_conn_id = reference_conn_id
        self.verify_conn_id = verify_conn_id
        self.restore_timeout = restore_timeout
        self.run_key = run_key

    # ------------------------------------------------------------------------------------ execute
    def execute(self, context: Any) -> dict[str, Any]:
        with domain_errors(f"restore from pitr {self.pitr_name}"):
            return self._execute(context)

    def _readers(self, hook: Any, request: RestoreRequest) -> tuple[Any, Any]:
        """(reads the source at T, reads the restored scope now).

        Verified (the default): logins of the accounts read, given or resolved, else refused before
        anything changes (:func:`~airflow_provider_matrixone.operators._readers.verification_readers`).
        ``capture_reference=False``: the given connections (default the task's own) serve the plan.
        """
        ref_id = optional_str(self.reference_conn_id)
        ver_id = optional_str(self.verify_conn_id)
        ref_id, ver_id = (None if c == self.matrixone_conn_id else c for c in (ref_id, ver_id))
        if request.verify:
            return verification_readers(hook, self.matrixone_conn_id, request, reference_conn_id=ref_id,
                                        verify_conn_id=ver_id, opt_out="capture_reference=False")
        return (make_hook(ref_id) if ref_id else hook), (make_hook(ver_id) if ver_id else hook)

    def _execute(self, context: Any) -> dict[str, Any]:
        dry_run_flag, flags = workflow_flags(self)
        level, account, database, table = (optional_str(v) for v in (self.level, self.account, self.database,
                                                                       self.table))
        Scope.build(level, account=account, database=database, table=table)  # names first, before any connection
        validate_name(self.pitr_name, "pitr name", "pitr")
        for field, value in (("target account", self.target_account), ("source account", self.source_account)):
            if optional_str(value):
                validate_name(value, field, "account")
        hook = make_hook(self.matrixone_conn_id, read_timeout=self.restore_timeout)
        parsed = hook.resolve_timestamp(self.timestamp, optional_str(self.timezone))
        request = RestoreRequest.build(
            pitr_name=self.pitr_name, level=level, instant=parsed.instant, account=account, database=database,
            table=table, target_account=optional_str(self.target_account),
            source_account=optional_str(self.source_account), timestamp_note=parsed.note,
            dry_run=dry_run_flag.enabled, **flags,
        )
        ref_hook, verify_hook = self._readers(hook, request)
        # Never report success on a wrong state (e.g. another run restored the same scope to a
        # different instant meanwhile). A retry re-checks first and re-issues only if needed.
        return run_operator_restore(
            self, context, hook, request, (ref_hook, verify_hook), dry_run_note=dry_run_flag.note,
            mismatch="restore issued but the scope does not match the state at T",
            hint="; another writer or restore may have changed it; a retry checks again before re-issuing",
            pitr=self.pitr_name)
