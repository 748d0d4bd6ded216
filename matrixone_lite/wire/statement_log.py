"""Per-connection log of every statement received (for tests and audits).

Passwords never reach the log: every statement is redacted by ``wire/redaction.py`` (a
tokenizer, not a pattern) before an entry is stored or written.
"""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path
from typing import Any

from matrixone_lite.mo.lexer import first_words
from matrixone_lite.wire.redaction import redact

__all__ = ["StatementLog", "is_mutating", "redact"]

_READ_ONLY = {"SELECT", "SHOW", "SET", "USE", "BEGIN", "START", "COMMIT", "ROLLBACK", "DESCRIBE", "DESC",
              "EXPLAIN"}


def is_mutating(sql: str) -> bool:
    """Anything but SELECT/SHOW/SET/USE/BEGIN/COMMIT/ROLLBACK/DESCRIBE/EXPLAIN changes something."""
    words = first_words(sql, 1)
    if not words:
        return False
    return words[0] not in _READ_ONLY


class StatementLog:
    """Thread-safe in-memory list of statements, optionally mirrored to a JSONL file."""

    def __init__(self, path: str | Path | None = None, *, keep: bool = True) -> None:
        self._lock = threading.Lock()
        self._entries: list[dict[str, Any]] = []
        self._keep = keep
        self._file = open(path, "a", encoding="utf-8") if path else None  # noqa: SIM115

    @property
    def entries(self) -> list[dict[str, Any]]:
        with self._lock:
            return list(self._entries)

    def record(self, conn: int, account: str, user: str, sql: str) -> None:
        if not self._keep and self._file is None:
            return  # nothing is kept: skip redacting (a tokenizer pass over a 16 MiB statement)
        entry = {"conn": conn, "account": account, "user": user, "sql": redact(sql), "ts": time.time()}
        with self._lock:
            if self._keep:
                self._entries.append(entry)
            if self._file is not None:
                self._file.write(json.dumps(entry) + "\n")
                self._file.flush()

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def mutating(self) -> list[dict[str, Any]]:
        return [e for e in self.entries if is_mutating(e["sql"])]

    def close(self) -> None:
        with self._lock:
            if self._file is not None:
                self._file.close()
                self._file = None
