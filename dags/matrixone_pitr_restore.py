"""On-call restore: plan, (stop if dry run), restore, verify, report.

Trigger it from the UI form or with
``airflow dags trigger matrixone_pitr_restore --conf '{"timestamp": "2024-10-28 17:30:00",
"timezone": "Asia/Shanghai", "level": "database", "account": "acc2", "database": "db1"}'``.

* ``plan`` validates every parameter before any SQL, picks the connection and PITR (a PITR is
  visible only to the account that created it; tenants are read through ``matrixone_<account>``
  connections), checks the recovery window, builds the exact RESTORE statement and reads the
  reference: the objects and row counts as they were at T (time travel). It changes nothing.
* ``restore`` takes a safety snapshot of what is about to be overwritten (the undo point) and runs
  the RESTORE. ``verify`` is a sensor comparing the live data with the reference; ``report`` prints
  the per-table verdict table. Uses params only, never the logical date: manual runs have none.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pendulum
from airflow.sdk import Param, PokeReturnValue, dag, get_current_context, task

if str(Path(__file__).parent) not in sys.path:
    sys.path.append(str(Path(__file__).parent))

from matrixone_dag_support import (  # noqa: E402
    connections,
    reporting,
    restore_request,
    restore_routing,
    restoring,
    verification,
)

_NAME = {"type": ["null", "string"], "pattern": restore_request.NAME_PATTERN, "default": None}


def _params() -> dict[str, Param]:
    return {
        "timestamp": Param(
            type="string",
            pattern=restore_request.TIMESTAMP_PATTERN,
            title="Restore to (timestamp)",
            description="The instant to restore to: 2024-10-28 17:30:00 (read in 'timezone'), "
            "2024-10-28T09:30:00Z / +08:00, or epoch nanoseconds.",
        ),
        "timezone": Param(
            "UTC",
            type="string",
            pattern=restore_request.ZONE_PATTERN,
            title="Time zone of the timestamp",
            description="Zone a timestamp without offset is in: UTC, an IANA name (Asia/Shanghai), "
            "+08:00, or 'server' for the MatrixOne server's zone.",
        ),
        "pitr_name": Param(**_NAME, title="PITR name",
                           description="Leave empty to use the most specific PITR that covers the object."),
        "level": Param("account", type="string", enum=restore_request.LEVELS, title="Restore level",
                       description="account | database | table | cluster"),
        "account": Param(**_NAME, title="Account",
                         description="Account whose data is restored (empty: the connection's account)."),
        "database": Param(**_NAME, title="Database", description="For level database or table."),
        "table": Param(**_NAME, title="Table", description="For level table."),
        "target_account": Param(**_NAME, title="Restore beside into account",
                                description="Optional, level account only: restore the data into this "
                                "existing account instead of in place (needs a sys connection)."),
        "dry_run": Param(False, type="boolean", title="Dry run",
                         description="Plan and read the reference only; change nothing."),
        "safety_snapshot": Param(True, type="boolean", title="Safety snapshot",
                                 description="Snapshot what is about to be overwritten before restoring."),
        "fingerprint": Param(False, type="boolean", title="Fingerprint rows",
                             description="Also hash every row (slower, catches wrong values with right counts)."),
    }


@dag(
    dag_id="matrixone_pitr_restore",
    schedule=None,
    start_date=pendulum.datetime(2024, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    params=_params(),
    tags=["matrixone", "pitr", "restore", "on-call"],
    doc_md=__doc__,
)
def matrixone_pitr_restore() -> None:
    @task
    def plan() -> dict[str, Any]:
        """Validate, choose PITR and connections, build the SQL, read the reference at T. Read-only."""
        params = get_current_context()["params"]
        offline = restore_request.parse(dict(params))  # before any connection is opened
        default = connections.hook(connections.DEFAULT_CONN_ID)
        request = restore_request.parse(dict(params), server_zone=default.server_timezone)
        if offline.timezone != "server":
            request = offline
        route = restore_routing.route(default, request)
        sql, literal = restoring.build(route.restore_hook, route.pitr, request.instant, route.scope,
                                       route.source_account)
        from airflow_provider_matrixone.pitr import timestamps

        at_ns = timestamps.to_epoch_ns(request.instant)
        reference = verification.capture(
            route.reference_hook, route.verify_level, database=request.database, table=request.table,
            at_ns=at_ns, with_fingerprint=request.fingerprint,
        )
        result = {
            "request": request.to_dict(),
            "sql": sql,
            "timestamp_server": literal,
            "server_timezone": str(getattr(route.restore_hook.server_timezone, "key", route.restore_hook.server_timezone)),
            "pitr": route.pitr.to_dict(),
            "restore_as": route.restore_hook.login.account,
            "restore_conn_id": route.restore_hook.get_conn_id(),
            "verify_conn_id": route.verify_hook.get_conn_id(),
            "verify_account": route.verify_hook.login.account,
            "verify_level": route.verify_level,
            "scope": route.scope.to_dict(),
            "reference": reference,
        }
        lines = [
            f"PLAN ({'dry run' if request.dry_run else 'will restore'})",
            f"  restore to   : {request.instant.isoformat()} UTC = '{literal}' in the server zone",
            f"  pitr         : {route.pitr.name} ({route.pitr.level.value}, {route.pitr.range})",
            f"  run as       : account {result['restore_as']} (connection {result['restore_conn_id']})",
            f"  SQL          : {sql}",
            f"  verify in    : account {result['verify_account']} (connection {result['verify_conn_id']})",
            f"  reference at T: {len(reference['databases'])} database(s), {len(reference['tables'])} table(s)",
        ]
        lines += [f"    {k}: {v['rows']} rows" for k, v in sorted(reference["tables"].items())]
        print("\n".join(lines))
        return result

    @task.short_circuit
    def stop_if_dry_run(p: dict[str, Any]) -> bool:
        """A dry run ends here: nothing below runs, nothing was changed."""
        if p["request"]["dry_run"]:
            print("dry run: stopping before the restore; the plan above is what would run")
            return False
        return True

    @task
    def restore(p: dict[str, Any]) -> dict[str, Any]:
        """Safety snapshot (the undo point), then the RESTORE statement from the plan."""
        hook = connections.hook(p["restore_conn_id"])
        timings: dict[str, float] = {}
        snapshot = None
        if p["request"]["safety_snapshot"]:
            snapshot = _safety_snapshot(hook, p, timings)
        timings["restore_s"] = restoring.run(hook, p["sql"])
        print(f"restored with: {p['sql']} in {timings['restore_s']} s")
        return {"sql": p["sql"], "safety_snapshot": snapshot, "timings": timings}

    @task.sensor(poke_interval=2, timeout=120, mode="poke")
    def verify(p: dict[str, Any], r: dict[str, Any]) -> PokeReturnValue:
        """Done when the live data matches the reference read at T (counts, optionally fingerprints)."""
        hook = connections.hook(p["verify_conn_id"])
        ref = p["reference"]
        now = verification.capture(hook, p["verify_level"], database=ref["database"], table=ref["table"],
                                   with_fingerprint=p["request"]["fingerprint"])
        verdicts = [v | {"account": p["verify_account"]} for v in verification.compare(ref, now)]
        ok = verification.passed(verdicts)
        if not ok:
            print(reporting.verdict_table(verdicts))
        return PokeReturnValue(is_done=ok, xcom_value=verdicts)

    @task
    def report(p: dict[str, Any], r: dict[str, Any], verdicts: list[dict[str, Any]]) -> dict[str, Any]:
        text = "\n".join([
            f"Restore of {p['scope']} to {p['timestamp_server']} ({p['server_timezone']}) with pitr "
            f"{p['pitr']['name']}",
            f"SQL: {r['sql']}",
            f"Safety snapshot: {r['safety_snapshot'] or 'none'}",
            "Timings: " + ", ".join(f"{k}={v}" for k, v in r["timings"].items()),
            reporting.verdict_table(verdicts),
        ])
        print(text)
        verification.require_passed(verdicts, "restore")
        return {"ok": True, "verdicts": verdicts, "report": text}

    p: Any = plan()
    gate = stop_if_dry_run(p)
    r: Any = restore(p)
    gate >> r
    v: Any = verify(p, r)
    report(p, r, v)


def _safety_snapshot(hook: Any, p: dict[str, Any], timings: dict[str, float]) -> str | None:
    """Snapshot the objects the restore overwrites; None when there is nothing left to save."""
    import time

    scope = p["scope"]
    level = scope["level"]
    run_id = get_current_context()["run_id"]
    suffix = "".join(ch for ch in run_id if ch.isalnum())[-20:]
    name = f"pre_restore_{suffix}".lower()
    start = time.monotonic()
    if level in ("database", "table"):
        if scope["database"] not in hook.list_databases():
            print(f"safety snapshot skipped: database {scope['database']} does not exist now")
            return None
        if level == "table" and scope["table"] not in hook.list_tables(scope["database"]):
            print(f"safety snapshot skipped: table {scope['database']}.{scope['table']} does not exist now")
            return None
    target = scope["account"] if level == "account" else None
    hook.create_snapshot(name, level, account=target, database=scope["database"], table=scope["table"],
                         if_not_exists=True)
    timings["safety_snapshot_s"] = round(time.monotonic() - start, 3)
    print(f"safety snapshot {name} created (undo point; drop it with DROP SNAPSHOT {name})")
    return name


matrixone_pitr_restore()
