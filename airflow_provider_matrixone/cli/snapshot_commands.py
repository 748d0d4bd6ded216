"""``mo-pitr snapshot create|show|drop`` (restore lives in :mod:`restore`)."""

from __future__ import annotations

from datetime import UTC

from airflow_provider_matrixone.cli import output
from airflow_provider_matrixone.cli.context import Context
from airflow_provider_matrixone.cli.errors import UsageError
from airflow_provider_matrixone.cli.pitr_commands import cluster_flag
from airflow_provider_matrixone.pitr import errors as domain
from airflow_provider_matrixone.pitr.models import Level, Snapshot
from airflow_provider_matrixone.pitr.timestamps import parse_timestamp, to_epoch_ns


def create(ctx: Context) -> int:
    a = ctx.args
    level = Level.parse(a.level)
    if level not in (Level.ACCOUNT, Level.CLUSTER):
        raise UsageError("--level", f"snapshot create takes --level account or cluster, got {a.level!r}",
                         '--level "account" --account "acc1"')
    account = a.account if level is Level.ACCOUNT else None
    if level is Level.CLUSTER and a.account:
        raise UsageError("--account", "a cluster snapshot takes no --account", '--level "cluster"')
    snap = ctx.client.create_snapshot(a.sname, level, account=account)
    ctx.out(f"created snapshot {snap.name}: level {snap.level.value} at {output.snapshot_timestamp(snap)} UTC")
    return 0


def _bound(value: str | None, flag: str) -> int | None:
    if value is None:
        return None
    try:
        return to_epoch_ns(parse_timestamp(value, zone=UTC, field="timestamp").instant)
    except domain.InvalidInput as exc:
        raise UsageError(flag, str(exc).replace("timestamp: ", ""), f'{flag} "2024-10-28 09:30:00"') from None


def _same(a: str | None, b: str | None) -> bool:
    return (a or "").lower() == (b or "").lower()


def select(snaps: list[Snapshot], *, cluster: bool, account: str | None, database: str | None,
           table: str | None, name: str | None, begin_ns: int | None, end_ns: int | None) -> list[Snapshot]:
    out = []
    for s in snaps:
        if cluster and s.level is not Level.CLUSTER:
            continue
        if account and not _same(s.account, account):
            continue
        if database and not _same(s.database, database):
            continue
        if table and not _same(s.table, table):
            continue
        if name and not _same(s.name, name):
            continue
        if begin_ns is not None and s.ts_ns < begin_ns:
            continue
        if end_ns is not None and s.ts_ns > end_ns:
            continue
        out.append(s)
    return out


def show(ctx: Context) -> int:
    a = ctx.args
    cluster = cluster_flag(a.cluster)
    begin_ns, end_ns = _bound(a.begin_ts, "--beginTs"), _bound(a.end_ts, "--endTs")
    snaps = select(ctx.client.list_snapshots(), cluster=cluster, account=a.account, database=a.db, table=a.table,
                   name=a.sname, begin_ns=begin_ns, end_ns=end_ns)
    if a.format == "json":
        ctx.out(output.to_json([s.to_dict() for s in snaps]))
    else:
        ctx.out(output.snapshot_table(snaps))
    return 0


def drop(ctx: Context) -> int:
    ctx.client.drop_snapshot(ctx.args.sname)
    ctx.out(f"dropped snapshot {ctx.args.sname}")
    return 0
