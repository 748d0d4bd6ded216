"""Garbage collection: delete history and dropped objects nothing can read any more.

An instant ``T`` is readable while ``T >= horizon`` (see ``Storage.horizon``): a history version
ending at or before the horizon, or an object dropped at or before it, is invisible at every such T.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from matrixone_lite.storage.physical import drop_physical, table_names

if TYPE_CHECKING:
    from matrixone_lite.storage.storage import Storage


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
