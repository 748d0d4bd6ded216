"""MatrixOneRestoreVerificationSensor: wait until a restored scope matches its state at T.

Each poke reads the whole scope now in a few batched round trips and compares it object by object
with the expectation (databases, tables, columns, counts and, by default, content): objects of T
missing -> keep waiting (restore in progress); any other ``MISMATCH`` or an ``UNVERIFIABLE`` proof
-> fail without retry once ``mismatch_grace`` has passed, with one sentence per difference in the
log; ``VERIFIED`` -> done, the report goes to XCom. It never compares less than it was asked: a
counts-only reference is refused unless ``fingerprint=False``.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from airflow.providers.common.compat.sdk import conf
from airflow.sdk import BaseSensorOperator, PokeReturnValue
from airflow.sdk.exceptions import AirflowException, AirflowFailException

from airflow_provider_matrixone.operators._assets import DeclaresAssetAlias, declare_alias, emit_events
from airflow_provider_matrixone.operators._common import (
    DEFAULT_CONN_ID,
    as_bool,
    as_float,
    domain_errors,
    is_unreachable,
    make_hook,
    optional_str,
)
from airflow_provider_matrixone.pitr import errors
from airflow_provider_matrixone.pitr.models import Scope
from airflow_provider_matrixone.pitr.verify import (
    Reference,
    VerificationReport,
    _loads,
    reference_from_counts,
)
from airflow_provider_matrixone.proof.access import prove_access
from airflow_provider_matrixone.proof.assets import DEFAULT_ASSET_ALIAS, asset_events, metrics
from airflow_provider_matrixone.proof.provenance import explain_unexpected
from airflow_provider_matrixone.sql_io.capture import capture_reference, verify

__all__ = ["MatrixOneRestoreVerificationSensor"]


class MatrixOneRestoreVerificationSensor(DeclaresAssetAlias, BaseSensorOperator):
    """Verify a restore: the scope now must equal the reference (state at T or expected counts).

    Give exactly one expectation:

    :param reference: the restore operator's XCom (its whole result or its ``reference``), templated.
    :param reference_timestamp: capture the reference here through time-travel reads at this time.
    :param expected_counts: ``{"db2.orders": 3}``.

    Scope (for ``reference_timestamp``): ``level`` + ``account``/``database``/``table``, or ``tables``
    (``["db1.t1", ...]``). ``target_account``: where restored data is expected when it differs.
    :param timezone: zone of a naive ``reference_timestamp`` (``UTC``, IANA, ``server``).
    :param fingerprint: compare content (exact, order-independent fingerprints) and columns as well as
        counts. On by default; ``False`` compares counts and columns only. Never silently less: a
        ``reference`` captured without fingerprints fails with a clear message unless this is ``False``.
    :param mismatch_grace: seconds after the sensor started during which a mismatch still waits.
    :param verify_conn_id: reads the scope now (must be the verified account's); default ``matrixone_conn_id``.
    :param reference_conn_id: reads the scope at T for ``reference_timestamp``; default likewise.
    :param read_timeout: seconds one verification statement may take before the poke gives up and
        waits for the next one (a hung server must not outlive the sensor's own timeout).
    :param deferrable: wait in the triggerer (:class:`MatrixOneRestoreVerificationTrigger`). Defaults
        to ``[operators] default_deferrable`` (Airflow's convention), so a deployment can move every
        wait off its workers with one setting.
    :param check_before_deferring: with ``deferrable``, compare once in the worker first and skip the
        triggerer when the scope already matches (default). ``False`` hands every comparison to the
        triggerer, so the worker only captures the reference.
    :param probe_conn_id: an application login (e.g. ``acc1#app``): once the scope verifies, it reads
        each restored table (``SELECT 1 FROM t LIMIT 1``); a refusal fails the verification naming the
        table and the missing privilege (MatrixOne #26640 left grants on the old tables).
    :param asset_alias: name of the ``AssetAlias`` this task declares as its outlet, by default
        ``matrixone_verified_restore`` (``None`` or ``""`` turns asset events off); on VERIFIED one
        asset event per restored table is added to it, ``matrixone://host:port/account/db/table``, with
        ``extra`` T, the PITR, rows, fingerprint digest and verdict. Nothing is emitted otherwise.
    :param pitr_name: the PITR named in the asset events (default: taken from the restore operator's XCom).

    On VERIFIED the XCom report also has ``metrics`` (rows per table, each phase's seconds) and ``assets``.
    """

    template_fields: Sequence[str] = (
        "matrixone_conn_id", "verify_conn_id", "reference_conn_id", "level", "account", "database", "table",
        "tables", "target_account", "reference", "reference_timestamp", "timezone", "expected_counts", "fingerprint",
        "mismatch_grace", "probe_conn_id", "pitr_name",
    )
    ui_color = "#f0e4ff"

    def __init__(
        self,
        *,
        level: str | None = None,
        account: str | None = None,
        database: str | None = None,
        table: str | None = None,
        tables: Any = None,
        target_account: str | None = None,
        reference: Any = None,
        reference_timestamp: Any = None,
        timezone: str | None = None,
        expected_counts: Any = None,
        fingerprint: bool | str | None = None,
        mismatch_grace: float | str = 0.0,
        matrixone_conn_id: str = DEFAULT_CONN_ID,
        verify_conn_id: str | None = None,
        reference_conn_id: str | None = None,
        deferrable: bool = conf.getboolean("operators", "default_deferrable", fallback=False),
        read_timeout: float = 300.0,
        check_before_deferring: bool = True,
        probe_conn_id: str | None = None,
        asset_alias: str | None = DEFAULT_ASSET_ALIAS,
        pitr_name: str | None = None,
        **kwargs: Any,
    ) -> None:
        alias = declare_alias(asset_alias, kwargs)
        super().__init__(**kwargs)
        self.probe_conn_id = probe_conn_id
        self.asset_alias = alias
        self.pitr_name = pitr_name
        self._phases: dict[str, float] = {}
        self.level = level
        self.account = account
        self.database = database
        self.table = table
        self.tables = tables
        self.target_account = target_account
        self.reference = reference
        self.reference_timestamp = reference_timestamp
        self.timezone = timezone
        self.expected_counts = expected_counts
        self.fingerprint = fingerprint
        self.mismatch_grace = mismatch_grace
        self.matrixone_conn_id = matrixone_conn_id
        self.verify_conn_id = verify_conn_id
        self.reference_conn_id = reference_conn_id
        self.deferrable = deferrable
        self.read_timeout = read_timeout
        self.check_before_deferring = check_before_deferring
        self._reference: Reference | None = None
        self._started_at: float | None = None

    # --------------------------------------------------------------------------------- expectation
    def _verify_conn(self) -> str:
        return optional_str(self.verify_conn_id) or self.matrixone_conn_id

    def build_reference(self) -> Reference:
        """Resolve the one expectation given into a :class:`Reference` (cached per instance)."""
        if self._reference is not None:
            return self._reference
        start = time.monotonic()
        try:
            return self._build_reference()
        finally:
            self._phases["reference_s"] = time.monotonic() - start

    def _build_reference(self) -> Reference:
        given = [n for n, v in (("reference", self.reference), ("reference_timestamp", self.reference_timestamp),
                                ("expected_counts", self.expected_counts)) if _present(v)]
        if len(given) != 1:
            raise errors.InvalidInput("reference", "give exactly one of reference, reference_timestamp or "
                                      f"expected_counts (got {', '.join(given) or 'none'})")
        asked = None if self.fingerprint is None else as_bool(self.fingerprint, "fingerprint")
        fingerprint = asked is not False
        account = optional_str(self.account)
        target = optional_str(self.target_account)
        if given[0] == "reference":
            ref = Reference.from_dict(self.reference)
            if fingerprint and not ref.fingerprint:
                # Never compare less than asked: a counts-only reference cannot prove content.
                raise errors.InvalidInput("fingerprint", "the reference has row counts only (captured without "
                                          "fingerprints), so it cannot prove the restored content; capture it with "
                                          "fingerprint=True (the restore operator's default), use "
                                          "reference_timestamp, or set fingerprint=False to compare counts only")
            if asked is False and ref.fingerprint:
                ref = Reference(**{**ref.__dict__, "fingerprint": False})
            if target:
                ref = Reference(**{**ref.__dict__, "target_account": target})
        elif given[0] == "expected_counts":
            if asked is True:
                raise errors.InvalidInput("fingerprint", "expected_counts are row counts: they cannot prove "
                                          "content; use reference or reference_timestamp for fingerprint=True")
            ref = reference_from_counts(self.expected_counts,
                                        account=target or account or make_hook(self._verify_conn()).account)
        else:
            ref_hook = make_hook(optional_str(self.reference_conn_id) or self.matrixone_conn_id)
            tables = self.tables if _present(self.tables) else None
            level = optional_str(self.level) or ("account" if tables is not None else None)
            if level is None:
                raise errors.InvalidInput("level", "reference_timestamp needs level (with account/database/table) or "
                                          "tables (example: level=database database=db1)")
            scope = Scope.build(level, account=account or (None if level == "cluster" else ref_hook.account),
                                database=optional_str(self.database), table=optional_str(self.table))
            parsed = ref_hook.resolve_timestamp(self.reference_timestamp, optional_str(self.timezone))
            ref = capture_reference(ref_hook, scope, parsed.instant, fingerprint=fingerprint, target_account=target,
                                    tables=tables)
            self.log.info("reference captured at %s: %d tables (%s)", ref.at_utc, len(ref.tables),
                          "counts, columns and content" if ref.fingerprint else "counts and columns")
        self._reference = ref
        return ref

    def _grace_passed(self, context: Any) -> bool:
        grace = as_float(self.mismatch_grace, "mismatch_grace")
        return time.time() - self._start_time(context) >= grace

    def _start_time(self, context: Any) -> float:
        if self._started_at is None:
            first = None
            if self.reschedule:
                ti = context.get("ti")
                getter = getattr(ti, "get_first_reschedule_date", None)
                first = getter(context) if getter else None
            self._started_at = first.timestamp() if first is not None else time.time()
        return self._started_at

    # ---------------------------------------------------------------------------------------- poke
    def poke(self, context: Any) -> bool | PokeReturnValue:
        with domain_errors("restore verification"):
            reference = self.build_reference()
            self._start_time(context)
            try:
                start = time.monotonic()
                report = verify(make_hook(self._verify_conn(), read_timeout=self.read_timeout), reference)
                self._phases["verify_s"] = time.monotonic() - start
            except Exception as exc:
                if not is_unreachable(exc):
                    raise
                # A restarting server or a cut connection is not a verdict: wait, and let the
                # sensor's timeout decide if it never comes back.
                self.log.warning("cannot read the scope now (%s); waiting for the next poke", exc)
                return False
        return self._decide(report, context)

    def _decide(self, report: VerificationReport, context: Any) -> bool | PokeReturnValue:
        if report.status == "pass":
            self.log.info("restore VERIFIED:\n%s", report.render())
            return PokeReturnValue(is_done=True, xcom_value=self._verified(report.to_dict(), context))
        if report.status == "wait":
            missing = [r.name for r in report.results if r.kind == "missing"]
            self.log.info("waiting: %s; missing: %s", report.summary(), ", ".join(missing[:20]))
            return False
        if not self._grace_passed(context):
            self.log.info("mismatch within mismatch_grace, waiting:\n%s", report.render(only_problems=True))
            return False
        if self._reference is not None:  # a table that should not be there: another database's at T? (#27116)
            ref_hook = make_hook(optional_str(self.reference_conn_id) or self.matrixone_conn_id,
                                 read_timeout=self.read_timeout)
            report = explain_unexpected(ref_hook, self._reference, report, self.log)
        self.log.error("restore verification %s:\n%s", report.verdict, report.render(only_problems=True))
        raise AirflowFailException(f"restore verification failed ({report.verdict}): {report.summary()}\n"
                                   f"{report.render(only_problems=True)}")

    # ---------------------------------------------------------------------------------- deferrable
    def execute(self, context: Any) -> Any:
        with domain_errors("restore verification"):
            deferrable = as_bool(self.deferrable, "deferrable")
        if not deferrable:
            return super().execute(context)
        from airflow_provider_matrixone.triggers.restore import (
            MatrixOneRestoreVerificationTrigger,
        )

        with domain_errors("restore verification"):
            reference = self.build_reference()
            started = self._start_time(context)
            report = verify(make_hook(self._verify_conn()), reference) if self.check_before_deferring else None
        if report is not None and report.status == "pass":
            self.log.info("restore VERIFIED before deferring:\n%s", report.render())
            return self._verified(report.to_dict(), context)
        self.log.info("deferring: the triggerer compares %d table(s) every %s s", len(reference.tables),
                      self.poke_interval)
        self.defer(
            trigger=MatrixOneRestoreVerificationTrigger(
                conn_id=self._verify_conn(),
                reference=reference.to_json(),
                poke_interval=float(self.poke_interval),
                mismatch_grace=as_float(self.mismatch_grace, "mismatch_grace"),
                started_at=started,
                reference_conn_id=optional_str(self.reference_conn_id) or self.matrixone_conn_id,
            ),
            method_name="execute_complete",
            timeout=timedelta(seconds=float(self.timeout)),
        )

    def execute_complete(self, context: Any, event: dict[str, Any] | None = None) -> dict[str, Any]:
        """Resume after the trigger; soft_fail turns a failure into a skip (handled by the base class)."""
        if not event:
            raise AirflowException("restore verification trigger returned no event")
        status = event.get("status")
        if status == "success":
            report = event.get("report") or {}
            self.log.info("restore VERIFIED by the trigger after %s polls: %s", event.get("polls"),
                          report.get("summary"))
            return self._verified(dict(report), context)
        message = str(event.get("message") or "")
        if status == "failure":
            verdict = (event.get("report") or {}).get("verdict", "MISMATCH")
            self.log.error("restore verification %s:\n%s", verdict, message)
            raise AirflowFailException(f"restore verification failed ({verdict}): {message}")
        raise AirflowFailException(f"restore verification error: {message}")


    # ------------------------------------------------------------------------------ after VERIFIED
    def _verified(self, report: dict[str, Any], context: Any) -> dict[str, Any]:
        """Access proof, metrics and asset events of a scope that verified; the XCom report."""
        probe = optional_str(self.probe_conn_id)
        if probe:
            start = time.monotonic()
            with domain_errors("restore verification (access probe)"):
                access = prove_access(make_hook(probe, read_timeout=self.read_timeout), report.get("tables") or ())
            self._phases["access_probe_s"] = time.monotonic() - start
            refused = access.pop("reasons")
            if refused:
                text = "\n".join(f"  MISMATCH: {r}" for r in refused)
                self.log.error("restore verification MISMATCH (access):\n%s", text)
                raise AirflowFailException(f"restore verification failed (MISMATCH): {access['tables_unread']} restored "
                                           f"table(s) the application login cannot read\n{text}")
            report["access"] = {"login_conn_id": probe, **access}
        report["metrics"] = metrics(report, self._phases)
        if self.asset_alias:
            hook = make_hook(self._verify_conn())
            conn = hook.connection
            events = asset_events(
                report.get("tables") or (), verdict=report.get("verdict"), host=str(conn.host or "localhost"),
                port=hook._port(), account=str(report.get("account") or hook.account),
                at_utc=report.get("reference_at_utc"), pitr=optional_str(self.pitr_name) or self._pitr_from_xcom())
            report["assets"] = emit_events(context, self.asset_alias, events, self.log)
        return report

    def _pitr_from_xcom(self) -> str | None:
        """The PITR's name from the restore operator's whole XCom (``plan.pitr.name``), if given that."""
        ref: Any = self.reference
        if isinstance(ref, str):
            try:
                ref = _loads(ref)
            except errors.InvalidInput:
                return None
        plan = ref.get("plan") if isinstance(ref, dict) else None
        pitr = plan.get("pitr") if isinstance(plan, dict) else None
        name = pitr.get("name") if isinstance(pitr, dict) else None
        return str(name) if name else None


def _present(value: Any) -> bool:
    if value is None:
        return False
    if isinstance(value, str):
        return value.strip() not in ("", "None", "null", "{}", "[]")
    if isinstance(value, (dict, list, tuple)):
        return bool(value)
    return True
