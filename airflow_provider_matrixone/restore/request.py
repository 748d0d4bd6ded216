"""The validated restore request: what to restore, to which exact instant, with which flags.

Built once per entry point (CLI flags, operator arguments, DAG params) and then passed unchanged
through the workflow. The instant is parsed here, once, and travels as an exact instant: epoch
nanoseconds plus the ISO text (``to_dict`` / ``from_dict``), so an XCom hop cannot re-interpret it.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from airflow_provider_matrixone.pitr import errors, timestamps
from airflow_provider_matrixone.pitr.identifiers import validate_name
from airflow_provider_matrixone.pitr.models import Level, Scope


def _name(value: Any, field: str, kind: str) -> str | None:
    if value is None or (isinstance(value, str) and value.strip() in ("", "None", "null")):
        return None
    return validate_name(value, field, kind)


@dataclass(frozen=True)
class RestoreRequest:
    """One restore: scope (level, account, database, table), T, PITR name and flags.

    ``pitr_name`` None means "choose": :mod:`.routing` picks the most specific PITR covering T.
    ``snapshot_name`` restores from that snapshot instead (T is its instant: :mod:`.snapshot`
    builds such a request), through the same plan, undo point, verification and report.

    ``target_account`` restores *beside* (the source account's data at T into another account);
    ``source_account`` names the account a cluster PITR restores. ``verify`` captures the state at
    T before restoring and compares after; ``fingerprint`` makes that comparison prove content.
    """

    pitr_name: str | None
    level: Level
    at_ns: int
    account: str | None = None
    database: str | None = None
    table: str | None = None
    target_account: str | None = None
    source_account: str | None = None
    timestamp_note: str | None = None
    dry_run: bool = False
    safety_snapshot: bool = True
    verify: bool = True
    fingerprint: bool = True
    snapshot_name: str | None = None

    @classmethod
    def build(cls, *, pitr_name: str | None, level: Any, instant: Any, account: str | None = None,
              database: str | None = None, table: str | None = None, target_account: str | None = None,
              source_account: str | None = None, timestamp_note: str | None = None, dry_run: bool = False,
              safety_snapshot: bool = True, verify: bool = True, fingerprint: bool = True) -> RestoreRequest:
        """Validate names and the level/object combination before any connection exists.

        ``instant`` is an aware datetime or epoch ns (already resolved: see
        ``PitrOperations.resolve_timestamp``, which knows the server's zone).
        """
        lvl = Level.parse(level)
        account, database, table = (_name(account, "account", "account"), _name(database, "database", "database"),
                                    _name(table, "table", "table"))
        Scope.build(lvl, account=account, database=database, table=table)
        at_ns = instant if isinstance(instant, int) and not isinstance(instant, bool) else None
        if at_ns is None:
            if not isinstance(instant, datetime) or instant.tzinfo is None:
                raise errors.InvalidInput("timestamp", "the restore instant must be an aware datetime or epoch ns")
            at_ns = timestamps.to_epoch_ns(instant)
        return cls(
            pitr_name=_name(pitr_name, "pitr name", "pitr"), level=lvl, at_ns=at_ns, account=account,
            database=database, table=table, target_account=_name(target_account, "target account", "account"),
            source_account=_name(source_account, "source account", "account"), timestamp_note=timestamp_note,
            dry_run=dry_run, safety_snapshot=safety_snapshot, verify=verify, fingerprint=fingerprint,
        )

    @property
    def instant(self) -> datetime:
        return timestamps.from_epoch_ns(self.at_ns)

    @property
    def instant_utc(self) -> str:
        return self.instant.isoformat().replace("+00:00", "Z")

    def to_dict(self) -> dict[str, Any]:
        """JSON-able; the instant as ``at_ns`` (exact) and ``instant_utc`` (for people)."""
        return {
            "pitr_name": self.pitr_name, "level": self.level.value, "at_ns": self.at_ns,
            "instant_utc": self.instant_utc, "account": self.account, "database": self.database,
            "table": self.table, "target_account": self.target_account, "source_account": self.source_account,
            "timestamp_note": self.timestamp_note, "dry_run": self.dry_run, "safety_snapshot": self.safety_snapshot,
            "verify": self.verify, "fingerprint": self.fingerprint,
            **({"snapshot_name": self.snapshot_name} if self.snapshot_name else {}),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RestoreRequest:
        """Rebuild from :meth:`to_dict` (re-validated: XCom is input like any other)."""
        at_ns = data.get("at_ns")
        if isinstance(at_ns, bool) or not isinstance(at_ns, int):
            raise errors.InvalidInput("at_ns", "a restore request carries its instant as epoch ns (at_ns)")
        request = cls.build(
            pitr_name=data.get("pitr_name"), level=data["level"], instant=at_ns, account=data.get("account"),
            database=data.get("database"), table=data.get("table"), target_account=data.get("target_account"),
            source_account=data.get("source_account"), timestamp_note=data.get("timestamp_note"),
            dry_run=bool(data.get("dry_run")), safety_snapshot=bool(data.get("safety_snapshot", True)),
            verify=bool(data.get("verify", True)), fingerprint=bool(data.get("fingerprint", True)),
        )
        snapshot = data.get("snapshot_name")
        return request.from_snapshot(str(snapshot)) if snapshot else request

    def from_snapshot(self, snapshot_name: str) -> RestoreRequest:
        """This request, restoring from ``snapshot_name`` (validated) instead of a PITR."""
        name = _name(snapshot_name, "snapshot name", "snapshot")
        return dataclasses.replace(self, pitr_name=None, snapshot_name=name)
