"""ONE renderer for a restore's result (text for logs and terminals; the dict is the result itself).

The operator logs it before returning (so it sits above the return value in the task log), the
DAG's report task and ``mo-pitr`` print it: the same words everywhere.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


def _table(rows: Sequence[Sequence[str]], header: tuple[str, ...], right: tuple[int, ...] = ()) -> list[str]:
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(header)]
    fmt = "  ".join(f"{{:{'>' if i in right else '<'}{w}}}" for i, w in enumerate(widths))
    return [fmt.format(*header).rstrip(), "  ".join("-" * w for w in widths), *(fmt.format(*r).rstrip() for r in rows)]


def _cell(value: Any) -> str:
    return "-" if value is None else str(value)


def render_report(result: dict[str, Any]) -> str:
    """The restore report: what was restored, the SQL, the undo point, the verdicts and the phases."""
    plan = result.get("plan") or {}
    lines = [f"restore report ({'dry run' if result.get('dry_run') else 'restore'})",
             f"  instant          {plan.get('instant_utc')} (UTC) = '{plan.get('server_literal')}' in the server "
             f"zone {plan.get('server_timezone')}",
             f"  pitr             {(plan.get('pitr') or {}).get('name')}",
             f"  sql              {result.get('sql')}"]
    undo_point = result.get("undo") or {}
    snap = result.get("safety_snapshot")
    if snap:
        lines.append(f"  undo point       snapshot {snap['name']}{' (reused)' if snap.get('reused') else ''}")
    elif undo_point.get("name") and result.get("dry_run"):
        lines.append(f"  undo point       snapshot {undo_point['name']} (taken right before the RESTORE)")
    else:
        lines.append("  undo point       none")
    restore = result.get("restore")
    if restore is not None:
        lines.append(f"  restore issued   {restore.get('issued')}"
                     + (f" ({restore['reason']})" if restore.get("reason") else ""))
    check = result.get("check")
    if check:
        lines.append(f"  check            {check['verdict']}: {check['summary']}")
        rows = [(str(o["table"]) if o.get("object") == "table" else f"{o['table']} ({o.get('object')})",
                 _cell(o.get("expected_rows")), _cell(o.get("actual_rows")), str(o["verdict"]))
                for o in check.get("objects", [])]
        lines.extend("    " + line for line in _table(rows, ("object", "rows at T", "rows now", "verdict"), (1, 2)))
        lines.extend(f"    {reason}" for reason in check.get("reasons", [])[:20])
    for ph in result.get("phases", []):
        lines.append(f"  phase {ph['phase']:<16} {ph['duration_s']:>9.3f} s  {ph['status']}")
    return "\n".join(lines)
