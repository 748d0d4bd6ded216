"""``mo-pitr pitr create|show|alter|drop|window``: thin wrappers over ``PitrClient``."""

from __future__ import annotations

from airflow_provider_matrixone.cli import output
from airflow_provider_matrixone.cli.context import Context
from airflow_provider_matrixone.cli.errors import UsageError
from airflow_provider_matrixone.pitr import timestamps, window
from airflow_provider_matrixone.pitr.models import Level, Pitr, RangeUnit


def normalise_unit(ctx: Context, value: str) -> str:
    """Accept mo_br's documented ``--rangeunit "d "`` typo, saying so in one line."""
    unit = RangeUnit.parse(value)
    if value != unit.value:
        ctx.err(f"note: normalised --rangeunit {value!r} to {unit.value!r}")
    return unit.value


def _same(a: str | None, b: str | None) -> bool:
    return (a or "").lower() == (b or "").lower()


def cluster_flag(value: str | None) -> bool:
    """mo_br's ``--cluster`` only means something with the value ``sys``."""
    if value is None:
        return False
    if value.strip().lower() != "sys":
        raise UsageError("--cluster", f"--cluster only accepts the value 'sys', got {value!r}", "--cluster sys")
    return True


def create(ctx: Context) -> int:
    a = ctx.args
    level = Level.parse(a.level)
    unit = normalise_unit(ctx, a.rangeunit)
    account = a.account
    if level is Level.CLUSTER and account and _same(account, ctx.client.account):
        account = None
    pitr = ctx.client.create_pitr(a.pname, level, account=account, database=a.database, table=a.table,
                                  range_value=a.rangevalue, range_unit=unit)
    ctx.out(f"created pitr {pitr.name}: level {pitr.level.value}, range {pitr.range.value} {pitr.range.unit.value}")
    return 0


def select(pitrs: list[Pitr], *, cluster: bool, account: str | None, database: str | None,
           table: str | None, name: str | None) -> list[Pitr]:
    """mo_br's show filters, applied to the login's PITRs (MatrixOne lists only the creator's)."""
    out = []
    for p in pitrs:
        if cluster and p.level is not Level.CLUSTER:
            continue
        if account and not _same(p.account, account):
            continue
        if database and not _same(p.database, database):
            continue
        if table and not _same(p.table, table):
            continue
        if name and not _same(p.name, name):
            continue
        out.append(p)
    return out


def show(ctx: Context) -> int:
    a = ctx.args
    cluster = cluster_flag(a.cluster)
    client = ctx.client
    pitrs = select(client.list_pitrs(), cluster=cluster, account=a.account, database=a.database, table=a.table,
                   name=a.pname)
    zone = client.server_timezone
    if a.format == "json":
        ctx.out(output.to_json([{**p.to_dict(), "created_server": output.in_zone(p.created, zone)[:19],
                                 "modified_server": output.in_zone(p.modified, zone)[:19],
                                 "server_timezone": output.zone_name(zone)} for p in pitrs]))
    else:
        ctx.out(output.pitr_table(pitrs, zone))
    return 0


def alter(ctx: Context) -> int:
    a = ctx.args
    unit = normalise_unit(ctx, a.rangeunit)
    pitr = ctx.client.alter_pitr(a.pname, a.rangevalue, unit)
    shown = f"{pitr.range.value} {pitr.range.unit.value}" if pitr else f"{a.rangevalue} {unit}"
    ctx.out(f"altered pitr {a.pname}: range {shown}")
    return 0


def drop(ctx: Context) -> int:
    ctx.client.drop_pitr(ctx.args.pname)
    ctx.out(f"dropped pitr {ctx.args.pname}")
    return 0


def show_window(ctx: Context) -> int:
    a = ctx.args
    client = ctx.client
    local = timestamps.resolve_zone(a.timezone) if a.timezone else output.local_zone()
    pitrs = [client.require_pitr(a.pname)] if a.pname else client.list_pitrs()
    now = client.now()
    zone = client.server_timezone
    entries = []
    blocks = []
    for p in pitrs:
        win = client.recovery_window(p, now)
        start = window.range_start(now, p.range)
        entries.append({"pitr": p.to_dict(), "window": win.to_dict(),
                        "earliest_server": output.in_zone(win.earliest, zone)[:19],
                        "latest_server": output.in_zone(win.latest, zone)[:19],
                        "server_timezone": output.zone_name(zone)})
        blocks.append(output.window_text(p, win, start, zone, local))
    if a.format == "json":
        ctx.out(output.to_json(entries))
    elif not blocks:
        ctx.out("no PITR found for this login (MatrixOne lists only the PITRs the login's account created)")
    else:
        ctx.out("\n".join(blocks))
    return 0
