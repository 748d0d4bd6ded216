"""``mo-pitr pitr restore`` and ``snapshot restore``: plan, confirm, protect, restore, verify.

Both are argument handling around the provider's one workflow
(:func:`airflow_provider_matrixone.restore.run_restore`, :func:`run_workflow` here): a snapshot
restore is the same plan, undo point, verification and report, T being the snapshot's instant.

Order matters: everything that can be checked is checked before the first mutating statement
(flags, PITR, level, window), the verification reference is captured *before* the restore (the
restore may destroy what it reads), and the safety snapshot is taken right before the restore.
"""

from __future__ import annotations

import logging
import os
from datetime import UTC, datetime
from typing import Any

from airflow_provider_matrixone.cli import accounts, output, planning, verification
from airflow_provider_matrixone.cli.context import Context, Progress
from airflow_provider_matrixone.cli.errors import Refused, UsageError
from airflow_provider_matrixone.cli.pitr_commands import cluster_flag
from airflow_provider_matrixone.cli.probe import check_probe_flags, probe_client, probe_summary
from airflow_provider_matrixone.cli.targets import Target, check_combination, pitr_target, snapshot_target
from airflow_provider_matrixone.pitr import errors as domain
from airflow_provider_matrixone.pitr import timestamps
from airflow_provider_matrixone.pitr.flags import parse_bool
from airflow_provider_matrixone.pitr.models import Level
from airflow_provider_matrixone.pitr.restore_plan import RestorePlan
from airflow_provider_matrixone.restore import RestoreRequest, render_report, run_restore, snapshot_request
from airflow_provider_matrixone.sql_io.driver import redact_sql

ASSUME_YES_ENV = "MO_PITR_YES"


def _env_yes() -> bool:
    raw = os.environ.get(ASSUME_YES_ENV)
    if raw is None:
        return False
    try:
        return parse_bool(raw, ASSUME_YES_ENV)
    except domain.InvalidInput as exc:
        raise UsageError(ASSUME_YES_ENV, str(exc), "MO_PITR_YES=1 or unset it") from None


def confirm(ctx: Context, what: str) -> None:
    """--yes (or $MO_PITR_YES=1), else a y/N prompt on a terminal, else refuse (exit 2).

    $MO_PITR_YES goes through the one strict boolean parser: set to anything that is not clearly
    true or false (blank, ``None``, ``maybe``) it refuses with exit 2 instead of guessing.
    """
    if getattr(ctx.args, "yes", False) or _env_yes():
        return
    if not ctx.is_tty():
        raise Refused(f"--yes: refusing to restore {what} without confirmation: stdin is not a "
                      "terminal. Add --yes (or set MO_PITR_YES=1), or preview it with --dry-run "
                      "(example: mo-pitr pitr restore ... --yes)")
    ctx.prompt(f"This replaces the current data of {what}. Continue? [y/N] ")
    answer = ctx.read_line().strip().lower()
    if answer not in ("y", "yes"):
        raise Refused("restore cancelled (answer was not 'y')")


def _run_key() -> str:
    """A fresh key per mo-pitr run (``--run-key`` pins it, e.g. to rerun or to match an Airflow run)."""
    return "mo-pitr/" + datetime.now(UTC).strftime("%Y%m%d%H%M%S%f")


def _undo_hint(result: dict[str, Any], target: Target, login_account: str) -> str:
    snap = result["safety_snapshot"]
    undo = f"mo-pitr snapshot restore --sname {snap['name']}"
    scope = result["undo"]["scope"] or {}
    if target.scope.level is not Level.CLUSTER:
        undo += f" --account {target.scope.account or login_account}"
        if scope.get("database"):
            undo += f" --db {scope['database']}"
        if scope.get("table"):
            undo += f" --table {scope['table']}"
    return undo


def _plan_lines(ctx: Context, title: str, rows: list[tuple[str, str]]) -> None:
    ctx.out(title)
    width = max(len(k) for k, _ in rows)
    for key, value in rows:
        ctx.out(f"  {key.ljust(width)}  {value}")


def _own_account(client: Any, target: Target) -> bool:
    """MatrixOne shows an account's objects (now and at T) only to that account."""
    if target.scope.level is Level.CLUSTER or target.new_account:
        return False
    return (target.scope.account or client.account).lower() == client.account.lower()


