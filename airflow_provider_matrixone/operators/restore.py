"""MatrixOnePITRRestoreOperator: plan, guard, snapshot, restore, with a readable report.

Phases (each logged with its duration and returned in XCom): ``timestamp`` (parse, log UTC and
server zone), ``plan`` (SHOW PITR, level/permission/window checks client-side, objects and row
counts now and at T; read-only), ``reference`` (counts, optionally fingerprints, at T),
``safety_snapshot`` (the scope's current state, so the restore can be undone), ``restore``.
``dry_run=True`` stops after the plan: nothing mutating is ever sent.

Retries are safe: on a retry, or when the connection is lost during the RESTORE, the scope is
compared with the reference first; if the restore already landed it is not issued again.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from airflow.sdk import BaseOperator
from airflow.sdk.exceptions import AirflowException

from airflow_provider_matrixone.operators._common import (
    DEFAULT_CONN_ID,
    PhaseTimer,
    as_bool,
    domain_errors,
    is_lost_connection,
    make_hook,
    optional_str,
    run_identity,
    safety_snapshot_name,
)
from airflow_provider_matrixone.pitr.flags import parse_dry_run
from airflow_provider_matrixone.pitr.identifiers import validate_name
from airflow_provider_matrixone.pitr.models import Level, Scope
from airflow_provider_matrixone.pitr.restore_plan import RECREATE, RestorePlan, plan_restore
from airflow_provider_matrixone.pitr.verify import Reference, capture_reference, verify

__all__ = ["MatrixOnePITRRestoreOperator"]


class MatrixOnePITRRestoreOperator(BaseOperator):
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
    :param capture_reference: record the state at T for the verification sensor.
    :param fingerprint: prove content: exact, order-independent per-table fingerprints (columns, names
        and types included) in the reference and the post-restore check. On by default; ``False``
        keeps counts and columns (the retry's "already landed" decision always compares content).
    :param reference_conn_id: connection that reads the source at T (an account can only read its
        own data); defaults to ``matrixone_conn_id``.
    :param verify_conn_id: connection that reads the restored scope now; defaults likewise.
    :param restore_timeout: read timeout (s) of the RESTORE statement; restores can take hours.
    """

    template_fields: Sequence[str] = (
        "matrixone_conn_id", "reference_conn_id", "verify_conn_id", "pitr_name", "timestamp", "timezone", "level",
        "account", "database", "table", "target_account", "source_account", "dry_run_only", "safety_snapshot",
        "capture_reference", "fingerprint",
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
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
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

    # ------------------------------------------------------------------------------------ execute
    def execute(self, context: Any) -> dict[str, Any]:
        timer = PhaseTimer(self.log)
        with domain_errors(f"restore from pitr {self.pitr_name}"):
            return self._execute(context, timer)

    def _hooks(self) -> tuple[Any, Any, Any]:
        main = make_hook(self.matrixone_conn_id, read_timeout=self.restore_timeout)
        ref_id = optional_str(self.reference_conn_id)
        ver_id = optional_str(self.verify_conn_id)
        ref = make_hook(ref_id) if ref_id and ref_id != self.matrixone_conn_id else main
        ver = make_hook(ver_id) if ver_id and ver_id != self.matrixone_conn_id else main
        return main, ref, ver

    def _execute(self, context: Any, timer: PhaseTimer) -> dict[str, Any]:
        dry_run_flag = parse_dry_run(self.dry_run_only)
        dry_run = dry_run_flag.enabled
        if dry_run_flag.note:
            self.log.warning("%s", dry_run_flag.note)
        want_snapshot = as_bool(self.safety_snapshot, "safety_snapshot")
        want_reference = as_bool(self.capture_reference, "capture_reference")
        fingerprint = as_bool(self.fingerprint, "fingerprint")
        level, account, database, table = (optional_str(v) for v in (self.level, self.account, self.database,
                                                                       self.table))
        Scope.build(level, account=account, database=database, table=table)  # names first, before any connection
        validate_name(self.pitr_name, "pitr name", "pitr")
        for field, value in (("target account", self.target_account), ("source account", self.source_account)):
            if optional_str(value):
                validate_name(value, field, "account")
        hook, ref_hook, verify_hook = self._hooks()
        result: dict[str, Any] = {"dry_run": dry_run, "phases": timer.phases}
        if dry_run_flag.note:
            result["dry_run_note"] = dry_run_flag.note

        with timer.phase("timestamp"):
            parsed = hook.resolve_timestamp(self.timestamp, optional_str(self.timezone))
            zone = hook.server_timezone
            self.log.info("restore instant: %s (UTC) = %s in the server zone %s", parsed.instant.isoformat(),
                          parsed.instant.astimezone(zone).isoformat(), getattr(zone, "key", zone))

        with timer.phase("plan"):
            plan = plan_restore(
                hook, pitr_name=self.pitr_name, timestamp=parsed.instant, level=level, account=account,
                database=database, table=table, target_account=optional_str(self.target_account),
                source_account=optional_str(self.source_account), source_ops=ref_hook, target_ops=verify_hook,
            )
            self.log.info("\n%s", plan.render())
        result.update(plan=plan.to_dict(), sql=plan.sql)
        if dry_run:
            self.log.info("dry_run=True: plan only, no statement that changes anything was sent")
            return result

        reference: Reference | None = None
        if want_reference:
            with timer.phase("reference"):
                reference = self._reference(plan, ref_hook, fingerprint)
                self.log.info("reference at %s: %d tables, %d rows", reference.at_utc, len(reference.tables),
                              sum(t.rows for t in reference.tables.values()))
            result["reference"] = reference.to_dict()
        else:
            timer.skipped("reference", "capture_reference=False")

        dag_id, task_id, run_id, map_index, try_number = run_identity(context, self)
        landed = False
        if try_number > 1 and reference is not None:
            with timer.phase("retry_check"):
                # Equal row counts do not prove an earlier attempt landed (an UPDATE keeps them):
                # skip the RESTORE only when the content fingerprints match the state at T too.
                report = verify(verify_hook, self._landed_reference(plan, ref_hook, reference))
                landed = report.status == "pass"
                self.log.info("retry (try %d): scope %s the reference: %s", try_number,
                              "already matches" if landed else "does not match", report.summary())
        snap_name = safety_snapshot_name(dag_id, task_id, run_id, map_index, self._scope_key(plan))
        result["safety_snapshot"] = None
        if want_snapshot:
            with timer.phase("safety_snapshot"):
                result["safety_snapshot"] = self._safety_snapshot(hook, plan, snap_name, create=not landed)
        else:
            timer.skipped("safety_snapshot", "safety_snapshot=False")

        if landed:
            timer.skipped("restore", "already landed in an earlier attempt")
            result["restore"] = {"issued": False, "reason": "already landed in an earlier attempt"}
        else:
            with timer.phase("restore"):
                result["restore"] = self._restore(hook, verify_hook, ref_hook, plan, reference)

        if reference is not None:
            with timer.phase("check"):
                report = verify(verify_hook, reference)
                self.log.info("post-restore check:\n%s", report.render())
                result["check"] = {"verdict": report.verdict, "status": report.status, "summary": report.summary(),
                                   "reasons": report.reasons()}
        self.log.info("restore report:\n%s", self._report(result))
        if reference is not None and result["check"]["status"] != "pass":
            # Never report success on a wrong state (e.g. another run restored the same scope to a
            # different instant meanwhile). A retry re-checks first and re-issues only if needed.
            raise AirflowException(f"restore issued but the scope does not match the state at T: "
                                   f"{result['check']['summary']}; another writer or restore may have changed "
                                   f"it; a retry checks again before re-issuing")
        return result

    # ------------------------------------------------------------------------------------- phases
    def _reference(self, plan: RestorePlan, ref_hook: Any, fingerprint: bool) -> Reference:
        # Always read through capture_reference (not only the plan's counts): the columns at T are
        # part of every proof, and with fingerprints the counts are read by a second method.
        base = plan.reference()
        if plan.scope.level is Level.CLUSTER:
            scope = Scope(Level.CLUSTER)
        else:
            scope = Scope(plan.scope.level, plan.source_account, plan.scope.database, plan.scope.table)
        return capture_reference(ref_hook, scope, plan.at_ns, fingerprint=fingerprint,
                                 target_account=base.target_account)

    def _landed_reference(self, plan: RestorePlan, ref_hook: Any, reference: Reference) -> Reference:
        """A fingerprinted reference for deciding whether a RESTORE already landed.

        Counts alone cannot tell a restored scope from one whose rows were changed in place, so
        this always compares content, whatever ``fingerprint`` says for the final verification.
        """
        if reference.fingerprint:
            return reference
        return self._reference(plan, ref_hook, True)

    @staticmethod
    def _scope_key(plan: RestorePlan) -> str:
        s = plan.scope
        parts = [s.level.value, plan.target_account or "", s.database or "", s.table or ""]
        return "_".join(p for p in parts if p)

    def _safety_scope(self, hook: Any, plan: RestorePlan) -> Scope | None:
        s = plan.scope
        if s.level is Level.CLUSTER:
            return Scope(Level.CLUSTER)
        if s.level is Level.ACCOUNT:
            target = plan.target_account
            return Scope(Level.ACCOUNT, None if target.lower() == hook.account.lower() else target)
        absent = [a for a in plan.databases if a.action == RECREATE] if s.level is Level.DATABASE else \
            [a for a in plan.tables if a.action == RECREATE]
        if absent:
            return None
        return Scope(s.level, None, s.database, s.table)

    def _safety_snapshot(self, hook: Any, plan: RestorePlan, name: str, *, create: bool) -> dict[str, Any] | None:
        existing = hook.get_snapshot(name)
        if existing is not None:
            self.log.info("safety snapshot %s exists from an earlier attempt (taken %s): reusing it", name,
                          existing.to_dict()["timestamp"])
            return {**existing.to_dict(), "reused": True}
        if not create:
            return None
        scope = self._safety_scope(hook, plan)
        if scope is None:
            self.log.info("no safety snapshot: the %s does not exist now, so undo means dropping it",
                          plan.scope.level.value)
            return None
        snap = hook.create_snapshot(name, scope.level, account=scope.account, database=scope.database,
                                    table=scope.table)
        self.log.info("safety snapshot %s taken at %s; undo with MatrixOneSnapshotRestoreOperator("
                      "snapshot_name=%r)", snap.name, snap.to_dict()["timestamp"], snap.name)
        return {**snap.to_dict(), "reused": False}

    def _restore(
        self, hook: Any, verify_hook: Any, ref_hook: Any, plan: RestorePlan, reference: Reference | None
    ) -> dict[str, Any]:
        self.log.info("issuing: %s", plan.sql)
        try:
            hook.execute(plan.sql)
        except Exception as exc:
            if not is_lost_connection(exc):
                raise
            self.log.warning("connection lost during the RESTORE (%s); checking whether it landed", exc)
            if reference is None:
                raise AirflowException("connection lost during the RESTORE and no reference was captured, "
                                       "so whether it landed is unknown; check the scope before retrying") from exc
            report = verify(verify_hook, self._landed_reference(plan, ref_hook, reference))
            if report.status != "pass":
                raise AirflowException(f"connection lost during the RESTORE and the scope does not match T yet "
                                       f"({report.summary()}); a retry will check again before re-issuing") from exc
            self.log.info("the RESTORE landed despite the lost connection: %s", report.summary())
            return {"issued": True, "connection_lost": True}
        return {"issued": True, "connection_lost": False}

    @staticmethod
    def _report(result: dict[str, Any]) -> str:
        lines = [f"  sql              {result.get('sql')}"]
        snap = result.get("safety_snapshot")
        lines.append(f"  safety snapshot  {snap['name'] if snap else '-'}")
        restore = result.get("restore") or {}
        lines.append(f"  restore issued   {restore.get('issued')}")
        check = result.get("check")
        if check:
            lines.append(f"  check            {check['verdict']}: {check['summary']}")
            lines.extend(f"                   {reason}" for reason in check.get("reasons", [])[:20])
        for p in result["phases"]:
            lines.append(f"  phase {p['phase']:<16} {p['duration_s']:>9.3f} s  {p['status']}")
        return "\n".join(lines)

