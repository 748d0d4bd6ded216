"""What a human approves before the restore DAG changes anything: the plan as Markdown.

The restore DAG's optional approval step (``require_approval``) is Airflow's human-in-the-loop
``ApprovalOperator`` (standard provider, Airflow 3.1+). It shows ``subject`` and ``body``; this
module renders them from the plan task's XCom, so the approver sees exactly what the restore task
will do: the objects dropped, recreated or replaced with their rows now and at T, the SQL and the
undo point. No I/O.
"""

from __future__ import annotations

from typing import Any

# How long the approval waits; after it the approval task fails and nothing is restored.
RESPONSE_TIMEOUT_HOURS = 4


def undo_point(result: dict[str, Any], safety_snapshot: bool) -> str:
    """Where an undo would start from, as one sentence (``result["undo"]`` is the workflow's undo point)."""
    if not safety_snapshot:
        return "none: safety_snapshot is off, the data replaced now cannot be brought back by this run"
    level = result["plan"]["scope"]["level"]
    name = result["undo"]["name"]
    if name is None:
        return f"none needed: the {level} does not exist now, so undo means dropping it again"
    return f"safety snapshot `{name}` of the {level}, taken right before the RESTORE"


def subject(result: dict[str, Any], what: str) -> str:
    return f"Approve restore of {what} to {result['timestamp_server']} ({result['server_timezone']})?"


def body(result: dict[str, Any], what: str, undo: str) -> str:
    """The plan as Markdown: objects (rows now vs at T), SQL, PITR, undo point."""
    plan = result["plan"]
    lines = [
        f"**Restore {what}** to `{plan['instant_utc']}` UTC = `{result['timestamp_server']}` in the server zone "
        f"{result['server_timezone']}, with PITR `{result['pitr']['name']}` ({result['pitr']['level']}), "
        f"run as account `{result['restore_as']}`.",
        "",
        f"PITR choice: {result.get('pitr_choice', '')}",
        "",
    ]
    if plan["databases"]:
        lines += ["| database | action |", "|---|---|"]
        lines += [f"| {a['database']} | {a['action']} |" for a in plan["databases"]]
        lines.append("")
    lines += ["| table | action | rows now | rows at T |", "|---|---|---:|---:|"]
    for a in plan["tables"]:
        now = "-" if a.get("rows_now") is None else a["rows_now"]
        at_t = "-" if a.get("rows_at_t") is None else a["rows_at_t"]
        lines.append(f"| {a['database']}.{a['table']} | {a['action']} | {now} | {at_t} |")
    lines += ["", "SQL:", "", "```sql", result["sql"], "```", "", f"Undo point: {undo}"]
    notes = [result["request"].get("timestamp_note") or plan.get("timestamp_note"), *plan.get("notes", [])]
    lines += [f"\nNote: {n}" for n in notes if n]
    lines += ["", "Approve restores; Reject, or no answer within "
              f"{RESPONSE_TIMEOUT_HOURS} h, restores nothing."]
    return "\n".join(lines)
