"""Weekly restore drill: prove every account-level PITR can actually restore, without touching it.

For each account-level PITR visible to the sys connection (optionally filtered by the ``pitrs``
param): pick T (``strategy`` latest, or random inside the recoverable window), create a scratch
account with a generated password kept only in memory, restore the source account's data at T
into it (``RESTORE ACCOUNT scratch FROM PITR p 'T'``, reference matrixone-pitr.md §4.4), verify it
against a reference read from the source at T, record the recovery time and rows verified, and
drop the scratch account, also when something failed. The source account is only read. The
source is read through its ``matrixone_<account>`` connection (MatrixOne lets only an account
read its own data). Each drill's result is pushed as a report; any failed drill fails the DAG.
"""

from __future__ import annotations

import logging
import random
import secrets
import sys
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import pendulum
from airflow.sdk import Param, dag, get_current_context, task
from airflow.sdk.exceptions import AirflowFailException

from airflow_provider_matrixone.pitr import flags

if str(Path(__file__).parent) not in sys.path:
    sys.path.append(str(Path(__file__).parent))

from matrixone_dag_support import connections, reporting, restore_request  # noqa: E402

SCRATCH_PREFIX = "drill_"
SCRATCH_ADMIN = "drill_admin"


# the task logger, so reports land in the task log before the return value
log = logging.getLogger("airflow.task")

