"""Before -> after for `make bench`: read the figures of the page about to be overwritten.

Why: bench/perf_report.py rewrites docs/performance.md on every run, so without this a rerun would
show only the new figures and the "before" of every change would be lost (or hand-copied into the
page, where the next run deletes it). Before writing, perf_report reads the previous page's Run line
and its Targets table ("measured" column, whichever column it is) and renders them as a "previous
run" column next to the new figures. Pure text in, text out: unit-tested in tests/unit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_RUN = re.compile(r"^Run: (.+)$", re.M)
_WHEN = re.compile(r"^(\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC)")
NOT_RUN = "not measured in this run"
EARLIER = " (an earlier run)"


@dataclass
class Previous:
    """What the previous page said: its Run line, target -> measured text, and every section's table.

    ``tables[heading][first cell][column header]`` holds the first table under each ``##``/``###``
    heading, so a section renderer can put the previous run's figure next to its new one.
    """

    run: str | None = None
    targets: dict[str, str] = field(default_factory=dict)
    tables: dict[str, dict[str, dict[str, str]]] = field(default_factory=dict)

    @property
    def when(self) -> str:
        """The previous run's date and time (for the column header), or a neutral word."""
        match = _WHEN.match(self.run or "")
        return match.group(1) if match else "previous run"

    def cell(self, heading: str, row: str, column: str) -> str:
        """One figure of the previous page's table under ``heading``, or ``-`` if it had none."""
        return self.tables.get(heading, {}).get(row, {}).get(column, "-")


def _cells(line: str) -> list[str]:
    """Cells of one Markdown table row; an escaped ``\\|`` stays inside its cell."""
    body = line.strip()
    body = body[1:] if body.startswith("|") else body
    body = body[:-1] if body.endswith("|") and not body.endswith("\\|") else body
    return [c.strip() for c in re.split(r"(?<!\\)\|", body)]


def _tables(lines: list[str]) -> dict[str, dict[str, dict[str, str]]]:
    """The first table under each heading: heading -> first cell -> column header -> cell."""
    out: dict[str, dict[str, dict[str, str]]] = {}
    heading, header, done = None, None, False
    for ln in lines:
        stripped = ln.strip()
        if stripped.startswith("#"):
            heading, header, done = stripped.lstrip("#").strip(), None, False
            continue
        if heading is None or done:
            continue
        if not stripped.startswith("|"):
            done = header is not None  # prose after the table ends it
            continue
        cells = _cells(stripped)
        if header is None:
            header = cells
            out.setdefault(heading, {})
        elif not all(set(c) <= set("-:") for c in cells):  # not the |---| line
            out[heading][cells[0]] = dict(zip(header, cells, strict=False))
    return out


def read_previous(text: str) -> Previous:
    """Parse a page perf_report wrote (any earlier format with a ``## Targets`` table)."""
    prev = Previous(tables=_tables(text.splitlines()))
    if m := _RUN.search(text):
        prev.run = m.group(1).strip()
    for name, row in prev.tables.get("Targets", {}).items():
        if "measured" not in row:  # the column's place changed when "previous" was added: read it by name
            continue
        value = row["measured"]
        if value == NOT_RUN:  # a partial run: carry the last real figure forward, saying it is older
            older = next((v for k, v in row.items() if k.startswith("previous")), "-")
            value = older if older in ("-", NOT_RUN) or older.endswith(EARLIER) else older + EARLIER
        prev.targets[name] = value
    return prev


def targets_table(rows: list[tuple[str, str, bool | None]], previous: Previous) -> list[str]:
    """The Targets section: previous run's figure, this run's, met; ``None`` met = not measured.

    Targets the previous page had and this run did not measure are kept at the end (marked so),
    so a renamed or dropped target never disappears silently from the before -> after view.
    """
    out = ["## Targets", ""]
    if previous.run:
        out += [f"Previous run (the page this one replaced): {previous.run}", ""]
    out += [f"| target | previous ({previous.when}) | measured | met |", "|---|---:|---:|---|"]
    for name, value, met in rows:
        verdict = "not measured" if met is None else ("yes" if met else "**no**")
        out.append(f"| {name} | {previous.targets.get(name, '-')} | {value} | {verdict} |")
    now = {name for name, _, _ in rows}
    for name, value in previous.targets.items():
        if name not in now:
            out.append(f"| {name} | {value} | {NOT_RUN} | - |")
    return [*out, ""]
