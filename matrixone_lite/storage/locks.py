"""Logical locks and the physical (SQLite) write lock, kept apart so an idle tenant blocks no one.

SQLite has one writer per file, and everything of every account lives in one file. If a
transaction kept SQLite's write lock from its first write to COMMIT, one client that runs
``BEGIN; INSERT ...`` and goes quiet would block every writer of every account (issue 14).
So two kinds of lock:

- **logical locks** (:class:`LockManager`): what a transaction wrote, held until it ends.
  Keys name a scope: ``("cluster",)``, ``("acc", id)``, ``("db", id)``, ``("tbl", id)``.
  Modes: ``I`` (intention: "I write something inside") and ``X`` (exclusive). ``I`` is
  compatible with ``I``; ``X`` with nothing held by another transaction. A DML write takes
  ``I`` on cluster, account and database and ``X`` on its table; a table restore or ALTER takes
  ``X`` on the table, a database restore or DROP DATABASE ``X`` on the database, an account
  restore ``X`` on the account, a cluster restore ``X`` on the cluster. A waiter gives up after
  the lock timeout with MatrixOne's 1205, like MatrixOne's lock service.
- **the physical lock** (:class:`PhysicalLock`): SQLite's single write transaction. Its owner
  holds it while a statement runs (``busy``). Between statements the owner stays attached (no
  cost when nobody else writes), but a writer that needs the lock *detaches* an idle owner: its
  SQLite transaction is rolled back, and its statement log is replayed when it runs its next
  statement or COMMITs (see ``matrixone_lite/transactions.py``). Its logical locks stay, so no one
  can have changed the tables it wrote, and the replay produces the same rows.
"""

from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING

from matrixone_lite.errors import MOError, lock_wait_timeout

if TYPE_CHECKING:
    from matrixone_lite.storage.storage import Tx

INTENT = "I"
EXCLUSIVE = "X"
LockKey = tuple[str, ...] | tuple[str, int]
Want = tuple[LockKey, str]


class RetryStatement(MOError):
    """Raised after a statement waited for a logical lock: its reads may be stale, run it again.

    Internal: the engine catches it and re-runs the statement (the transaction was re-attached and
    its earlier statements replayed). Should it escape, the client sees a retryable 1205.
    """

    def __init__(self) -> None:
        super().__init__(1205, "Lock wait timeout exceeded; try restarting transaction")


def deadlock_detected() -> MOError:
    """MatrixOne's ``ErrDeadLockDetected`` (moerr 20701): the statement fails, the transaction stays."""
    return MOError(20701, "deadlock detected")


def write_conflict() -> MOError:
    """MatrixOne's ``ErrTxnWWConflict`` (moerr 20619, text ``w-w conflict``)."""
    return MOError(20619, "w-w conflict")


