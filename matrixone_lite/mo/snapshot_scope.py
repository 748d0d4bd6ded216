"""Which objects a named snapshot may serve: MatrixOne #27134 (on main after v4.2.0).

Why: up to v4.2.0 ``{SNAPSHOT = s}`` only lent its timestamp, so a table-level snapshot could read
any table and a database-level one any database (#27116 restored another database's table that
way). Since #27134 ``plan.ValidateSnapshotScope`` compares the object a snapshot was taken of
(``obj_id``) with the object being read *as of the snapshot*, and refuses a mismatch. Account and
cluster snapshots serve everything in their scope. The emulated version decides which rule holds.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from matrixone_lite.errors import internal_error

if TYPE_CHECKING:
    from matrixone_lite.mo.catalog import SnapshotRecord
    from matrixone_lite.storage.storage import Storage

LAST_UNSCOPED = (4, 2, 0)  # the last release where a named snapshot served any object


def scope_enforced(version: tuple[int, int, int]) -> bool:
    return version > LAST_UNSCOPED


def check_read_scope(st: Storage, snap: SnapshotRecord, account_id: int, database: str | None,
                     table: str | None) -> None:
    """``ValidateSnapshotScope``: raise when ``snap`` may not serve ``database.table``.

    The object is looked up as of the snapshot (ids there are what the snapshot recorded); an object
    missing at that instant is left to the read itself, which then reports it as missing.
    """
    if snap.level not in ("database", "table") or not database or not table:
        return
    database, table = database.lower(), table.lower()
    db = st.database(account_id, database, at=snap.ts)
    if db is None:
        return
    if snap.level == "database":
        if db.id != snap.obj_id:
            raise internal_error(f"database-level snapshot({snap.sname}) does not belong to the database({database})")
        return
    tbl = st.table(db.id, table, at=snap.ts)
    if tbl is not None and tbl.id != snap.obj_id:
        raise internal_error(
            f"table-level snapshot({snap.sname}) does not belong to the table({database}-{table})")
