"""Build (without running) and run a RESTORE ... FROM PITR, timing it.

Splitting build from run is what makes dry runs and plans possible: everything up to the SQL
string is validated client-side (names, level/PITR combination, the recovery window) first.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

from airflow_provider_matrixone.hooks.matrixone import MatrixOneHook
from airflow_provider_matrixone.pitr.models import Pitr, Scope


def utc_now() -> datetime:
    """A stdlib aware datetime: pendulum drops the zone of ``DateTime(tz=timezone.utc) - timedelta``."""
    return datetime.now(UTC)


def build(
    hook: MatrixOneHook, pitr: Pitr, instant: datetime, scope: Scope, source_account: str | None = None
) -> tuple[str, str]:
    """Check the window and return (RESTORE statement, server-zone literal); sends no DDL."""
    stdlib_instant = datetime.fromtimestamp(instant.timestamp(), UTC)
    return hook.build_restore_pitr(pitr, stdlib_instant, scope, source_account=source_account, now=utc_now())


def run(hook: MatrixOneHook, sql: str) -> float:
    """Run the RESTORE; returns its wall time in seconds."""
    start = time.monotonic()
    hook.execute(sql)
    return round(time.monotonic() - start, 3)


def restore(
    hook: MatrixOneHook,
    pitr_name: str,
    timestamp: Any,
    level: str,
    *,
    account: str | None = None,
    database: str | None = None,
    table: str | None = None,
    source_account: str | None = None,
) -> dict[str, Any]:
    """Resolve, check, build and run one restore; returns what was done (JSON-able)."""
    instant = hook.resolve_timestamp(timestamp).instant
    pitr = hook.require_pitr(pitr_name)
    scope = Scope.build(level, account=account, database=database, table=table)
    sql, literal = build(hook, pitr, instant, scope, source_account)
    duration = run(hook, sql)
    return {"pitr_name": pitr.name, "sql": sql, "timestamp_server": literal, "duration_s": duration}
