"""MatrixOne server version and the grammar features it implies (reference §1)."""

from __future__ import annotations

import re
from typing import Any, Literal, NamedTuple

from .errors import InvalidInput
from .identifiers import describe_value

__all__ = ["ServerVersion"]

_VERSION_RE = re.compile(r"(?:MatrixOne-)?v?(\d+)\.(\d+)(?:\.(\d+))?", re.IGNORECASE)


class ServerVersion(NamedTuple):
    """``(major, minor, patch)``; compares like a tuple so ``version >= (4, 1)`` works."""

    major: int
    minor: int
    patch: int = 0

    @classmethod
    def parse(cls, value: Any) -> ServerVersion:
        """Parse ``8.0.30-MatrixOne-v4.2.0`` (handshake / ``version()``), ``v3.0.18`` or ``4.0.0-rc1``."""
        if isinstance(value, ServerVersion):
            return value
        if not isinstance(value, str) or not value.strip():
            raise InvalidInput("version", f"invalid server version {describe_value(value)} "
                               "(example: 8.0.30-MatrixOne-v4.2.0)")
        text = value.strip()
        marker = re.search(r"MatrixOne-v?(\d+)\.(\d+)(?:\.(\d+))?", text, re.IGNORECASE)
        match = marker or _VERSION_RE.match(text)
        if match is None:
            raise InvalidInput("version", f"invalid server version {describe_value(value)} "
                               "(example: 8.0.30-MatrixOne-v4.2.0)")
        return cls(int(match.group(1)), int(match.group(2)), int(match.group(3) or 0))

    def __str__(self) -> str:
        return f"{self.major}.{self.minor}.{self.patch}"

    @property
    def has_account_prefix_restore(self) -> bool:
        """``RESTORE ACCOUNT a DATABASE d [TABLE t] FROM PITR`` exists from v4.1 (PR #24591)."""
        return self >= (4, 1)

    @property
    def snapshot_restore_grammar(self) -> Literal["from", "brace"]:
        """``FROM SNAPSHOT s`` before v4.0; ``{SNAPSHOT = 's'}`` from v4.0.0-rc1 on."""
        return "brace" if self >= (4, 0) else "from"

    @property
    def has_mo_ts_datetime(self) -> bool:
        """``{MO_TS = 'YYYY-MM-DD hh:mm:ss'}`` datetime strings are accepted from v4.1 (PR #24629)."""
        return self >= (4, 1)

    @property
    def has_as_of_timestamp(self) -> bool:
        """``{AS OF TIMESTAMP '...'}`` exists from v2.1."""
        return self >= (2, 1)