class LockManager:
    """Logical locks held by transactions (owners) until they end.

    An exclusive request that waits is queued: a *new* intention request on the same key by
    another transaction waits behind it (like MySQL's metadata locks), so a restore or ALTER is not
    starved by a stream of short writers; transactions already holding the key are not held up.
    """

    def __init__(self) -> None:
        self._cv = threading.Condition()
        self._held: dict[LockKey, dict[Tx, str]] = {}  # key -> {owner: mode}
        self._queued: dict[LockKey, dict[Tx, int]] = {}  # key -> {owner: waiting X requests}
        self._waiting: dict[Tx, list[Want]] = {}  # owners waiting in acquire, and for what

    def _free(self, owner: Tx, key: LockKey, mode: str) -> bool:
        holders = self._held.get(key)
        if holders and owner in holders and (mode == INTENT or len(holders) == 1):
            return True
        if mode == INTENT:
            queued = self._queued.get(key)
            if queued and any(o is not owner for o in queued):
                return False
        if not holders:
            return True
        return all(o is owner or (mode == INTENT and m == INTENT) for o, m in holders.items())

    def _blockers(self, owner: Tx, wants: list[Want]) -> set[Tx]:
        """The transactions ``owner`` waits for (holders of conflicting locks, queued X requests)."""
        out: set[Tx] = set()
        for key, mode in wants:
            if self._free(owner, key, mode):
                continue
            for o, m in self._held.get(key, {}).items():
                if o is not owner and (mode == EXCLUSIVE or m == EXCLUSIVE):
                    out.add(o)
            if mode == INTENT and owner not in self._held.get(key, {}):
                out.update(o for o in self._queued.get(key, {}) if o is not owner)
        return out

    def _deadlocked(self, owner: Tx, wants: list[Want]) -> bool:
        """Would ``owner`` wait, directly or through other waiters, for itself?"""
        seen: set[Tx] = set()
        todo = list(self._blockers(owner, wants))
        while todo:
            t = todo.pop()
            if t is owner:
                return True
            if t in seen:
                continue
            seen.add(t)
            w = self._waiting.get(t)
            if w is not None:
                todo.extend(self._blockers(t, w))
        return False

    def _grant(self, owner: Tx, wants: list[Want]) -> None:
        for key, mode in wants:
            h = self._held.setdefault(key, {})
            if h.get(owner) != EXCLUSIVE:
                h[owner] = mode

    def try_acquire(self, owner: Tx, wants: list[Want]) -> bool:
        """Take every lock in ``wants`` now, or none of them."""
        with self._cv:
            if all(self._free(owner, k, m) for k, m in wants):
                self._grant(owner, wants)
                return True
            return False

    def acquire(self, owner: Tx, wants: list[Want], timeout: float) -> None:
        """Wait up to ``timeout`` seconds for every lock in ``wants`` (all at once), else 1205."""
        deadline = time.monotonic() + timeout
        exclusive = [k for k, m in wants if m == EXCLUSIVE]
        with self._cv:
            for k in exclusive:
                q = self._queued.setdefault(k, {})
                q[owner] = q.get(owner, 0) + 1
            self._waiting[owner] = wants
            try:
                while not all(self._free(owner, k, m) for k, m in wants):
                    if self._deadlocked(owner, wants):
                        raise deadlock_detected()
                    left = deadline - time.monotonic()
                    if left <= 0:
                        raise lock_wait_timeout()
                    self._cv.wait(left)
                self._grant(owner, wants)
            finally:
                del self._waiting[owner]
                for k in exclusive:
                    q = self._queued[k]
                    q[owner] -= 1
                    if not q[owner]:
                        del q[owner]
                    if not q:
                        del self._queued[k]
                self._cv.notify_all()  # intention requests queued behind this one may go now

    def release_all(self, owner: Tx, keys: set[LockKey]) -> None:
        with self._cv:
            for key in keys:
                h = self._held.get(key)
                if h is not None:
                    h.pop(owner, None)
                    if not h:
                        del self._held[key]
            self._cv.notify_all()

    def holders(self, key: LockKey) -> dict[Tx, str]:
        """Who holds ``key`` (for tests and diagnostics)."""
        with self._cv:
            return dict(self._held.get(key, {}))


class PhysicalLock:
    """SQLite's write transaction: one owner; an idle owner is detached when someone else needs it."""

    def __init__(self) -> None:
        self.cv = threading.Condition(threading.Lock())  # a plain Lock: cheaper than the default RLock
        self.owner: Tx | None = None
        self.waiting = 0  # writers waiting in acquire (idle() only wakes someone if there is one)
        self.detaches = 0  # how many idle owners were detached (tests, bench)

    def acquire(self, tx: Tx, timeout: float) -> None:
        """Own the lock, busy. Waits while the owner runs a statement; detaches an idle owner."""
        deadline = time.monotonic() + timeout
        with self.cv:
            while self.owner is not None and self.owner is not tx:
                cur = self.owner
                if not cur.busy and cur.detachable:
                    self._detach_locked(cur)
                    break
                left = deadline - time.monotonic()
                if left <= 0:
                    raise lock_wait_timeout()
                self.waiting += 1
                try:
                    self.cv.wait(left)
                finally:
                    self.waiting -= 1
            self.owner = tx
            tx.busy = True
            tx.attached = True

    def _detach_locked(self, tx: Tx) -> None:
        if tx.conn.in_transaction:
            try:
                tx.conn.execute("ROLLBACK")
            except Exception:  # noqa: BLE001, S110 - a failed rollback leaves nothing open either way
                pass
        tx.attached = False
        tx.busy = False
        self.owner = None
        self.detaches += 1
        self.cv.notify_all()

    def detach(self, tx: Tx) -> None:
        """Give up the physical lock, rolling back ``tx``'s SQLite transaction (if it owns it)."""
        with self.cv:
            if self.owner is tx:
                self._detach_locked(tx)
            tx.attached = False

    def resume(self, tx: Tx) -> bool:
        """At a statement's start: still the owner? Then busy again (True); detached: False."""
        with self.cv:
            if self.owner is tx and tx.attached:
                tx.busy = True
                return True
            return False

    def idle(self, tx: Tx) -> None:
        """At a statement's end: the owner may now be detached by a waiting writer."""
        with self.cv:
            if self.owner is tx:
                tx.busy = False
                if self.waiting:
                    self.cv.notify_all()

    def release(self, tx: Tx) -> None:
        """After COMMIT/ROLLBACK."""
        with self.cv:
            if self.owner is tx:
                self.owner = None
                self.cv.notify_all()
            tx.busy = False
            tx.attached = False
