"""Tx: one write transaction: its SQLite connection, logical locks, statement log and stamping set.

Kept apart from ``storage.py`` because the lock protocol (see ``storage/locks.py``) lives here:
a transaction takes the logical locks of what it writes *before* writing, and when it must wait
for one it first gives the physical SQLite lock back, so it never makes others wait for it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from matrixone_lite.storage import catalog as cat
from matrixone_lite.storage.locks import (
    EXCLUSIVE,
    INTENT,
    LockKey,
    LockManager,
    PhysicalLock,
    RetryStatement,
    Want,
)
from matrixone_lite.storage.physical import table_names

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
    volatile: bool = False  # calls RAND(), UTC_TIMESTAMP(), ...: cannot be replayed faithfully


class Tx:
    """An open write transaction on one connection; commit stamps what it touched."""

    def __init__(self, storage: TransactionsMixin, conn: sqlite3.Connection, *, detachable: bool = False) -> None:
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


class TransactionsMixin:
    """Storage's transaction API: begin/commit/rollback, attach/detach/replay, ``transaction()``.

    A mixin of :class:`~matrixone_lite.storage.storage.Storage` (which provides the attributes
    below); kept here with :class:`Tx` because it is the physical/logical lock protocol.
    """

    locks: LockManager
    physical: PhysicalLock
    physical_timeout: float
    lock_timeout: float
    catalog_version: int

    def _next_ts(self) -> int:
        raise NotImplementedError

    def lease(self) -> sqlite3.Connection:
        raise NotImplementedError

    def give_back(self, conn: sqlite3.Connection) -> None:
        raise NotImplementedError

    @staticmethod
    def _rollback_conn(conn: sqlite3.Connection) -> None:
        if conn.in_transaction:
            try:
                conn.execute("ROLLBACK")
            except sqlite3.Error:
                pass

    def begin(self, conn: sqlite3.Connection, timeout: float | None = None, *, detachable: bool = False) -> Tx:
        """Take the physical lock and open ``BEGIN IMMEDIATE`` on ``conn``.

        ``detachable``: a session's transaction, which may be detached while its client is idle
        (its ``replay`` callback re-runs its statement log).
        """
        tx = Tx(self, conn, detachable=detachable)
        self.attach(tx, timeout)
        return tx

    def attach(self, tx: Tx, timeout: float | None = None) -> None:
        self.physical.acquire(tx, self.physical_timeout if timeout is None else timeout)
        try:
            tx.conn.execute("BEGIN IMMEDIATE")
        except BaseException:
            self.physical.release(tx)
            raise

    def reattach(self, tx: Tx) -> None:
        """Re-open a detached transaction's SQLite work: attach, then replay its statement log."""
        self.attach(tx)
        if tx.log and tx.replay is not None:
            tx.replay(tx)

    def enter(self, tx: Tx) -> None:
        """A statement of ``tx`` starts: busy again if still attached, else re-attach (and replay)."""
        if not self.physical.resume(tx):
            self.reattach(tx)

    def leave(self, tx: Tx) -> None:
        """A statement of ``tx`` ended: while its client is idle another writer may detach it."""
        self.physical.idle(tx)

    def commit(self, tx: Tx) -> int:
        """Stamp every pending version with a fresh commit timestamp, COMMIT, release the locks."""
        try:
            if not self.physical.resume(tx):
                self.reattach(tx)
            ts = self._next_ts()
            tx.ts = ts
            conn = tx.conn
            for tid in sorted(tx.touched):
                t, h = table_names(tid)
                conn.execute(f"UPDATE {h} SET __mo_end = ? WHERE __mo_end IS NULL", (ts,))  # noqa: S608
                conn.execute(f"UPDATE {t} SET __mo_ts = ? WHERE __mo_ts IS NULL", (ts,))  # noqa: S608
            if tx.catalog_dirty:
                for ctab in cat.CATALOG_TABLES:
                    conn.execute(f"UPDATE {ctab} SET created_ts = ? WHERE created_ts = -1", (ts,))  # noqa: S608
                    conn.execute(f"UPDATE {ctab} SET dropped_ts = ? WHERE dropped_ts = -1", (ts,))  # noqa: S608
                self.catalog_version += 1
            conn.execute("INSERT OR REPLACE INTO __mo_meta(key, value) VALUES ('clock', ?)", (str(ts),))
            conn.execute("COMMIT")
            return ts
        except BaseException:
            self.rollback(tx)
            raise
        finally:
            self._end(tx)

    def rollback(self, tx: Tx) -> None:
        try:
            with self.physical.cv:
                if self.physical.owner is tx:
                    self._rollback_conn(tx.conn)
        finally:
            if tx.catalog_dirty:
                self.catalog_version += 1
            self._end(tx)

    def _end(self, tx: Tx) -> None:
        self.physical.release(tx)
        if tx.locks:
            keys = set(tx.locks)
            tx.locks.clear()
            self.locks.release_all(tx, keys)

    @contextmanager
    def transaction(self) -> Iterator[Tx]:
        """A write transaction on a pooled connection of its own, committed (stamped) on success.

        Not the storage's ``_sys`` connection: two restores of different accounts may run at the
        same time (one waiting for a logical lock without the physical one).
        """
        conn = self.lease()
        try:
            tx = self.begin(conn)
            try:
                yield tx
            except BaseException:
                self.rollback(tx)
                raise
            self.commit(tx)
        finally:
            self.give_back(conn)



__all__ = ["Tx", "TransactionsMixin", "LogEntry", "CLUSTER", "account_key", "database_key", "table_key", "in_account", "in_database"]
