"""The PITR and snapshot catalogs (MatrixOne's ``mo_pitr`` / ``mo_snapshots``).

Stored as the mo/ layer's own tables in the storage SQLite file (``Storage.register_schema``), so
a PITR definition commits in the same file as the data it protects and survives restarts.
PITRs are keyed by (name, creator account) as in MatrixOne (matrixone-pitr.md §3.4); snapshots by
(owner account, name), because each account has its own ``mo_snapshots`` (§3.5).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from matrixone_lite.storage.storage import Storage, Tx

SCHEMA = [
    """CREATE TABLE IF NOT EXISTS __mo_pitr (
        pitr_id TEXT NOT NULL,
        pitr_name TEXT NOT NULL,
        create_account INTEGER NOT NULL,
        create_time INTEGER NOT NULL,
        modified_time INTEGER NOT NULL,
        level TEXT NOT NULL,
        account_id INTEGER NOT NULL,
        account_name TEXT NOT NULL,
        database_name TEXT NOT NULL,
        table_name TEXT NOT NULL,
        obj_id INTEGER NOT NULL,
        pitr_length INTEGER NOT NULL,
        pitr_unit TEXT NOT NULL,
        pitr_status INTEGER NOT NULL DEFAULT 1,
        pitr_status_changed_time INTEGER NOT NULL,
        kind TEXT NOT NULL DEFAULT 'user',
        PRIMARY KEY (pitr_name, create_account))""",
    """CREATE TABLE IF NOT EXISTS __mo_snapshots (
        snapshot_id TEXT NOT NULL,
        owner_account INTEGER NOT NULL,
        sname TEXT NOT NULL,
        ts INTEGER NOT NULL,
        level TEXT NOT NULL,
        account_name TEXT NOT NULL,
        database_name TEXT NOT NULL,
        table_name TEXT NOT NULL,
        obj_id INTEGER NOT NULL,
        kind TEXT NOT NULL DEFAULT 'user',
        PRIMARY KEY (owner_account, sname))""",
]

CLUSTER_OBJ_ID = -1  # MatrixOne stores MaxUint64; SQLite integers are signed


@dataclass(frozen=True)
class PitrRecord:
    pitr_id: str
    pitr_name: str
    create_account: int
    create_time: int
    modified_time: int
    level: str
    account_id: int
    account_name: str
    database_name: str
    table_name: str
    obj_id: int
    pitr_length: int
    pitr_unit: str
    pitr_status: int
    pitr_status_changed_time: int
    kind: str


@dataclass(frozen=True)
class SnapshotRecord:
    snapshot_id: str
    owner_account: int
    sname: str
    ts: int
    level: str
    account_name: str
    database_name: str
    table_name: str
    obj_id: int
    kind: str


_PITR_COLS = ", ".join(PitrRecord.__dataclass_fields__)
_SNAP_COLS = ", ".join(SnapshotRecord.__dataclass_fields__)
# built from the constant column lists above, never from input
_SEL_PITR = f"SELECT {_PITR_COLS} FROM __mo_pitr"  # noqa: S608
_SEL_SNAP = f"SELECT {_SNAP_COLS} FROM __mo_snapshots"  # noqa: S608
_INS_PITR = f"INSERT INTO __mo_pitr ({_PITR_COLS}) VALUES ({', '.join('?' * 16)})"  # noqa: S608
_INS_SNAP = f"INSERT INTO __mo_snapshots ({_SNAP_COLS}) VALUES ({', '.join('?' * 10)})"  # noqa: S608


class Catalog:
    """Typed access to the two catalog tables; every write takes the caller's transaction."""

    def __init__(self, storage: Storage) -> None:
        self.storage = storage
        storage.register_schema(SCHEMA)

    def _q(self, tx: Tx | None, sql: str, params: tuple[Any, ...] = ()) -> list[tuple]:
        return self.storage.execute_system(tx, sql, params)

    # ---- PITR ----
    def pitr(self, name: str, creator: int, tx: Tx | None = None) -> PitrRecord | None:
        rows = self._q(tx, _SEL_PITR + " WHERE pitr_name = ? AND create_account = ?",
                       (name, creator))
        return PitrRecord(*rows[0]) if rows else None

    def pitrs(self, creator: int | None = None, tx: Tx | None = None) -> list[PitrRecord]:
        if creator is None:
            rows = self._q(tx, _SEL_PITR + " ORDER BY create_time DESC")
        else:
            rows = self._q(tx, _SEL_PITR + " WHERE create_account = ? "
                               "ORDER BY create_time DESC, rowid DESC", (creator,))
        return [PitrRecord(*r) for r in rows]

    def insert_pitr(self, tx: Tx, *, name: str, creator: int, now: int, level: str, account_id: int,
                    account_name: str, database: str, table: str, obj_id: int, length: int, unit: str) -> None:
        self._q(tx, _INS_PITR,
                (str(uuid.uuid4()), name, creator, now, now, level, account_id, account_name, database, table,
                 obj_id, length, unit, 1, now, "user"))

    def alter_pitr(self, tx: Tx, name: str, creator: int, length: int, unit: str, now: int) -> None:
        self._q(tx, "UPDATE __mo_pitr SET pitr_length = ?, pitr_unit = ?, modified_time = ? "
                    "WHERE pitr_name = ? AND create_account = ?", (length, unit, now, name, creator))

    def drop_pitr(self, tx: Tx, name: str, creator: int) -> None:
        self._q(tx, "DELETE FROM __mo_pitr WHERE pitr_name = ? AND create_account = ?", (name, creator))

    def active_pitr_exists(self, tx: Tx | None, creator: int, level: str, account_name: str = "",
                           database: str = "", table: str = "") -> bool:
        if level == "cluster":
            rows = self._q(tx, "SELECT 1 FROM __mo_pitr WHERE create_account = ? AND level = 'cluster' "
                               "AND pitr_status = 1", (creator,))
        else:
            rows = self._q(tx, "SELECT 1 FROM __mo_pitr WHERE create_account = ? AND level = ? AND "
                               "account_name = ? AND database_name = ? AND table_name = ? AND pitr_status = 1",
                           (creator, level, account_name, database, table))
        return bool(rows)

    def deactivate(self, tx: Tx, now: int, *, level: str, account_id: int, database: str = "",
                   table: str = "") -> None:
        """Set pitr_status=0 on the PITRs covering a dropped object (they stay listed)."""
        if level == "account":
            self._q(tx, "UPDATE __mo_pitr SET pitr_status = 0, pitr_status_changed_time = ? "
                        "WHERE level = 'account' AND account_id = ? AND pitr_status = 1", (now, account_id))
        elif level == "database":
            self._q(tx, "UPDATE __mo_pitr SET pitr_status = 0, pitr_status_changed_time = ? "
                        "WHERE level IN ('database', 'table') AND account_id = ? AND database_name = ? "
                        "AND pitr_status = 1", (now, account_id, database))
        else:
            self._q(tx, "UPDATE __mo_pitr SET pitr_status = 0, pitr_status_changed_time = ? "
                        "WHERE level = 'table' AND account_id = ? AND database_name = ? AND table_name = ? "
                        "AND pitr_status = 1", (now, account_id, database, table))

    def delete_created_by(self, tx: Tx, account_id: int) -> None:
        self._q(tx, "DELETE FROM __mo_pitr WHERE create_account = ?", (account_id,))
        self._q(tx, "DELETE FROM __mo_snapshots WHERE owner_account = ?", (account_id,))

    # ---- snapshots ----
    def snapshot(self, owner: int, name: str, tx: Tx | None = None) -> SnapshotRecord | None:
        rows = self._q(tx, _SEL_SNAP + " WHERE owner_account = ? AND sname = ?",
                       (owner, name))
        return SnapshotRecord(*rows[0]) if rows else None

    def snapshots(self, owner: int | None = None, tx: Tx | None = None) -> list[SnapshotRecord]:
        if owner is None:
            rows = self._q(tx, _SEL_SNAP + " ORDER BY ts DESC")
        else:
            rows = self._q(tx, _SEL_SNAP + " WHERE owner_account = ? "
                               "ORDER BY ts DESC", (owner,))
        return [SnapshotRecord(*r) for r in rows]

    def insert_snapshot(self, tx: Tx, *, owner: int, name: str, ts: int, level: str, account_name: str,
                        database: str, table: str, obj_id: int) -> None:
        self._q(tx, _INS_SNAP,
                (str(uuid.uuid4()), owner, name, ts, level, account_name, database, table, obj_id, "user"))

    def drop_snapshot(self, tx: Tx, owner: int, name: str) -> None:
        self._q(tx, "DELETE FROM __mo_snapshots WHERE owner_account = ? AND sname = ?", (owner, name))
