"""The restore DAG's parameters: JSON-schema for the trigger form, then a strict re-check.

The form validates names, zone and level with ``pattern``/``enum`` (``format: date-time`` is not
enforced by Airflow 3.3); the plan task re-validates everything with the domain layer before any
SQL is sent, so a hostile value cannot reach the server even if the DAG's params were bypassed.

The timestamp has no form pattern on purpose: a JSON-schema pattern can only reject with a raw
regex dump, and it cannot repair the guide's ``17:30: 00``. The provider's parser
(:func:`airflow_provider_matrixone.pitr.timestamps.parse_timestamp`, the one ``mo-pitr`` and the
operators use) decides in the plan task, before any connection: the same forms are accepted, the
stray space is normalised with a note, and a bad value fails with the same sentence everywhere.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from airflow_provider_matrixone.pitr import errors, flags, identifiers, timestamps
from airflow_provider_matrixone.pitr.models import Level, Scope
from airflow_provider_matrixone.restore import RestoreRequest as WorkflowRequest

TIMESTAMP_MAX_LENGTH = timestamps.MAX_INPUT_LENGTH
#: MatrixOne's name rule (reference §2.9) for the form: no space, tab, quote or control character, at most
#: 64 characters; Unicode (订单), reserved words (select) and punctuation ($%^#) are fine. Empty = not given.
NAME_PATTERN = r"^[^ \t`'\"\x00-\x1f\x7f]{0,64}$"
ZONE_PATTERN = r"^(server|UTC|[A-Za-z][A-Za-z0-9_+-]*(/[A-Za-z0-9_+-]+){0,2}|[+-]\d{2}:\d{2})$"
LEVELS = ["account", "database", "table", "cluster"]

log = logging.getLogger(__name__)


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
    require_approval: bool = False
    timestamp_note: str | None = None

    def workflow(self) -> WorkflowRequest:
        """The provider's request (what the restore operator and mo-pitr run); pitr None = let routing choose."""
        return WorkflowRequest.build(
            pitr_name=self.pitr_name, level=self.level, instant=self.instant,
            account=None if self.level == "cluster" else self.account, database=self.database, table=self.table,
            target_account=self.target_account, timestamp_note=self.timestamp_note, dry_run=self.dry_run,
            safety_snapshot=self.safety_snapshot, verify=True, fingerprint=self.fingerprint,
        )

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
    """A boolean param through the provider's one strict parser (blank/None/"maybe" are errors)."""
    return flags.parse_bool(params.get(key, default), key)


def _dry_run(params: dict[str, Any]) -> bool:
    """``dry_run`` fails safe: a value that is not clearly true or false means a dry run."""
    parsed = flags.parse_dry_run(params.get("dry_run", False))
    if parsed.note:
        log.warning("%s", parsed.note)
    return parsed.enabled


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
        dry_run=_dry_run(params),
        safety_snapshot=_flag(params, "safety_snapshot", True),
        fingerprint=_flag(params, "fingerprint", True),
        require_approval=_flag(params, "require_approval", False),
        timestamp_note=parsed.note,
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
