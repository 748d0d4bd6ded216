"""Tx: one write transaction: its SQLite connection, logical locks, statement log and stamping set.

Kept apart from ``storage.py`` because the lock protocol (see ``storage/locks.py``) lives here:
a transaction takes the logical locks of what it writes *before* writing, and when it must wait
for one it first gives the physical SQLite lock back, so it never makes others wait for it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from matrixone_lite.storage.locks import EXCLUSIVE, INTENT, LockKey, RetryStatement, Want

if TYPE_CHECKING:
    from matrixone_lite.storage.storage import Storage

CLUSTER: LockKey = ("cluster",)


def account_key(account_id: int) -> LockKey:
    return ("acc", account_id)


def database_key(database_id: int) -> LockKey:
    return ("db", database_id)


def table_key(table_id: int) -> LockKey:
    return ("tbl", table_id)


def in_account(account_id: int) -> list[Want]:
    """Intention locks of a write somewhere inside an account."""
    return [(CLUSTER, INTENT), (account_key(account_id), INTENT)]


def in_database(account_id: int, database_id: int) -> list[Want]:
    return [*in_account(account_id), (database_key(database_id), INTENT)]


@dataclass
class LogEntry:
    """One write statement as the client saw it, to replay after a detach."""

    sql: str
    params: Any
    now: datetime | None  # NOW() as the statement saw it (pinned for the replay)
    last_insert_id: int  # LAST_INSERT_ID() as the statement saw it
    rowcount: int
    lastrowid: int | None  # INSERTs only: the ids handed out must come out the same


class Tx:
    """An open write transaction on one connection; commit stamps what it touched."""

    def __init__(self, storage: Storage, conn: sqlite3.Connection, *, detachable: bool = False) -> None:
        self.storage = storage
        self.conn = conn
        self.touched: set[int] = set()
        self.catalog_dirty = False
        self.ts: int | None = None
        # physical lock state (guarded by ``storage.physical.cv``)
        self.busy = False  # a statement of this transaction is running
        self.attached = False  # its SQLite transaction is open (owns the physical lock)
        self.detachable = detachable  # a session's transaction: can be rolled back and replayed
        self.locks: dict[LockKey, str] = {}
        self.log: list[LogEntry] = []
        self.replay: Callable[[Tx], None] | None = None
        self.aborted = False  # replay diverged: the transaction must end
        self.wrote = False  # a non-replayable transaction wrote: it cannot let go of SQLite to wait

    def execute(self, sql: str, params: tuple[Any, ...] | list[Any] = ()) -> sqlite3.Cursor:
        self.wrote = True
        return self.conn.execute(sql, params)

    def touch(self, table_id: int) -> None:
        """Note a table this transaction writes (stamped at commit) after locking it exclusively."""
        if table_id in self.touched:
            return
        row = self.conn.execute(
            "SELECT t.database_id, d.account_id FROM __mo_tables t JOIN __mo_databases d ON d.id = t.database_id "
            "WHERE t.id = ?",
            (table_id,),
        ).fetchone()
        wants: list[Want] = [] if row is None else in_database(int(row[1]), int(row[0]))
        self.lock([*wants, (table_key(table_id), EXCLUSIVE)])
        self.touched.add(table_id)

    def lock(self, wants: list[Want]) -> bool:
        """Hold every lock in ``wants``; True if it had to wait (the caller's reads may be stale).

        Waiting happens without the physical lock (it is given back first, rolling back this
        transaction's SQLite work, which is replayed afterwards), unless a non-replayable
        transaction already wrote: then it waits holding it (rare: restores lock first).
        A session transaction that waited raises :class:`RetryStatement` so the statement runs again.
        """
        need = [(k, m) for k, m in wants if self.locks.get(k) not in (m, EXCLUSIVE)]
        if not need:
            return False
        locks = self.storage.locks
        if locks.try_acquire(self, need):
            self._granted(need)
            return False
        if not self.detachable and self.wrote:
            locks.acquire(self, need, self.storage.lock_timeout)
            self._granted(need)
            return False
        self.storage.physical.detach(self)
        locks.acquire(self, need, self.storage.lock_timeout)  # 1205: the transaction stays detached
        self._granted(need)
        self.storage.reattach(self)
        if self.detachable:
            raise RetryStatement()
        return True

    def _granted(self, wants: list[Want]) -> None:
        for k, m in wants:
            if self.locks.get(k) != EXCLUSIVE:
                self.locks[k] = m


__all__ = ["Tx", "LogEntry", "CLUSTER", "account_key", "database_key", "table_key", "in_account", "in_database"]
