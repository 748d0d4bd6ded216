"""``mo-pitr pitr restore`` and ``snapshot restore``: plan, confirm, protect, restore, verify.

Order matters: everything that can be checked is checked before the first mutating statement
(flags, PITR, level, window), the verification reference is captured *before* the restore (the
restore may destroy what it reads), and the safety snapshot is taken right before the restore.
"""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime
from typing import Any

from airflow_provider_matrixone.cli import accounts, output, planning, verification
from airflow_provider_matrixone.cli.context import Context, Progress
from airflow_provider_matrixone.cli.errors import Refused, UsageError
from airflow_provider_matrixone.cli.pitr_commands import cluster_flag
from airflow_provider_matrixone.cli.targets import (
    Target,
    check_combination,
    pitr_target,
    safety_scope,
    snapshot_target,
)
from airflow_provider_matrixone.pitr import errors as domain
from airflow_provider_matrixone.pitr import statements, timestamps
from airflow_provider_matrixone.pitr.client import redact_sql
from airflow_provider_matrixone.pitr.coverage import check_pitr_covers
from airflow_provider_matrixone.pitr.flags import parse_bool
from airflow_provider_matrixone.pitr.models import Level, Pitr

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


def _safety_name() -> str:
    return "mo_pitr_safety_" + datetime.now(UTC).strftime("%Y%m%d%H%M%S%f")[:-3]


def take_safety_snapshot(ctx: Context, target: Target, progress: Progress) -> dict[str, Any] | None:
    """Snapshot the cluster or affected account before an in-place restore; print how to undo."""
    client = ctx.client
    scope = safety_scope(target, client.login)
    name = _safety_name()
    progress.phase(f"safety snapshot {name} ({scope.level.value}"
                   f"{' ' + scope.account if scope.account else ''}) ...")
    try:
        snap = client.create_snapshot(name, scope.level, account=scope.account)
    except domain.ObjectNotFound as exc:
        progress.phase(f"safety snapshot skipped: {exc} (nothing current to protect)")
        return None
    except domain.MatrixOneError:
        progress.phase("safety snapshot failed: nothing was restored; fix the cause below or rerun with "
                       "--no-safety-snapshot to restore without one")
        raise
    undo = f"mo-pitr snapshot restore --sname {snap.name}"
    if target.scope.level is not Level.CLUSTER:
        undo += f" --account {target.scope.account or client.account}"
        if target.scope.database:
            undo += f" --db {target.scope.database}"
        if target.scope.table:
            undo += f" --table {target.scope.table}"
    progress.phase(f"safety snapshot {snap.name} taken at {output.snapshot_timestamp(snap)} UTC; undo with: {undo}")
    return {"name": snap.name, "ts_ns": snap.ts_ns, "undo": undo}


def _check_covers(pitr: Pitr, target: Target, caller: str) -> None:
    """MatrixOne's object checks (a database PITR restores only its database, ...), before sending."""
    try:
        check_pitr_covers(pitr, target.scope, caller)
    except domain.LevelMismatch as exc:
        raise domain.LevelMismatch(str(exc).replace("use target_account", "use --new_account")) from None


def _plan_lines(ctx: Context, title: str, rows: list[tuple[str, str]]) -> None:
    ctx.out(title)
    width = max(len(k) for k, _ in rows)
    for key, value in rows:
        ctx.out(f"  {key.ljust(width)}  {value}")


