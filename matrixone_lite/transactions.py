"""A session's transactions: BEGIN/COMMIT/ROLLBACK, autocommit, write statements, detach and replay.

Split out of ``engine.py`` (issue 14) because the protocol grew: a session transaction holds
*logical* locks on what it wrote until it ends, but SQLite's single write lock (the *physical*
lock, ``storage/locks.py``) only while one of its statements runs. While its client is idle
another writer may detach it (its SQLite work is rolled back); it is then replayed from its
statement log before its next statement or at COMMIT. The logical locks keep others off the
tables it wrote, so the replay must give what the client was told; each replayed statement's
affected rows and insert id are compared with the log, and a difference aborts the transaction
with MatrixOne's ``w-w conflict`` rather than commit something the client never saw.
"""

from __future__ import annotations

import re
import sqlite3
import threading
import time
from collections.abc import Callable
from datetime import datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from matrixone_lite.errors import lock_wait_timeout
from matrixone_lite.storage.locks import RetryStatement, write_conflict
from matrixone_lite.storage.txn import LogEntry, Tx

if TYPE_CHECKING:
    from matrixone_lite.results import Result
    from matrixone_lite.statements import Statement
    from matrixone_lite.storage.storage import Storage

# SQLite functions whose value a replay cannot reproduce (NOW() and friends are pinned instead)
_VOLATILE = re.compile(
    r"\b(?:random|randomblob|uuid|mo_utc_now)\s*\(|\bmo_unix_timestamp\s*\(\s*\)|\bcurrent_(?:timestamp|time|date)\b",
    re.I,
)


@lru_cache(maxsize=1024)
def _volatile(sql: str) -> bool:
    """Calls a function a replay cannot reproduce (cached: the translated SQL of a shape repeats)."""
    return bool(_VOLATILE.search(sql))


class _StatementScope:
    """Re-attach a detached transaction before a statement, mark it idle after.

    A transaction with writes re-attaches (replaying its log) before *any* statement, so its reads
    see its own writes; a replay that diverges ends the transaction. (A class, not a generator
    context manager: it runs around every statement.)
    """

    __slots__ = ("session",)

    def __init__(self, session: SessionTransactions) -> None:
        self.session = session

    def __enter__(self) -> None:
        try:
            self.session._statement_start()
        except BaseException:
            self.session._statement_end()
            raise

    def __exit__(self, *exc: object) -> None:
        self.session._statement_end()


