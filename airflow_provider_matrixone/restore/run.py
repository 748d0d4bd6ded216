"""Run one restore: plan -> guards -> undo point -> restore -> capture and compare -> report.

Every entry point (``mo-pitr``, the operator, the sample DAG) calls :func:`run_restore` with a
:class:`RestoreRequest`; what differs between them is only who asks (a prompt, a task) and how
the result is shown. Order matters: everything that can be checked is checked before the first
mutating statement (names, PITR, coverage, window: the plan), the reference at T is read *before*
the restore (the restore may destroy what it reads), and the undo point is taken right before it.

Retries are safe: on a later attempt, or when the connection is lost during the RESTORE, the
scope is compared with the reference *by content* first; if the restore already landed it is
not issued again.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from airflow_provider_matrixone.pitr import errors
from airflow_provider_matrixone.pitr.lost_connection import is_lost_connection
from airflow_provider_matrixone.pitr.models import Level, Scope
from airflow_provider_matrixone.pitr.restore_plan import RestorePlan
from airflow_provider_matrixone.pitr.verify import Reference
from airflow_provider_matrixone.proof.access import prove_access
from airflow_provider_matrixone.proof.provenance import explain_unexpected
from airflow_provider_matrixone.sql_io.capture import capture_reference, verify
from airflow_provider_matrixone.sql_io.operations import PitrOperations
from airflow_provider_matrixone.sql_io.plan_reads import plan_restore, plan_snapshot_restore

from . import undo
from .request import RestoreRequest

log = logging.getLogger(__name__)


class RestoreFailed(errors.MatrixOneError):
    """The RESTORE may or may not have landed (lost connection, no proof either way): retry checks first."""


class PhaseTimer:
    """Logs each phase with its duration and keeps them for the result."""

    def __init__(self, logger: Any) -> None:
        self.log = logger
        self.phases: list[dict[str, Any]] = []

    @contextmanager
    def phase(self, name: str) -> Iterator[None]:
        self.log.info("phase %s: start", name)
        start = time.monotonic()
        status = "ok"
        try:
            yield
        except BaseException:
            status = "failed"
            raise
        finally:
            duration = round(time.monotonic() - start, 6)
            self.phases.append({"phase": name, "duration_s": duration, "status": status})
            self.log.info("phase %s: %s in %.3f s", name, status, duration)

    def skipped(self, name: str, why: str) -> None:
        self.phases.append({"phase": name, "duration_s": 0.0, "status": f"skipped: {why}"})
        self.log.info("phase %s: skipped (%s)", name, why)


def plan(ops: PitrOperations, request: RestoreRequest, *, source_ops: PitrOperations | None = None,
         target_ops: PitrOperations | None = None, list_objects: bool = True) -> RestorePlan:
    """The read-only plan (SQL, objects dropped / recreated / replaced, rows now and at T) and its guards."""
    if request.snapshot_name:
        return plan_snapshot_restore(
            ops, snapshot_name=request.snapshot_name, at_ns=request.at_ns, level=request.level,
            account=None if request.level is Level.CLUSTER else request.account, database=request.database,
            table=request.table, target_account=request.target_account, source_ops=source_ops,
            target_ops=target_ops, list_objects=list_objects)
    if not request.pitr_name:
        raise errors.InvalidInput("pitr name", "a restore needs a PITR: name one, or let routing choose it first")
    result = plan_restore(
        ops, pitr_name=request.pitr_name, timestamp=request.instant, level=request.level,
        account=None if request.level is Level.CLUSTER else request.account, database=request.database,
        table=request.table, target_account=request.target_account, source_account=request.source_account,
        source_ops=source_ops, target_ops=target_ops, list_objects=list_objects,
    )
    return dataclasses.replace(result, timestamp_note=request.timestamp_note)


def reference_scope(p: RestorePlan) -> Scope:
    """The scope whose state at T the restore must reproduce (read in the source account)."""
    if p.scope.level is Level.CLUSTER:
        return Scope(Level.CLUSTER)
    return Scope(p.scope.level, p.source_account, p.scope.database, p.scope.table)


def capture(ref_ops: PitrOperations, p: RestorePlan, fingerprint: bool) -> Reference:
    """The reference at T: databases, tables, columns, counts and (by default) content fingerprints."""
    return capture_reference(ref_ops, reference_scope(p), p.at_ns, fingerprint=fingerprint,
                             target_account=p.reference().target_account)


def run_restore(
    ops: PitrOperations,
    request: RestoreRequest,
    *,
    run_key: str,
    attempt: int = 1,
    source_ops: PitrOperations | None = None,
    target_ops: PitrOperations | None = None,
    list_objects: bool = True,
    confirm: Callable[[RestorePlan], None] | None = None,
    execute: Callable[[str], Any] | None = None,
    on_event: Callable[[str, dict[str, Any]], None] | None = None,
    logger: Any = None,
    probe_ops: PitrOperations | None = None,
) -> dict[str, Any]:
    """Run the request; returns the JSON-able result (plan, undo point, SQL, restore, check, phases).

    :param run_key: who runs this restore (Airflow: dag/task/run/map index; ``mo-pitr --run-key``);
        names the undo point, so a retry of the same run reuses its snapshot.
    :param attempt: > 1 means an earlier attempt may have landed: checked by content first.
    :param source_ops: / :param target_ops: connections that read the source at T and the restored
        scope now (MatrixOne lets an account read only its own data); default ``ops``.
    :param confirm: called with the plan before anything changes (a prompt); raising stops the run.
    :param execute: sends the RESTORE (default ``ops.execute``), e.g. to create an account first.
    :param on_event: progress for a terminal, called as it happens: ``("planned", result)`` after
        the plan (dry runs too), ``("undo_point", result)`` after the safety snapshot step.
    :param probe_ops: an application login (MatrixOne #26640): once the content verifies, it reads
        each restored table; a refusal turns the check into ``MISMATCH`` naming the login, the table
        and the privilege (``check["access"]``). The verification sensor runs the same proof.
    ``result["ok"]`` is False when the final check is not ``VERIFIED``: callers fail on it.
    """
    logger = logger or log
    src, dst = source_ops or ops, target_ops or ops
    timer = PhaseTimer(logger)
    result: dict[str, Any] = {"request": request.to_dict(), "dry_run": request.dry_run, "phases": timer.phases}
    with timer.phase("plan"):
        p = plan(ops, request, source_ops=src, target_ops=dst, list_objects=list_objects)
        logger.info("\n%s", p.render())
    name = undo.undo_name(run_key, undo.scope_key(p))
    result.update(plan=p.to_dict(), sql=p.sql, safety_snapshot=None, ok=True,
                  undo=undo.undo_point(p, ops.account, run_key, wanted=request.safety_snapshot))
    notify = on_event or (lambda _name, _result: None)
    notify("planned", result)
    if request.dry_run:
        logger.info("dry run: plan only, no statement that changes anything was sent")
        return result
    if confirm is not None:
        confirm(p)

    reference: Reference | None = None
    if request.verify:
        with timer.phase("reference"):
            reference = capture(src, p, request.fingerprint)
            logger.info("reference at %s: %d tables, %d rows", reference.at_utc, len(reference.tables),
                        sum(t.rows for t in reference.tables.values()))
        result["reference"] = reference.to_dict()
    else:
        timer.skipped("reference", "verify off")

    landed = False
    if attempt > 1 and reference is not None:
        with timer.phase("retry_check"):
            report = verify(dst, _content_reference(src, p, reference))
            landed = report.status == "pass"
            logger.info("retry (try %d): scope %s the state at T: %s", attempt,
                        "already matches" if landed else "does not match", report.summary())

    if request.safety_snapshot:
        with timer.phase("safety_snapshot"):
            result["safety_snapshot"] = undo.take(ops, p, name, create=not landed, log=logger)
        notify("undo_point", result)
    else:
        timer.skipped("safety_snapshot", "safety snapshot off")

    if landed:
        timer.skipped("restore", "already landed in an earlier attempt")
        result["restore"] = {"issued": False, "reason": "already landed in an earlier attempt"}
    else:
        with timer.phase("restore"):
            result["restore"] = _restore(execute or ops.execute, src, dst, p, reference, logger)

    if reference is not None:
        result["check"] = check_restored(dst, reference, timer=timer, logger=logger, probe_ops=probe_ops,
                                         source_ops=src)
        result["ok"] = result["check"]["status"] == "pass"
    return result


def check_restored(dst: PitrOperations, reference: Reference, *, timer: PhaseTimer, logger: Any,
                   probe_ops: PitrOperations | None = None, source_ops: PitrOperations | None = None,
                   ) -> dict[str, Any]:
    """The verify step: the scope now against the reference, then (if VERIFIED) the access proof.

    Shared by :func:`run_restore` and the snapshot restore operator, so both report the same check:
    ``verdict``, ``status``, ``summary``, ``reasons``, ``objects`` and, with ``probe_ops``, ``access``.
    ``source_ops`` (the reader at T) explains a table that should not be there when it is a copy
    of another database's table at T (#27116).
    """
    with timer.phase("check"):
        report = verify(dst, reference)
        if report.status == "fail" and source_ops is not None:
            report = explain_unexpected(source_ops, reference, report, logger)
        logger.info("post-restore check:\n%s", report.render())
    check: dict[str, Any] = {"verdict": report.verdict, "status": report.status, "summary": report.summary(),
                             "reasons": report.reasons(), "objects": [r.to_dict() for r in report.results],
                             "reference_at_utc": report.reference_at_utc, "account": report.account}
    if probe_ops is not None and report.status == "pass":
        with timer.phase("access_probe"):
            _prove_access(probe_ops, check, logger)
    return check


def _prove_access(probe_ops: PitrOperations, check: dict[str, Any], logger: Any) -> None:
    """Add the application login's access proof to a VERIFIED check; a refusal makes it a MISMATCH."""
    access = prove_access(probe_ops, check["objects"])
    check["access"] = access
    if access["verdict"] == "VERIFIED":
        logger.info("access proof: login %s read all %d restored table(s)", access["login"], access["tables_read"])
        check["summary"] += f"; application login {access['login']} reads all {access['tables_read']} table(s)"
        return
    refused = access["reasons"]
    logger.error("access proof MISMATCH:\n%s", "\n".join(f"  {r}" for r in refused))
    check.update(verdict="MISMATCH", status="fail", reasons=[*check["reasons"], *refused])
    check["summary"] = (check["summary"].replace("verification VERIFIED", "verification MISMATCH", 1)
                        + f"; application login {access['login']} cannot read {access['tables_unread']} restored table(s)")
    check["objects"].append({"object": "access", "table": access["login"], "verdict": "MISMATCH",
                             "kind": "access_refused", "reasons": refused, "expected_rows": None,
                             "actual_rows": None, "expected_fingerprint": None, "actual_fingerprint": None})


def _content_reference(src: PitrOperations, p: RestorePlan, reference: Reference) -> Reference:
    """'Already landed' is decided on content: counts cannot tell a restore from in-place UPDATEs."""
    return reference if reference.fingerprint else capture(src, p, True)


def _restore(execute: Callable[[str], Any], src: PitrOperations, dst: PitrOperations, p: RestorePlan,
             reference: Reference | None, logger: Any) -> dict[str, Any]:
    logger.info("issuing: %s", p.sql)
    try:
        execute(p.sql)
    except Exception as exc:
        if not is_lost_connection(exc):
            raise
        logger.warning("connection lost during the RESTORE (%s); checking whether it landed", exc)
        if reference is None:
            raise RestoreFailed("connection lost during the RESTORE and no reference was captured, so whether it "
                                "landed is unknown; check the scope before retrying") from exc
        report = verify(dst, _content_reference(src, p, reference))
        if report.status != "pass":
            raise RestoreFailed(f"connection lost during the RESTORE and the scope does not match T yet "
                                f"({report.summary()}); a retry will check again before re-issuing") from exc
        logger.info("the RESTORE landed despite the lost connection: %s", report.summary())
        return {"issued": True, "connection_lost": True}
    return {"issued": True, "connection_lost": False}