def pitr_restore(ctx: Context) -> int:
    a = ctx.args
    cluster = cluster_flag(a.cluster)
    password = accounts.new_account_flags(a.new_account, a.new_admin_name, a.new_admin_password)
    if a.verify and a.dry_run:
        raise UsageError("--verify", "--verify and --dry-run exclude each other (a dry run restores nothing)",
                         "--dry-run")
    check_combination(cluster, a.account, a.database, a.table, a.new_account, "--database")
    # Format and zone errors are usage errors: report them before connecting. The zone used here
    # only checks the shape; the real instant is resolved in the server's zone below.
    if a.timezone:
        timestamps.resolve_zone(a.timezone)
    timestamps.parse_timestamp(a.timestamp, zone=a.timezone or "UTC")
    client = ctx.client
    progress = Progress(ctx)
    parsed = client.resolve_timestamp(a.timestamp, a.timezone or "server")
    if parsed.note:
        ctx.err(f"note: {parsed.note}")
    pitr = client.require_pitr(a.pname)
    target = pitr_target(pitr, client.login, cluster=cluster, account=a.account, database=a.database,
                         table=a.table, new_account=a.new_account)
    sql, literal = client.build_restore_pitr(pitr, parsed.instant, target.scope,
                                             source_account=target.source_account)
    if target.new_account is None:
        _check_covers(pitr, target, client.account)
    if a.verify:
        verification.require_own_account(client, target)  # refuse before the prompt, not after
    zone = client.server_timezone
    sqls = [sql]
    if target.new_account and password is not None:
        sqls.insert(0, accounts.create_account_sql(target.new_account, a.new_admin_name, password))
    shown = [redact_sql(s) for s in sqls]
    plan_rows = [
        ("pitr", f"{pitr.name} (level {pitr.level.value}"
                 f"{', account ' + pitr.account if pitr.account else ''}, range {pitr.range.value} "
                 f"{pitr.range.unit.value})"),
        ("target", target.describe(client.login)),
        ("timestamp", output.two_zones(parsed.instant, zone)),
        ("server", f"MatrixOne {client.version} as {client.login.account}#{client.login.user}"),
        *(("statement", s) for s in shown),
    ]
    if target.in_place:
        plan_rows.append(("safety", "snapshot before restoring" if a.safety_snapshot and not a.dry_run
                          else ("snapshot before restoring (not taken in a dry run)" if a.safety_snapshot
                                else "none (--no-safety-snapshot)")))
    if a.format != "json":
        _plan_lines(ctx, "restore plan" + (" (dry run: nothing will be changed)" if a.dry_run else ""), plan_rows)
    result: dict[str, Any] = {
        "pitr": pitr.to_dict(), "target": target.scope.to_dict(), "new_account": target.new_account,
        "source_account": target.source_account, "statements": shown,
        "timestamp_utc": parsed.instant.isoformat(), "timestamp_server": literal,
        "server_timezone": output.zone_name(zone), "dry_run": bool(a.dry_run),
    }
    if a.dry_run:
        details = planning.describe(client, target, pitr, parsed.instant)
        result["plan"] = details.data
        if a.format == "json":
            ctx.out(output.to_json(result))
        else:
            ctx.out(details.text)
        return 0

    if target.needs_confirmation:
        confirm(ctx, target.describe(client.login))
    reference = None
    if a.verify:
        progress.phase("verify: capturing the reference state at the restore timestamp ...")
        reference = verification.capture(client, target, parsed.instant)
        progress.phase("verify: reference captured")
    if target.in_place and a.safety_snapshot:
        result["safety_snapshot"] = take_safety_snapshot(ctx, target, progress)
    start = time.monotonic()
    progress.phase(f"restoring {target.describe(client.login)} to {literal} ({output.zone_name(zone)}) ...")
    if len(sqls) == 2 and target.new_account:
        accounts.restore_into_new_account(client, progress, target.new_account, sqls[0], sql)
    else:
        client.execute(sql)
    duration = time.monotonic() - start
    progress.phase(f"restore done in {duration:.2f}s")
    result["duration_s"] = round(duration, 3)
    status = 0
    if reference is not None:
        progress.phase("verify: comparing the restored state with the reference ...")
        report = verification.check(client, target, reference)
        result["verification"] = report.data
        status = 0 if report.ok else 1
        progress.phase(f"verify: {'passed' if report.ok else 'FAILED'}")
        if a.format != "json":
            ctx.out(report.text)
        if not report.ok:
            ctx.err("mo-pitr: error: verification FAILED: the restored state differs from the state at the "
                    "timestamp (see the table above); a safety snapshot, if taken, can undo the restore")
    if a.format == "json":
        ctx.out(output.to_json(result))
    else:
        ctx.out(f"restored {target.describe(client.login)} to {output.two_zones(parsed.instant, zone)} "
                f"in {duration:.2f}s")
    return status


def snapshot_restore(ctx: Context) -> int:
    a = ctx.args
    password = accounts.new_account_flags(a.new_account, a.new_admin_name, a.new_admin_password)
    check_combination(False, a.account, a.db, a.table, a.new_account, "--db")
    client = ctx.client
    progress = Progress(ctx)
    snap = client.get_snapshot(a.sname)
    if snap is None:
        raise domain.SnapshotNotFound(f"snapshot {a.sname} does not exist (for account {client.account})")
    target = snapshot_target(snap, client.login, account=a.account, database=a.db, table=a.table,
                             new_account=a.new_account)
    scope = target.scope
    sql = statements.restore_snapshot(snap.name, scope, version=client.version, to_account=target.new_account)
    ctx.out(f"restore plan\n  snapshot   {snap.name} ({snap.level.value}, {output.snapshot_timestamp(snap)} UTC)\n"
            f"  target     {target.describe(client.login)}\n  statement  {sql}")
    if target.needs_confirmation:
        confirm(ctx, target.describe(client.login))
    start = time.monotonic()
    progress.phase(f"restoring {target.describe(client.login)} from snapshot {snap.name} ...")
    if target.new_account and password is not None:
        create_sql = accounts.create_account_sql(target.new_account, a.new_admin_name, password)
        accounts.restore_into_new_account(client, progress, target.new_account, create_sql, sql)
    else:
        client.execute(sql)
    duration = time.monotonic() - start
    progress.phase(f"restore done in {duration:.2f}s")
    ctx.out(f"restored {target.describe(client.login)} from snapshot {snap.name} in {duration:.2f}s")
    return 0
