"""Text layouts of ``mo-pitr``: mo_br's SHOW tables, instants in two zones, window bars.

Scripts written against mo_br parse its tab-separated tables, so those layouts are kept exactly
(header words, column order, ``*`` for names that do not apply); everything new is plain text.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any

from airflow_provider_matrixone.pitr.models import Pitr, RecoveryWindow, Snapshot

PITR_HEADER = ("PITR NAME", "CREATED TIME", "MODIFIED TIME", "PITR LEVEL", "ACCOUNT NAME", "DATABASE NAME",
               "TABLE NAME", "PITR LENGTH", "PITR UNIT")
SNAPSHOT_HEADER = ("SNAPSHOT NAME", "TIMESTAMP", "SNAPSHOT LEVEL", "ACCOUNT NAME", "DATABASE NAME", "TABLE NAME")
BAR_WIDTH = 40


def zone_name(zone: tzinfo) -> str:
    return str(getattr(zone, "key", None) or getattr(zone, "name", None) or zone)


def local_zone() -> tzinfo:
    zone = datetime.now().astimezone().tzinfo
    return zone if zone is not None else UTC


def in_zone(instant: datetime, zone: tzinfo) -> str:
    """``YYYY-MM-DD hh:mm:ss[.ffffff]`` of ``instant`` in ``zone``."""
    local = instant.astimezone(zone)
    text = local.strftime("%Y-%m-%d %H:%M:%S")
    if local.microsecond:
        text += f".{local.microsecond:06d}"
    return text


def two_zones(instant: datetime, server_zone: tzinfo) -> str:
    """The same instant in UTC and in the server's zone, the form every plan and result uses."""
    return f"{in_zone(instant, UTC)} UTC = {in_zone(instant, server_zone)} {zone_name(server_zone)} (server)"


def table(header: Sequence[str], rows: Sequence[Sequence[str]], right: Sequence[int] = ()) -> str:
    """Tab-separated cells padded to the column width (mo_br's layout); ``right`` columns right-aligned."""
    widths = [len(h) for h in header]
    for row in rows:
        for i, cell in enumerate(row):
            widths[i] = max(widths[i], len(cell))
    last = len(header) - 1

    def line(cells: Sequence[str]) -> str:
        out = []
        for i, cell in enumerate(cells):
            if i == last:
                out.append(cell)
            elif i in right:
                out.append(cell.rjust(widths[i]))
            else:
                out.append(cell.ljust(widths[i]))
        return "\t".join(out)

    return "\n".join([line(header), *(line(r) for r in rows)])


def _star(value: str | None) -> str:
    return value if value else "*"


def pitr_rows(pitrs: Sequence[Pitr], server_zone: tzinfo) -> list[list[str]]:
    """SHOW PITR rows as mo_br prints them: times in the server's zone, ``*`` for absent names."""
    return [[p.name, in_zone(p.created, server_zone)[:19], in_zone(p.modified, server_zone)[:19], p.level.value,
             _star(p.account), _star(p.database), _star(p.table), str(p.range.value), p.range.unit.value]
            for p in pitrs]


def pitr_table(pitrs: Sequence[Pitr], server_zone: tzinfo) -> str:
    return table(PITR_HEADER, pitr_rows(pitrs, server_zone), right=(7,))


def snapshot_timestamp(snap: Snapshot) -> str:
    """UTC with up to nine fractional digits, trailing zeros trimmed (MatrixOne's CAST_NANO_TO_TIMESTAMP)."""
    seconds, nanos = divmod(snap.ts_ns, 1_000_000_000)
    text = (datetime(1970, 1, 1, tzinfo=UTC) + timedelta(seconds=seconds)).strftime("%Y-%m-%d %H:%M:%S")
    if nanos:
        text += "." + f"{nanos:09d}".rstrip("0")
    return text


def snapshot_table(snaps: Sequence[Snapshot]) -> str:
    rows = [[s.name, snapshot_timestamp(s), s.level.value, s.account or "", s.database or "", s.table or ""]
            for s in snaps]
    return table(SNAPSHOT_HEADER, rows)


def to_json(value: Any) -> str:
    return json.dumps(value, indent=2, sort_keys=True, default=str)


def human_duration(delta: timedelta) -> str:
    """``3d4h``, ``5h12m``, ``4m10s``, ``12s``: compact enough for a one-line bar."""
    total = int(max(delta.total_seconds(), 0))
    days, rem = divmod(total, 86400)
    hours, rem = divmod(rem, 3600)
    minutes, seconds = divmod(rem, 60)
    if days:
        return f"{days}d{hours}h"
    if hours:
        return f"{hours}h{minutes}m"
    if minutes:
        return f"{minutes}m{seconds}s"
    return f"{seconds}s"


def window_bar(pitr: Pitr, win: RecoveryWindow, range_start: datetime, width: int = BAR_WIDTH) -> str:
    """``name [------######] 5m of 10h recoverable``: '-' = inside the range but before the PITR existed."""
    span = (win.latest - range_start).total_seconds()
    covered = (win.latest - win.earliest).total_seconds()
    filled = width if span <= 0 else max(0, min(width, round(width * covered / span)))
    if covered > 0 and filled == 0:
        filled = 1
    bar = "-" * (width - filled) + "#" * filled
    return (f"{pitr.name} [{bar}] {human_duration(win.latest - win.earliest)} of "
            f"{pitr.range.value}{pitr.range.unit.value} recoverable")


def window_text(pitr: Pitr, win: RecoveryWindow, range_start: datetime, server_zone: tzinfo,
                local: tzinfo) -> str:
    scope = ", ".join(f"{k} {v}" for k, v in (("account", pitr.account), ("database", pitr.database),
                                               ("table", pitr.table)) if v)
    lines = [f"PITR {pitr.name}: level {pitr.level.value}{' (' + scope + ')' if scope else ''}, range "
             f"{pitr.range.value} {pitr.range.unit.value}"]
    for label, instant in (("earliest", win.earliest), ("latest", win.latest)):
        lines.append(f"  {label:<8}  {in_zone(instant, server_zone)[:19]} {zone_name(server_zone)} (server)  "
                     f"{in_zone(instant, local)[:19]} {zone_name(local)} (local)  "
                     f"{in_zone(instant, UTC)[:19]} UTC")
    if win.earliest == pitr.created:
        lines.append("  (the earliest instant itself is refused: MatrixOne needs a time strictly after creation)")
    lines.append("  " + window_bar(pitr, win, range_start))
    return "\n".join(lines)