def pitr_restore(ctx: Context) -> int:
    """Argument handling around the provider's restore workflow (:mod:`airflow_provider_matrixone.restore`)."""
    a = ctx.args
    cluster = cluster_flag(a.cluster)
    password = accounts.new_account_flags(a.new_account, a.new_admin_name, a.new_admin_password)
    check_flags(a)
    check_combination(cluster, a.account, a.database, a.table, a.new_account, "--database")
    # Format and zone errors are usage errors: report them before connecting. The zone used here
    # only checks the shape; the real instant is resolved in the server's zone below.
    if a.timezone:
        timestamps.resolve_zone(a.timezone)
    timestamps.parse_timestamp(a.timestamp, zone=a.timezone or "UTC")
    client = ctx.client
    parsed = client.resolve_timestamp(a.timestamp, a.timezone or "server")
    if parsed.note:
        ctx.err(f"note: {parsed.note}")
    pitr = client.require_pitr(a.pname)
    target = pitr_target(pitr, client.login, cluster=cluster, account=a.account, database=a.database,
                         table=a.table, new_account=a.new_account)
    if a.verify:
        verification.require_own_account(client, target)  # refuse before the prompt, not after
    beside = target.new_account
    request = RestoreRequest.build(
        pitr_name=pitr.name, level=target.scope.level, instant=parsed.instant,
        account=target.data_from if beside else target.scope.account, database=target.scope.database,
        table=target.scope.table, target_account=beside, source_account=None if beside else target.source_account,
        timestamp_note=parsed.note, dry_run=bool(a.dry_run), safety_snapshot=bool(a.safety_snapshot and not beside),
        verify=bool(a.verify),
    )
    pitr_row = (f"{pitr.name} (level {pitr.level.value}{', account ' + pitr.account if pitr.account else ''}, "
                f"range {pitr.range.value} {pitr.range.unit.value})")
    return run_workflow(ctx, request, target, password, ("pitr", pitr_row, pitr.to_dict()), parsed.instant)


def run_workflow(ctx: Context, request: RestoreRequest, target: Target, password: str | None,
                 source: tuple[str, str, dict[str, Any]], instant: datetime) -> int:
    """Run the provider's workflow for a ``pitr restore`` or ``snapshot restore`` command line.

    ``source`` is what is restored from: its kind (``pitr``/``snapshot``), its line in the printed
    plan and its dict in ``--format json``. Confirmation, creating a new account first, the plan,
    the undo point and the report are the same for both.
    """
    a, client = ctx.args, ctx.client
    progress = Progress(ctx)
    beside = target.new_account
    create_sql = accounts.create_account_sql(beside, a.new_admin_name, password) if beside and password else None
    zone = client.server_timezone
    shown = [redact_sql(s) for s in ([create_sql] if create_sql else [])]

    def confirm_plan(plan: RestorePlan) -> None:
        if target.needs_confirmation:
            confirm(ctx, target.describe(client.login))

    def execute(sql: str) -> None:
        progress.phase(f"restoring {target.describe(client.login)} to {plan_data['server_literal']} "
                       f"({output.zone_name(zone)}) ...")
        if create_sql and beside:
            accounts.restore_into_new_account(client, progress, beside, create_sql, sql)
        else:
            client.execute(sql)

    def on_event(name: str, result: dict[str, Any]) -> None:
        if name == "planned":
            plan_data.update(result["plan"])
            shown.append(redact_sql(result["sql"]))
            _print_plan(ctx, a, source[:2], target, instant, zone, shown, client)
        elif name == "undo_point":
            _print_undo_point(ctx, a, result, target, progress)

    plan_data: dict[str, Any] = {}
    probe = probe_client(a, ctx.stdin)  # its password is read now, before the confirmation prompt
    try:
        result = run_restore(client, request, run_key=a.run_key or _run_key(), confirm=confirm_plan,
                             execute=execute, on_event=on_event, list_objects=_own_account(client, target),
                             logger=_QUIET, probe_ops=probe)
    except domain.LevelMismatch as exc:
        raise domain.LevelMismatch(str(exc).replace("use target_account", "use --new_account")) from None
    return _finish(ctx, a, result, target, instant, zone, shown, (source[0], source[2]), progress)


def _print_undo_point(ctx: Context, a: Any, result: dict[str, Any], target: Target, progress: Progress) -> None:
    snap = result.get("safety_snapshot")
    if snap:
        scope = result["undo"]["scope"] or {}
        what = scope.get("level", "") + (f" {scope['account']}" if scope.get("account") else "")
        undo = _undo_hint(result, target, ctx.client.account)
        how = "reused (taken by an earlier run with this --run-key)" if snap.get("reused") else "taken"
        progress.phase(f"safety snapshot {snap['name']} ({what}) {how} at {snap['timestamp']} UTC; undo with: {undo}")
    elif target.in_place and a.safety_snapshot:
        progress.phase("safety snapshot skipped: the restored object does not exist now (nothing to protect)")


#: The workflow's own log lines are for task logs; mo-pitr prints its plan and progress itself.
_QUIET = logging.getLogger("airflow_provider_matrixone.restore.cli")
_QUIET.propagate = False
_QUIET.addHandler(logging.NullHandler())


