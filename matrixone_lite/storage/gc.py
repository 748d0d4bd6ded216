"""Garbage collection: delete history and dropped objects nothing can read any more.

An instant ``T`` is readable while ``T >= horizon`` (see ``Storage.horizon``): a history version
ending at or before the horizon, or an object dropped at or before it, is invisible at every such T.
"""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING, Any

from matrixone_lite.storage.physical import drop_physical, table_names

if TYPE_CHECKING:
    from matrixone_lite.storage.storage import Storage

logger = logging.getLogger("matrixone_lite.gc")


def collect(st: Storage, now_ns: int | None = None) -> dict[str, Any]:
    horizon = st.horizon(now_ns)
    stats: dict[str, Any] = {"horizon": horizon, "history_rows": 0, "tables": 0, "databases": 0, "users": 0}
    gone = "dropped_ts IS NOT NULL AND dropped_ts <> -1 AND dropped_ts <= ?"
    with st.transaction() as tx:
        for tid, dropped in tx.execute("SELECT id, dropped_ts FROM __mo_tables").fetchall():
            if dropped is not None and dropped != -1 and dropped <= horizon:
                drop_physical(tx.conn, tid)
                tx.execute("DELETE FROM __mo_tables WHERE id = ?", (tid,))
                stats["tables"] += 1
            else:
                _, h = table_names(tid)
                cur = tx.execute(f"DELETE FROM {h} WHERE __mo_end <= ?", (horizon,))  # noqa: S608
                stats["history_rows"] += max(cur.rowcount, 0)
        cur = tx.execute(
            f"DELETE FROM __mo_databases WHERE {gone} "  # noqa: S608 - fixed fragment
            "AND NOT EXISTS (SELECT 1 FROM __mo_tables t WHERE t.database_id = __mo_databases.id)",
            (horizon,),
        )
        stats["databases"] = max(cur.rowcount, 0)
        cur = tx.execute(f"DELETE FROM __mo_users WHERE {gone}", (horizon,))  # noqa: S608
        stats["users"] = max(cur.rowcount, 0)
        if horizon > st.gc_horizon:
            tx.execute("INSERT OR REPLACE INTO __mo_meta(key, value) VALUES ('gc_horizon', ?)", (str(horizon),))
    if horizon > st.gc_horizon:
        st.gc_horizon = horizon
    return stats


class GcRunner:
    """Runs :func:`collect` on a daemon thread every ``interval`` seconds and whenever
    :meth:`request` is called (after DROP PITR / DROP SNAPSHOT / ALTER PITR), so history no PITR
    or snapshot needs any more is actually deleted while the server runs."""

    def __init__(self, st: Storage, interval: float) -> None:
        self.storage = st
        self.interval = interval
        self.runs = 0  # completed collections (tests wait on it)
        self.last: dict[str, Any] | None = None
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._done = threading.Condition()
        self._thread = threading.Thread(target=self._loop, name="matrixone-lite-gc", daemon=True)

    def start(self) -> GcRunner:
        self._thread.start()
        return self

    def request(self) -> None:
        self._wake.set()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join(timeout=60)

    def wait_runs(self, n: int, timeout: float) -> bool:
        """Block until at least ``n`` collections completed (False on timeout)."""
        with self._done:
            return self._done.wait_for(lambda: self.runs >= n, timeout)

    def _loop(self) -> None:
        while not self._stop.is_set():
            self._wake.wait(self.interval)
            self._wake.clear()
            if self._stop.is_set():
                return
            try:
                stats = collect(self.storage)
            except Exception as e:  # noqa: BLE001 - a busy lock or a closing file: try again next time
                logger.warning("garbage collection failed: %s", e)
                stats = None
            with self._done:
                self.runs += 1
                self.last = stats
                self._done.notify_all()
            if stats is not None and (stats["history_rows"] or stats["tables"]):
                logger.info("gc: %s", stats)