class SessionTransactions:
    """Transaction handling mixed into ``EngineSession`` (which sets the attributes below)."""

    storage: Storage
    conn: sqlite3.Connection
    autocommit: bool
    last_insert_id: int
    _tx: Tx | None
    _explicit: bool
    _implicit: bool
    _prelocked: bool
    _pinned_now: datetime | None
    _pinning: bool
    _mutex: threading.RLock

    def _dispatch_sql(self, st: Statement) -> Result:
        raise NotImplementedError

    def _now(self) -> datetime:
        raise NotImplementedError

    @property
    def in_transaction(self) -> bool:
        return self._explicit or self._implicit or self._tx is not None

    # ---- statement boundaries ------------------------------------------------------------------
    def _statement(self) -> _StatementScope:
        """Around every statement (``with session._statement(): ...``), see :class:`_StatementScope`."""
        return _StatementScope(self)

    def _statement_start(self) -> None:
        tx = self._tx
        if tx is not None and (tx.log or tx.attached):
            self.storage.enter(tx)

    def _statement_end(self) -> None:
        tx = self._tx
        if tx is None:
            return
        if tx.aborted:
            self._tx = None
            self._explicit = self._implicit = False
            self.storage.rollback(tx)
            return
        if tx.attached and not tx.conn.in_transaction:
            # SQLite ended the transaction under us: an interrupted INSERT/UPDATE/DELETE (client gone,
            # max_execution_time, KILL QUERY) or an I/O error rolls back the *whole* transaction. Treat it
            # as a detach, so the statement log is replayed before the next statement or COMMIT instead
            # of COMMIT acknowledging rows that are gone.
            self.storage.physical.detach(tx)
        self.storage.leave(tx)

    # ---- transactions --------------------------------------------------------------------------
    def begin(self) -> None:
        with self._mutex:
            if self.in_transaction:
                self.commit()
            self._explicit = True

    def commit(self) -> None:
        with self._mutex:
            tx, self._tx = self._tx, None
            self._explicit = self._implicit = False
            if tx is not None:
                self.storage.commit(tx)

    def rollback(self) -> None:
        with self._mutex:
            tx, self._tx = self._tx, None
            self._explicit = self._implicit = False
            if tx is not None:
                self.storage.rollback(tx)

    def _write_tx(self) -> Tx:
        tx = self._tx
        if tx is None:
            tx = self._tx = self.storage.begin(self.conn, detachable=True)
            tx.replay = self._replay
        elif not tx.attached or not tx.busy:
            self.storage.enter(tx)
        return tx

    def _after_statement(self, ok: bool) -> None:
        """Autocommit ends the statement's transaction; a failed autocommit statement rolls back."""
        if self._explicit:
            return
        if not self.autocommit:
            self._implicit = True
            return
        if ok:
            self.commit()
        else:
            self.rollback()

    # ---- write statements ----------------------------------------------------------------------
    def _under_write_lock(self, st: Statement) -> Result:
        """Run a write statement, again whenever it had to wait for a logical lock.

        The physical lock is taken *before* tables are resolved and logical locks are taken before
        anything is written; a statement that waited for a logical lock (without the physical one)
        may have resolved a table a restore or ALTER has replaced meanwhile, so it runs again.
        """
        deadline = time.monotonic() + self.storage.lock_timeout
        while True:
            try:
                return self._write_statement(st)
            except RetryStatement:
                if time.monotonic() > deadline:
                    raise lock_wait_timeout() from None

    def _write_statement(self, st: Statement) -> Result:
        ddl = st.ddl
        if ddl and self.in_transaction:
            self.commit()  # MySQL's implicit commit
        fresh = self._tx is None
        tx = self._write_tx()
        self._prelocked = ddl
        ok = False
        try:
            res = self._dispatch_sql(st)
            ok = True
            return res
        finally:
            self._prelocked = False
            if fresh and self._tx is tx and (ddl or not ok) and not tx.log:
                # nothing of this statement survives (DDL commits in ``_ddl``; a failed statement
                # was undone by SQLite): give the locks back without ending an explicit transaction
                self._tx = None
                self.storage.rollback(tx)

    def _ddl(self, fn: Callable[[Tx], Result]) -> Result:
        """Run DDL in its own transaction; like MySQL, it first commits an open transaction."""
        if self.in_transaction and not self._prelocked:
            self.commit()
        tx = self._write_tx()
        try:
            res = fn(tx)
        except BaseException:
            self.rollback()
            raise
        self.commit()
        return res

    def _logged(self, tx: Tx, sql: str, params: Any, insert: bool) -> sqlite3.Cursor:
        """Execute a DML statement and log it for a replay (NOW() pinned for both)."""
        lid = self.last_insert_id
        self._pinning = True  # the first NOW() of the statement is kept (see EngineSession._now)
        try:
            cur = self.conn.execute(sql, params)
        finally:
            now, self._pinned_now, self._pinning = self._pinned_now, None, False
        tx.log.append(
            LogEntry(sql, params, now, lid, max(cur.rowcount, 0), cur.lastrowid if insert else None,
                     _volatile(sql))
        )
        return cur

    def _replay(self, tx: Tx) -> None:
        """Re-run ``tx``'s statement log after a detach; abort on any difference from the original."""
        saved = self.last_insert_id
        try:
            for e in tx.log:
                if e.volatile:  # RAND(), UTC_TIMESTAMP(), ...: the replay would write other values
                    raise self._diverged(tx)
                self._pinned_now, self.last_insert_id = e.now, e.last_insert_id
                try:
                    cur = self.conn.execute(e.sql, e.params)
                except sqlite3.Error:
                    raise self._diverged(tx) from None
                if max(cur.rowcount, 0) != e.rowcount or (e.lastrowid is not None and cur.lastrowid != e.lastrowid):
                    raise self._diverged(tx)
        finally:
            self._pinned_now, self.last_insert_id = None, saved

    def _diverged(self, tx: Tx) -> Exception:
        tx.aborted = True
        self.storage.physical.detach(tx)  # roll back what was replayed
        return write_conflict()