@dag(
    dag_id="matrixone_pitr_drill",
    schedule="@weekly",
    start_date=pendulum.datetime(2024, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    params={
        "strategy": Param("latest", type="string", enum=["latest", "random"], title="Restore point",
                          description="latest: just before now; random: anywhere inside the recoverable window."),
        "pitrs": Param([], type="array", items={"type": "string", "pattern": restore_request.NAME_PATTERN, "minLength": 1},
                       title="PITR names", description="Drill only these account-level PITRs (empty: all)."),
        "fingerprint": Param(True, type="boolean", title="Fingerprint rows",
                             description="Prove content (exact row fingerprints), not only counts and columns."),
    },
    tags=["matrixone", "pitr", "drill"],
    doc_md=__doc__,
)
def matrixone_pitr_drill() -> None:
    @task
    def account_pitrs() -> list[dict[str, Any]]:
        """Account-level PITRs the sys connection created for tenants (sys itself cannot be drilled)."""
        params = get_current_context()["params"]
        wanted = {str(n).lower() for n in params.get("pitrs") or []}
        hook = connections.hook()
        if not hook.get_server_info().is_sys:
            raise AirflowFailException("the drill needs a sys connection (it creates scratch accounts)")
        found = [p.to_dict() for p in hook.list_pitrs()
                 if p.level.value == "account" and p.account and p.account.lower() != "sys"
                 and (not wanted or p.name.lower() in wanted)]
        log.info("%s", f"{len(found)} account-level PITR(s) to drill: {', '.join(p['name'] for p in found) or 'none'}")
        return found

    @task(map_index_template="{{ pitr['name'] }}")
    def drill(pitr: dict[str, Any]) -> dict[str, Any]:
        """One drill; never raises, so every PITR is drilled and the report sees every result."""
        params = get_current_context()["params"]
        result: dict[str, Any] = {"pitr": pitr["name"], "source": pitr["account"], "ok": False}
        try:
            _drill(pitr, params["strategy"], flags.parse_bool(params.get("fingerprint", False), "fingerprint"), result)
        except Exception as exc:  # reported, and the summary fails the DAG
            result["error"] = f"{type(exc).__name__}: {exc}"
        log.info("%s", f"drill {pitr['name']}: {'PASSED' if result['ok'] else 'FAILED'} {result.get('error', '')}")
        return result

    @task(trigger_rule="all_done")
    def report(results: Any) -> dict[str, Any]:
        rows = list(results or [])
        text = reporting.table(rows, [("pitr", "pitr"), ("source", "source account"), ("t_server", "T (server)"),
                                      ("recovery_s", "recovery s"), ("rows_verified", "rows verified"),
                                      ("tables", "tables"), ("verdict", "verdict"), ("ok", "ok"), ("error", "error")])
        log.info("%s", "Restore drill report:\n" + text)
        failed = [r for r in rows if not r.get("ok")]
        if failed:
            raise AirflowFailException(f"{len(failed)} drill(s) failed: " + ", ".join(r["pitr"] for r in failed))
        return {"drills": rows, "report": text}

    report(drill.expand(pitr=account_pitrs()))


def _pick_t(hook: Any, pitr_name: str, strategy: str) -> Any:
    """T inside the window (created, now]: latest = a moment ago, random = uniform inside it."""
    pitr = hook.require_pitr(pitr_name)
    window = hook.recovery_window(pitr, now=hook.now())  # the server's clock: MatrixOne checks T against it
    earliest = window.earliest + timedelta(seconds=1)  # SHOW PITR gives whole seconds; T must be after creation
    latest = window.latest - timedelta(milliseconds=200)
    if latest <= earliest:
        time.sleep((earliest - latest).total_seconds() + 0.2)
        latest = hook.now() - timedelta(milliseconds=100)
    if strategy == "random" and latest > earliest:
        span = (latest - earliest).total_seconds()
        return pitr, earliest + timedelta(seconds=random.uniform(0, span))  # noqa: S311 - not security
    return pitr, latest


def _drill(pitr_info: dict[str, Any], strategy: str, with_fingerprint: bool, result: dict[str, Any]) -> None:
    """Restore beside into a scratch account through the provider's workflow, then drop the scratch."""
    from airflow.sdk.log import mask_secret

    from airflow_provider_matrixone.pitr import statements
    from airflow_provider_matrixone.restore import RestoreRequest, run_restore

    sys_hook = connections.hook()
    source = pitr_info["account"]
    source_hook = connections.account_hook(source, sys_hook)  # refused before anything is created
    pitr, instant = _pick_t(sys_hook, pitr_info["name"], strategy)
    result["t_utc"] = instant.isoformat()
    scratch = f"{SCRATCH_PREFIX}{source}_{secrets.token_hex(3)}"[:60].lower()
    password = secrets.token_urlsafe(18)
    mask_secret(password)
    result["scratch_account"] = scratch
    request = RestoreRequest.build(pitr_name=pitr.name, level="account", instant=instant, account=source,
                                   target_account=scratch, safety_snapshot=False, fingerprint=with_fingerprint)
    sys_hook.execute(statements.create_account(scratch, SCRATCH_ADMIN, password))
    try:
        scratch_hook = connections.direct_hook(sys_hook, f"{scratch}#{SCRATCH_ADMIN}", password,
                                               conn_id="matrixone_drill_scratch")
        ctx = get_current_context()
        out = run_restore(sys_hook, request, run_key=f"{ctx['dag'].dag_id}/drill/{ctx['run_id']}/{scratch}",
                          source_ops=source_hook, target_ops=scratch_hook, logger=log)
        result["t_server"] = out["plan"]["server_literal"]
        result["recovery_s"] = next(p["duration_s"] for p in out["phases"] if p["phase"] == "restore")
        verdicts = out["check"]["objects"]
        result["tables"] = len(verdicts)
        result["rows_verified"] = sum(v["actual_rows"] or 0 for v in verdicts if v["verdict"] == "VERIFIED")
        result["verdicts"] = verdicts
        result["verdict"] = out["check"]["verdict"]  # green only on VERIFIED
        result["ok"] = bool(out["ok"])
        if not result["ok"]:
            # which object, and the sentence saying why (e.g. "table db1.t had 9 rows at T and has 8 now")
            result["error"] = "; ".join(
                f"{v['table']}: {v['verdict']}" + (f" ({v['reasons'][0]})" if v.get("reasons") else "")
                for v in verdicts if v["verdict"] != "VERIFIED")
    finally:
        sys_hook.execute(statements.drop_account(scratch, if_exists=True))
        result["scratch_dropped"] = True


matrixone_pitr_drill()