def _print_plan(ctx: Context, a: Any, source_row: tuple[str, str], target: Target, instant: datetime, zone: Any,
                shown: list[str], client: Any) -> None:
    if a.format == "json":
        return
    rows = [
        source_row,
        ("target", target.describe(client.login)),
        ("timestamp", output.two_zones(instant, zone)),
        ("server", f"MatrixOne {client.version} as {client.login.account}#{client.login.user}"),
        *(("statement", s) for s in shown),
    ]
    if target.in_place:
        rows.append(("safety", "snapshot before restoring" if a.safety_snapshot and not a.dry_run
                     else ("snapshot before restoring (not taken in a dry run)" if a.safety_snapshot
                           else "none (--no-safety-snapshot)")))
    _plan_lines(ctx, "restore plan" + (" (dry run: nothing will be changed)" if a.dry_run else ""), rows)


def _finish(ctx: Context, a: Any, result: dict[str, Any], target: Target, instant: datetime, zone: Any,
            shown: list[str], source: tuple[str, dict[str, Any]], progress: Progress) -> int:
    plan = result["plan"]
    data: dict[str, Any] = {
        source[0]: source[1], "target": target.scope.to_dict(), "new_account": target.new_account,
        "source_account": target.source_account, "statements": shown,
        "timestamp_utc": instant.isoformat(), "timestamp_server": plan["server_literal"],
        "server_timezone": output.zone_name(zone), "dry_run": bool(a.dry_run), "undo": result["undo"],
        "sql": result["sql"],
    }
    if a.dry_run:
        data["plan"] = plan if plan["listed"] else {"objects": None, "note": plan["notes"][-1]}
        ctx.out(output.to_json(data) if a.format == "json" else planning.render_objects(plan))
        return 0
    data["plan"] = plan
    snap = result.get("safety_snapshot")
    if snap:
        data["safety_snapshot"] = {"name": snap["name"], "ts_ns": snap.get("ts_ns"),
                                   "undo": _undo_hint(result, target, ctx.client.account)}
    duration = next((p["duration_s"] for p in result["phases"] if p["phase"] == "restore"), 0.0)
    progress.phase(f"restore done in {duration:.2f}s")
    data["duration_s"] = round(duration, 3)
    status = 0
    check = result.get("check")
    if check is not None:
        data["verification"] = check
        status = 0 if result["ok"] else 1
        progress.phase(f"verify: {'passed' if result['ok'] else 'FAILED'}")
        if (probe := probe_summary(a)) is not None:  # the endpoint the access proof actually read through
            data["probe"] = probe
        if a.format != "json":
            ctx.out(f"verification: {check['verdict']}\n{render_report(result)}")
            if probe is not None:
                ctx.out(f"access probe: login {probe['login']} through {probe['host']}:{probe['port']}")
        if not result["ok"]:
            ctx.err("mo-pitr: error: verification FAILED: the restored state differs from the state at the "
                    "timestamp (see the table above); a safety snapshot, if taken, can undo the restore")
    if a.format == "json":
        ctx.out(output.to_json(data))
    else:
        ctx.out(f"restored {target.describe(ctx.client.login)} to {output.two_zones(instant, zone)} "
                f"in {duration:.2f}s")
    return status


def check_flags(a: Any) -> None:
    """Flag combinations a restore command refuses before connecting."""
    if a.verify and a.dry_run:
        raise UsageError("--verify", "--verify and --dry-run exclude each other (a dry run restores nothing)",
                         "--dry-run")
    check_probe_flags(a)


def snapshot_restore(ctx: Context) -> int:
    """Argument handling around the same workflow, restoring from a snapshot (T = the snapshot's instant)."""
    a = ctx.args
    password = accounts.new_account_flags(a.new_account, a.new_admin_name, a.new_admin_password)
    check_flags(a)
    check_combination(False, a.account, a.db, a.table, a.new_account, "--db")
    client = ctx.client
    snap = client.get_snapshot(a.sname)
    if snap is None:
        raise domain.SnapshotNotFound(f"snapshot {a.sname} does not exist (for account {client.account})")
    target = snapshot_target(snap, client.login, account=a.account, database=a.db, table=a.table,
                             new_account=a.new_account)
    if a.verify:
        verification.require_own_account(client, target)  # refuse before the prompt, not after
    scope = target.scope
    request = snapshot_request(client, snap.name, level=scope.level, account=scope.account, database=scope.database,
                               table=scope.table, to_account=target.new_account, dry_run=bool(a.dry_run),
                               safety_snapshot=bool(a.safety_snapshot and not target.new_account),
                               verify=bool(a.verify))
    row = f"{snap.name} ({snap.level.value}, {output.snapshot_timestamp(snap)} UTC)"
    return run_workflow(ctx, request, target, password, ("snapshot", row, snap.to_dict()), request.instant)
