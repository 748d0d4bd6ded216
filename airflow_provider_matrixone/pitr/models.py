"""Value objects of the PITR domain: levels, ranges, scopes, PITRs, snapshots, windows, server info.

All frozen so a validated value cannot be altered between validation and SQL building; all
datetimes are timezone-aware UTC; ``to_dict()`` gives JSON-able output for XCom and ``mo-pitr --json``.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from typing import Any

from .errors import InvalidInput
from .identifiers import describe_value, validate_name
from .timestamps import resolve_zone
from .versions import ServerVersion

__all__ = ["Level", "Pitr", "PitrRange", "RangeUnit", "RecoveryWindow", "Scope", "ServerInfo", "Snapshot"]

MIN_RANGE_VALUE = 1
MAX_RANGE_VALUE = 100


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _zone_name(zone: str | tzinfo | None) -> str | None:
    if zone is None or isinstance(zone, str):
        return zone
    return str(getattr(zone, "key", None) or getattr(zone, "name", None) or zone)


class Level(enum.StrEnum):
    """Level of a PITR, snapshot or restore."""

    CLUSTER = "cluster"
    ACCOUNT = "account"
    DATABASE = "database"
    TABLE = "table"

    def __str__(self) -> str:
        return self.value

    @classmethod
    def parse(cls, value: Any, field: str = "level") -> Level:
        if isinstance(value, Level):
            return value
        if isinstance(value, str) and len(value) <= 16:
            try:
                return cls(value.strip().lower())
            except ValueError:
                pass
        raise InvalidInput(field, f"invalid {field} {describe_value(value)}: use cluster, account, database or "
                           "table (example: account)")


class RangeUnit(enum.StrEnum):
    """PITR range unit: hours, calendar days, calendar months, calendar years."""

    HOUR = "h"
    DAY = "d"
    MONTH = "mo"
    YEAR = "y"

    def __str__(self) -> str:
        return self.value

    @classmethod
    def parse(cls, value: Any, field: str = "range unit") -> RangeUnit:
        """Accept ``D`` or ``" d "`` from users (the seed has ``"d "``) and emit the clean unit."""
        if isinstance(value, RangeUnit):
            return value
        if isinstance(value, str) and len(value) <= 16:
            try:
                return cls(value.strip().lower())
            except ValueError:
                pass
        raise InvalidInput(field, f"invalid {field} {describe_value(value)}: use h, d, mo or y (example: d)")


@dataclass(frozen=True)
class PitrRange:
    """A PITR retention range: ``value`` 1-100 of ``unit``."""

    value: int
    unit: RangeUnit

    def __post_init__(self) -> None:
        if isinstance(self.value, bool) or not isinstance(self.value, int):
            raise InvalidInput("range value", f"invalid range value {describe_value(self.value)}: expected an "
                               "integer 1-100 (example: 1)")
        if not MIN_RANGE_VALUE <= self.value <= MAX_RANGE_VALUE:
            raise InvalidInput("range value", f"invalid range value {self.value}: use an integer 1-100 "
                               "(example: 1)")
        if not isinstance(self.unit, RangeUnit):
            object.__setattr__(self, "unit", RangeUnit.parse(self.unit))

    @classmethod
    def parse(cls, value: Any, unit: Any) -> PitrRange:
        """Accept an int or a digit string (surrounding blanks allowed) and a unit; bool is rejected."""
        parsed_unit = RangeUnit.parse(unit)
        if isinstance(value, bool):
            raise InvalidInput("range value", f"invalid range value {value!r}: expected an integer 1-100 "
                               "(example: 1)")
        if isinstance(value, str):
            text = value.strip()
            if not (text.isascii() and text.isdigit() and len(text) <= 3):
                raise InvalidInput("range value", f"invalid range value {describe_value(value)}: use an "
                                   "integer 1-100 (example: 1)")
            value = int(text)
        return cls(value, parsed_unit)

    @classmethod
    def from_server(cls, value: Any, unit: Any) -> PitrRange:
        """Range as stored by the server: ALTER accepts 0 (reference §2.2), so only 0-255 is enforced."""
        if isinstance(value, (bytes, bytearray)):
            value = bytes(value).decode()
        try:
            number = int(value)
        except (TypeError, ValueError):
            raise InvalidInput("PITR_LENGTH", f"unreadable PITR_LENGTH {describe_value(value)}") from None
        if isinstance(value, bool) or not 0 <= number <= 255:
            raise InvalidInput("PITR_LENGTH", f"unreadable PITR_LENGTH {describe_value(value)}")
        obj = object.__new__(cls)
        object.__setattr__(obj, "value", number)
        object.__setattr__(obj, "unit", RangeUnit.parse(unit, "PITR_UNIT"))
        return obj

    def __str__(self) -> str:
        return f"{self.value}{self.unit.value}"

    def to_dict(self) -> dict[str, Any]:
        return {"value": self.value, "unit": self.unit.value}


@dataclass(frozen=True)
class Scope:
    """What a PITR/snapshot covers or a restore targets; ``account=None`` means the caller's account."""

    level: Level
    account: str | None = None
    database: str | None = None
    table: str | None = None

    @classmethod
    def build(
        cls, level: Any, account: str | None = None, database: str | None = None, table: str | None = None
    ) -> Scope:
        """Validate names and the level/object combination (e.g. a table scope needs a database)."""
        lvl = Level.parse(level)
        acc = validate_name(account, "account", "account") if account is not None else None
        db = validate_name(database, "database", "database") if database is not None else None
        tbl = validate_name(table, "table", "table") if table is not None else None
        if lvl is Level.CLUSTER and (acc or db or tbl):
            raise InvalidInput("level", "level cluster takes no account, database or table "
                               "(example: level=cluster)")
        if lvl is Level.ACCOUNT and (db or tbl):
            raise InvalidInput("level", "level account takes no database or table; use level=database or "
                               "level=table (example: level=database database=db1)")
        if lvl is Level.DATABASE:
            if db is None:
                raise InvalidInput("database", "level database needs a database (example: database=db1)")
            if tbl is not None:
                raise InvalidInput("level", "level database takes no table; use level=table "
                                   "(example: level=table database=db1 table=t1)")
        if lvl is Level.TABLE and (db is None or tbl is None):
            field = "database" if db is None else "table"
            raise InvalidInput(field, f"level table needs a database and a table, {field} is missing "
                               "(example: database=db1 table=t1)")
        return cls(lvl, acc, db, tbl)

    def to_dict(self) -> dict[str, Any]:
        return {"level": self.level.value, "account": self.account, "database": self.database,
                "table": self.table}


