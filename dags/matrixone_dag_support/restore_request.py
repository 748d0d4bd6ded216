"""The restore DAG's parameters: JSON-schema for the trigger form, then a strict re-check.

The form validates with ``pattern``/``enum`` (``format: date-time`` is not enforced by Airflow
3.3); the plan task re-validates everything with the domain layer before any SQL is sent, so a
hostile value cannot reach the server even if the DAG's params were bypassed.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from airflow_provider_matrixone.pitr import errors, identifiers, timestamps
from airflow_provider_matrixone.pitr.models import Level, Scope

TIMESTAMP_PATTERN = (
    r"^(\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|z|[+-]\d{2}:\d{2})?|\d{16,19})$"
)
NAME_PATTERN = r"^([A-Za-z0-9_$][A-Za-z0-9_$-]{0,63})?$"
ZONE_PATTERN = r"^(server|UTC|[A-Za-z][A-Za-z0-9_+-]*(/[A-Za-z0-9_+-]+){0,2}|[+-]\d{2}:\d{2})$"
LEVELS = ["account", "database", "table", "cluster"]


@dataclass(frozen=True)
class RestoreRequest:
    """A validated restore request; ``instant`` is UTC."""

    instant: datetime
    timestamp: str
    timezone: str
    level: str
    pitr_name: str | None
    account: str | None
    database: str | None
    table: str | None
    target_account: str | None
    dry_run: bool
    safety_snapshot: bool
    fingerprint: bool

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["instant"] = self.instant.isoformat()
        return out


def _opt_name(params: dict[str, Any], key: str, kind: str) -> str | None:
    value = params.get(key)
    if value is None or value == "":
        return None
    return identifiers.validate_name(value, key, kind)


def _flag(params: dict[str, Any], key: str, default: bool) -> bool:
    value = params.get(key, default)
    if not isinstance(value, bool):
        raise errors.InvalidInput(key, f"{key} must be true or false, got {identifiers.describe_value(value)}")
    return value


def parse(params: dict[str, Any], server_zone: Any = None) -> RestoreRequest:
    """Validate the run's params (no I/O). ``server_zone`` is needed only for timezone=server."""
    level = Level.parse(params.get("level") or "account").value
    zone_name = str(params.get("timezone") or "UTC")
    raw_ts = params.get("timestamp")
    if raw_ts in (None, ""):
        raise errors.InvalidInput("timestamp", "timestamp is required (example: 2024-10-28 17:30:00)")
    if zone_name == "server":
        # Until the server's zone is known (first, offline pass) UTC stands in: it checks the syntax.
        zone: Any = server_zone if server_zone is not None else timestamps.resolve_zone("UTC")
    else:
        zone = timestamps.resolve_zone(zone_name)
    parsed = timestamps.parse_timestamp(raw_ts, zone=zone)
    request = RestoreRequest(
        instant=parsed.instant,
        timestamp=str(raw_ts),
        timezone=zone_name,
        level=level,
        pitr_name=_opt_name(params, "pitr_name", "pitr"),
        account=_opt_name(params, "account", "account"),
        database=_opt_name(params, "database", "database"),
        table=_opt_name(params, "table", "table"),
        target_account=_opt_name(params, "target_account", "account"),
        dry_run=_flag(params, "dry_run", False),
        safety_snapshot=_flag(params, "safety_snapshot", True),
        fingerprint=_flag(params, "fingerprint", True),
    )
    # Level/object combination (e.g. table needs database and table).
    Scope.build(level, account=None if level == "cluster" else request.account,
                database=request.database, table=request.table)
    if request.target_account and level != "account":
        raise errors.InvalidInput("target_account", "target_account (restore beside) needs level=account: "
                                  "MatrixOne restores another account's data only at account level")
    if level == "cluster" and (request.account or request.target_account):
        raise errors.InvalidInput("level", "level cluster takes no account or target_account")
    return request
