"""Views in the versioned catalog (``__mo_views``).

A view is stored as MatrixOne stores it: the text of its ``CREATE VIEW`` statement plus the
session's database at creation (MatrixOne's ``ViewData.DefaultDatabase``, where unqualified names in
the body resolve), never as a copy of data. Rows carry ``created_ts`` / ``dropped_ts`` like tables,
so a read at instant ``T`` (time travel, snapshots) and a restore to ``T`` see the definition that
was current at ``T``: ``OR REPLACE`` stamps the old row dropped and inserts a new one.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import TYPE_CHECKING

from matrixone_lite.storage.catalog import PENDING, visible

if TYPE_CHECKING:
    from matrixone_lite.storage.storage import Tx

_VW = "id, database_id, name, create_sql, default_db, created_ts, dropped_ts"


@dataclass
class ViewRow:
    id: int
    database_id: int
    name: str
    create_sql: str  # the CREATE [OR REPLACE] VIEW statement as the client sent it
    default_db: str | None  # the session's database when the view was created
    created_ts: int
    dropped_ts: int | None


def get_views(
    conn: sqlite3.Connection, database_id: int, name: str | None = None, at: int | None = None
) -> list[ViewRow]:
    """The database's views now (``at`` None) or at instant ``at``, oldest definition first."""
    cond, params = visible(at)
    sql = f"SELECT {_VW} FROM __mo_views WHERE database_id = ? AND {cond}"  # noqa: S608 - fixed fragments
    params = (database_id, *params)
    if name is not None:
        sql += " AND name = ?"
        params = (*params, name)
    return [ViewRow(*r) for r in conn.execute(sql + " ORDER BY created_ts, id", params)]


def view_names(conn: sqlite3.Connection, database_id: int, at: int | None = None) -> list[str]:
    return sorted({v.name for v in get_views(conn, database_id, None, at)})


def create_view(tx: Tx, database_id: int, name: str, create_sql: str, default_db: str | None) -> None:
    tx.catalog_dirty = True
    tx.execute(
        "INSERT INTO __mo_views(database_id, name, create_sql, default_db, created_ts) VALUES (?, ?, ?, ?, ?)",
        (database_id, name, create_sql, default_db, PENDING),
    )


def drop_view(tx: Tx, view_id: int) -> None:
    """Stamp the view dropped; its row stays so reads and restores at earlier instants still see it."""
    tx.catalog_dirty = True
    tx.execute("UPDATE __mo_views SET dropped_ts = ? WHERE id = ?", (PENDING, view_id))


def copy_views_at(tx: Tx, src_database_id: int, at: int, dst_database_id: int) -> int:
    """Recreate in ``dst_database_id`` the views ``src_database_id`` had at ``at``.

    Called after the database's tables were copied: MatrixOne restores views last, in dependency
    order (``pkg/frontend/snapshot.go``). Creation order is a dependency order here, since a view
    can only be created once what it reads exists.
    """
    views = get_views(tx.conn, src_database_id, None, at)
    for v in views:
        create_view(tx, dst_database_id, v.name, v.create_sql, v.default_db)
    return len(views)