@dataclass(frozen=True)
class Pitr:
    """One row of SHOW PITR; ``None`` where MatrixOne shows ``*``."""

    name: str
    level: Level
    account: str | None
    database: str | None
    table: str | None
    range: PitrRange
    created: datetime
    modified: datetime

    @property
    def scope(self) -> Scope:
        return Scope(self.level, self.account, self.database, self.table)

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "level": self.level.value, "account": self.account,
                "database": self.database, "table": self.table, "range_value": self.range.value,
                "range_unit": self.range.unit.value, "created": _iso(self.created),
                "modified": _iso(self.modified)}


@dataclass(frozen=True)
class Snapshot:
    """One row of SHOW SNAPSHOTS; ``ts_ns`` keeps the full nanosecond precision of ``timestamp``."""

    name: str
    timestamp: datetime
    ts_ns: int
    level: Level
    account: str | None
    database: str | None
    table: str | None

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "timestamp": _iso(self.timestamp), "ts_ns": self.ts_ns,
                "level": self.level.value, "account": self.account, "database": self.database,
                "table": self.table}


@dataclass(frozen=True)
class RecoveryWindow:
    """Instants a restore may target: ``earliest`` exclusive only when it equals the creation time."""

    earliest: datetime
    latest: datetime

    def to_dict(self) -> dict[str, Any]:
        return {"earliest": _iso(self.earliest), "latest": _iso(self.latest)}


@dataclass(frozen=True)
class ServerInfo:
    """What we learnt about the connected server and session.

    ``timezone`` is the server process's zone (restore literals are read in it); ``session_timezone``
    is the session's ``time_zone`` (SHOW PITR times are rendered in it), ``None`` meaning the same.
    """

    version: ServerVersion
    version_string: str
    timezone: tzinfo
    account: str
    user: str
    role: str | None = None
    session_timezone: tzinfo | None = None

    def __post_init__(self) -> None:
        # Zone names ("Asia/Shanghai", "+08:00") are accepted at runtime and resolved once here.
        object.__setattr__(self, "timezone", resolve_zone(self.timezone))
        if self.session_timezone is not None:
            object.__setattr__(self, "session_timezone", resolve_zone(self.session_timezone))

    @property
    def is_sys(self) -> bool:
        return self.account.lower() == "sys"

    def to_dict(self) -> dict[str, Any]:
        return {"version": str(self.version), "version_string": self.version_string,
                "timezone": _zone_name(self.timezone), "session_timezone": _zone_name(self.session_timezone),
                "account": self.account, "user": self.user, "role": self.role}
