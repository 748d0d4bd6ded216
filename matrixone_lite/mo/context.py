"""What a MatrixOne statement handler needs to know about the calling session."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo

from matrixone_lite.errors import internal_error

SYS = "sys"
SYS_ID = 0


@dataclass(frozen=True)
class StmtContext:
    account: str
    account_id: int
    user: str
    role: str
    in_transaction: bool
    session_zone: tzinfo  # for displayed times (SHOW PITR)
    server_zone: ZoneInfo  # for RESTORE literals and window messages

    @property
    def is_sys(self) -> bool:
        return self.account_id == SYS_ID

    def require_admin(self) -> None:
        """MatrixOne's ``doCheckRole``: moadmin in sys, accountadmin in a tenant."""
        wanted = "moadmin" if self.is_sys else "accountadmin"
        if self.role != wanted:
            raise internal_error("do not have privilege to execute the statement")


def zone_from_variable(value: str, server_zone: ZoneInfo) -> tzinfo:
    """Turn a ``time_zone`` session value (SYSTEM, +08:00, a zone name) into a tzinfo."""
    v = value.strip()
    if not v or v.upper() == "SYSTEM":
        return server_zone
    if v[0] in "+-" and ":" in v:
        sign = -1 if v[0] == "-" else 1
        hh, mm = v[1:].split(":", 1)
        return timezone(sign * timedelta(hours=int(hh), minutes=int(mm)))
    if v.upper() == "UTC":
        return UTC
    return ZoneInfo(v)
