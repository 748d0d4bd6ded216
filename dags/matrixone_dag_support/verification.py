"""Capture a reference (the data as it was at T) and compare the restored state against it.

A reference is read with time travel (``{MO_TS = ns}``) from the account that owned the data at T,
before anything is restored; the current state is read the same way without a hint. Both are
plain JSON (they travel through XCom). The reading and the verdicts are the provider's
(:mod:`airflow_provider_matrixone.pitr.verify`): counts, columns and exact content fingerprints,
so the DAGs, the sensor and ``mo-pitr --verify`` prove the same thing and say the same words
(``VERIFIED`` / ``MISMATCH`` / ``UNVERIFIABLE``).
"""

from __future__ import annotations

from typing import Any

from airflow_provider_matrixone.hooks.matrixone import MatrixOneHook
from airflow_provider_matrixone.pitr import errors
from airflow_provider_matrixone.pitr.reading import TableState, _Reader
from airflow_provider_matrixone.pitr.verdicts import VERIFIED
from airflow_provider_matrixone.pitr.verdicts import compare as compare_states
from airflow_provider_matrixone.pitr.verify import CurrentState, Reference

State = dict[str, Any]


def scope_tables(
    hook: MatrixOneHook, level: str, database: str | None, table: str | None, at_ns: int | None
) -> tuple[list[str], list[tuple[str, str]]]:
    """Databases and (database, table) pairs of a scope, as they are at ``at_ns`` (None = now)."""
    if level == "table":
        assert database is not None and table is not None
        present = table in hook.list_tables(database, at=at_ns) if database in hook.list_databases(at=at_ns) else False
        return [database], [(database, table)] if present else []
    if level == "database":
        assert database is not None
        if database not in hook.list_databases(at=at_ns):
            return [], []
        return [database], hook.list_scope_tables([database], at=at_ns)
    databases = hook.list_databases(at=at_ns)
    return databases, hook.list_scope_tables(databases, at=at_ns)


def capture(
    hook: MatrixOneHook,
    level: str,
    *,
    database: str | None = None,
    table: str | None = None,
    at_ns: int | None = None,
    with_fingerprint: bool = True,
) -> State:
    """The state of a scope at ``at_ns`` (or now): databases, tables, counts, columns, fingerprints."""
    databases, pairs = scope_tables(hook, level, database, table, at_ns)
    with _Reader(hook) as reader:
        states = reader.states(pairs, at_ns, with_fingerprint)
    return {
        "account": hook.login.account,
        "level": level,
        "database": database,
        "table": table,
        "at_ns": at_ns,
        "fingerprint": with_fingerprint,
        "databases": databases,
        "tables": {name: st.to_dict() for name, st in states.items()},
    }


def compare(reference: State, actual: State) -> list[dict[str, Any]]:
    """One verdict per object (VERIFIED, MISMATCH or UNVERIFIABLE) with the reasons as ``detail``."""
    ref = Reference(
        scope=None,
        tables={k: TableState.from_dict(v) for k, v in reference["tables"].items()},
        databases=tuple(reference["databases"]) if reference["level"] in ("account", "cluster") else None,
        complete=reference["level"] != "table",
        fingerprint=bool(reference.get("fingerprint")) and bool(actual.get("fingerprint")),
    )
    now = CurrentState(
        tables={k: TableState.from_dict(v) for k, v in actual["tables"].items()},
        databases=tuple(actual["databases"]), account=str(actual.get("account") or ""), read_at_utc="",
        statements=0, duration_s=0.0,
    )
    report = compare_states(ref, now)
    proof = "counts, columns and content match" if ref.fingerprint else "counts and columns match"
    return [{"table": r.name if r.object_type == "table" else f"{r.name}.*", "expected_rows": r.expected_rows,
             "actual_rows": r.actual_rows, "verdict": r.verdict,
             "detail": "; ".join(r.reasons) if r.reasons else proof} for r in report.results]


def passed(verdicts: list[dict[str, Any]]) -> bool:
    """Green only when every object is VERIFIED."""
    return all(v["verdict"] == VERIFIED for v in verdicts)


def require_passed(verdicts: list[dict[str, Any]], what: str) -> None:
    bad = [v for v in verdicts if v["verdict"] != VERIFIED]
    if bad:
        summary = ", ".join(f"{v['table']}: {v['verdict']} ({v['detail']})" for v in bad[:10])
        raise errors.MatrixOneError(f"{what}: verification failed for {len(bad)} object(s): {summary}")
