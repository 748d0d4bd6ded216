"""Roles, role privileges and role memberships in the versioned catalog.

MatrixOne keeps them in ``mo_catalog.mo_role``, ``mo_role_privs`` and ``mo_user_grant``, and an
account restore copies those tables as of the restore instant (matrixone-pitr.md §4.4): roles,
grants and memberships roll back with the account. Here they are rows of ``__mo_roles``,
``__mo_role_privs`` and ``__mo_user_grants`` carrying ``created_ts`` / ``dropped_ts`` like users,
so a read at ``T`` and a restore to ``T`` see them as they were.

Why grants name their object (database and table *names*) instead of an id: MatrixOne's
``mo_role_privs.obj_id`` held the source object's id after a restore re-created the tables with
new ids, and app users could no longer read restored tables (#26640, fixed by re-binding ids in
#26700/#28218). Keyed by name, a grant binds to whatever table carries the name now; the id shown
in ``mo_role_privs`` is resolved when that table is read, so it is always the restored object's.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import TYPE_CHECKING

from matrixone_lite.storage.catalog import PENDING, visible

if TYPE_CHECKING:
    from matrixone_lite.storage.storage import Storage
    from matrixone_lite.storage.txn import Tx

ROLE_DDL = [
    # role_id is MatrixOne's (predefined: moadmin 0, public 1, accountadmin 2); copied by restores
    """CREATE TABLE IF NOT EXISTS __mo_roles(id INTEGER PRIMARY KEY AUTOINCREMENT, account_id INTEGER NOT NULL,
        role_id INTEGER NOT NULL, name TEXT NOT NULL, creator INTEGER, comment TEXT,
        created_ts INTEGER, dropped_ts INTEGER)""",
    """CREATE TABLE IF NOT EXISTS __mo_role_privs(id INTEGER PRIMARY KEY AUTOINCREMENT,
        account_id INTEGER NOT NULL, role_name TEXT NOT NULL, obj_type TEXT NOT NULL, db_name TEXT,
        tbl_name TEXT, privilege_id INTEGER NOT NULL, privilege_level TEXT NOT NULL,
        with_grant_option INTEGER NOT NULL DEFAULT 0, created_ts INTEGER, dropped_ts INTEGER)""",
    """CREATE TABLE IF NOT EXISTS __mo_user_grants(id INTEGER PRIMARY KEY AUTOINCREMENT,
        account_id INTEGER NOT NULL, role_name TEXT NOT NULL, user_name TEXT NOT NULL,
        created_ts INTEGER, dropped_ts INTEGER)""",
    # GRANT role TO role (MatrixOne's mo_role_grant: the grantee inherits the granted role's privileges)
    """CREATE TABLE IF NOT EXISTS __mo_role_grants(id INTEGER PRIMARY KEY AUTOINCREMENT,
        account_id INTEGER NOT NULL, granted TEXT NOT NULL, grantee TEXT NOT NULL,
        with_grant_option INTEGER NOT NULL DEFAULT 0, created_ts INTEGER, dropped_ts INTEGER)""",
    "CREATE INDEX IF NOT EXISTS __mo_roles_acc ON __mo_roles(account_id, name)",
    "CREATE INDEX IF NOT EXISTS __mo_role_privs_acc ON __mo_role_privs(account_id, role_name)",
    "CREATE INDEX IF NOT EXISTS __mo_user_grants_acc ON __mo_user_grants(account_id, user_name)",
]
ROLE_TABLES = ("__mo_roles", "__mo_role_privs", "__mo_user_grants", "__mo_role_grants")
FIRST_CUSTOM_ROLE_ID = 3  # after MatrixOne's predefined moadmin 0, public 1, accountadmin 2


@dataclass(frozen=True)
class PrivRow:
    role_name: str
    obj_type: str  # account | database | table
    db_name: str | None  # None: every database (``*`` / ``*.*``)
    tbl_name: str | None  # None: every table of db_name
    privilege_id: int
    privilege_level: str  # MatrixOne's: * | *.* | d | d.* | d.t | t
    with_grant_option: bool
    created_ts: int = 0


def role_rows(conn: sqlite3.Connection, account_id: int, at: int | None = None) -> list[tuple[int, str]]:
    """``(role_id, name)`` of the account's custom roles, in creation order."""
    cond, params = visible(at)
    sql = f"SELECT role_id, name FROM __mo_roles WHERE account_id = ? AND {cond} ORDER BY role_id"  # noqa: S608
    return [(int(r), str(n)) for r, n in conn.execute(sql, (account_id, *params))]


def role_exists(conn: sqlite3.Connection, account_id: int, name: str) -> bool:
    return conn.execute(
        "SELECT 1 FROM __mo_roles WHERE account_id = ? AND name = ? AND dropped_ts IS NULL", (account_id, name)
    ).fetchone() is not None


def create_role(tx: Tx, account_id: int, name: str, creator: int) -> None:
    tx.catalog_dirty = True
    row = tx.conn.execute("SELECT max(role_id) FROM __mo_roles WHERE account_id = ?", (account_id,)).fetchone()
    role_id = max(FIRST_CUSTOM_ROLE_ID, int(row[0]) + 1 if row and row[0] is not None else 0)
    tx.execute(
        "INSERT INTO __mo_roles(account_id, role_id, name, creator, created_ts) VALUES (?,?,?,?,?)",
        (account_id, role_id, name, creator, PENDING),
    )


def drop_role(tx: Tx, account_id: int, name: str) -> None:
    """MatrixOne's ``doDropRole``: the role, its privileges and its memberships go together
    (``deleteRoleFromMoRoleGrantFormat``: as granted and as grantee role too)."""
    tx.catalog_dirty = True
    for table, col in (("__mo_roles", "name"), ("__mo_role_privs", "role_name"), ("__mo_user_grants", "role_name"),
                       ("__mo_role_grants", "granted"), ("__mo_role_grants", "grantee")):
        tx.execute(
            f"UPDATE {table} SET dropped_ts = ? WHERE account_id = ? AND {col} = ? AND dropped_ts IS NULL",  # noqa: S608
            (PENDING, account_id, name),
        )


def privileges(
    conn: sqlite3.Connection, account_id: int, roles: tuple[str, ...] | None = None, at: int | None = None
) -> list[PrivRow]:
    """Privilege rows of the account (of ``roles`` only when given), oldest grant first."""
    cond, params = visible(at)
    sql = ("SELECT role_name, obj_type, db_name, tbl_name, privilege_id, privilege_level, with_grant_option, "  # noqa: S608
           f"created_ts FROM __mo_role_privs WHERE account_id = ? AND {cond}")
    args: tuple[object, ...] = (account_id, *params)
    if roles is not None:
        sql += f" AND role_name IN ({','.join('?' * len(roles))})"
        args = (*args, *roles)
    return [PrivRow(r[0], r[1], r[2], r[3], int(r[4]), r[5], bool(r[6]), int(r[7] or 0))
            for r in conn.execute(sql + " ORDER BY id", args)]


def add_privilege(tx: Tx, account_id: int, p: PrivRow) -> bool:
    """Insert one grant; False when the same grant exists already (MatrixOne's GRANT is idempotent)."""
    same = tx.conn.execute(
        "SELECT 1 FROM __mo_role_privs WHERE account_id = ? AND role_name = ? AND obj_type = ? "
        "AND db_name IS ? AND tbl_name IS ? AND privilege_id = ? AND dropped_ts IS NULL",
        (account_id, p.role_name, p.obj_type, p.db_name, p.tbl_name, p.privilege_id),
    ).fetchone()
    if same:
        return False
    tx.catalog_dirty = True
    tx.execute(
        "INSERT INTO __mo_role_privs(account_id, role_name, obj_type, db_name, tbl_name, privilege_id, "
        "privilege_level, with_grant_option, created_ts) VALUES (?,?,?,?,?,?,?,?,?)",
        (account_id, p.role_name, p.obj_type, p.db_name, p.tbl_name, p.privilege_id, p.privilege_level,
         int(p.with_grant_option), PENDING),
    )
    return True


def revoke_privilege(tx: Tx, account_id: int, p: PrivRow) -> None:
    tx.catalog_dirty = True
    tx.execute(
        "UPDATE __mo_role_privs SET dropped_ts = ? WHERE account_id = ? AND role_name = ? AND obj_type = ? "
        "AND db_name IS ? AND tbl_name IS ? AND privilege_id = ? AND dropped_ts IS NULL",
        (PENDING, account_id, p.role_name, p.obj_type, p.db_name, p.tbl_name, p.privilege_id),
    )


def user_roles(conn: sqlite3.Connection, account_id: int, user: str, at: int | None = None) -> list[str]:
    """Roles granted to ``user`` (by GRANT role TO user or CREATE USER ... DEFAULT ROLE)."""
    cond, params = visible(at)
    sql = (f"SELECT role_name FROM __mo_user_grants WHERE account_id = ? AND user_name = ? AND {cond} "  # noqa: S608
           "ORDER BY id")
    return [str(r[0]) for r in conn.execute(sql, (account_id, user, *params))]


def grant_role(tx: Tx, account_id: int, role: str, user: str) -> None:
    if role in user_roles(tx.conn, account_id, user):
        return
    tx.catalog_dirty = True
    tx.execute(
        "INSERT INTO __mo_user_grants(account_id, role_name, user_name, created_ts) VALUES (?,?,?,?)",
        (account_id, role, user, PENDING),
    )


def revoke_role(tx: Tx, account_id: int, role: str, user: str | None) -> None:
    """Take ``role`` from ``user`` (every user when None: the user or the role was dropped)."""
    tx.catalog_dirty = True
    sql = "UPDATE __mo_user_grants SET dropped_ts = ? WHERE account_id = ? AND role_name = ? AND dropped_ts IS NULL"
    args: tuple[object, ...] = (PENDING, account_id, role)
    if user is not None:
        sql += " AND user_name = ?"
        args = (*args, user)
    tx.execute(sql, args)


def drop_user_grants(tx: Tx, account_id: int, user: str) -> None:
    tx.catalog_dirty = True
    tx.execute(
        "UPDATE __mo_user_grants SET dropped_ts = ? WHERE account_id = ? AND user_name = ? AND dropped_ts IS NULL",
        (PENDING, account_id, user),
    )


def restore_roles(tx: Tx, src_account_id: int, at: int, dst_account_id: int, in_place: bool) -> None:
    """Make the target's roles, grants and memberships those of the source at ``at``.

    MatrixOne copies ``mo_role`` / ``mo_role_privs`` / ``mo_user_grant`` in every account restore.
    Into another account (``in_place`` False) that account keeps its own users (storage/restore.py),
    so a membership is copied only for a user name the target has.
    """
    cond, params = visible(at)
    tx.catalog_dirty = True
    for table in ROLE_TABLES:
        tx.execute(f"UPDATE {table} SET dropped_ts = ? WHERE account_id = ? AND dropped_ts IS NULL",  # noqa: S608
                   (PENDING, dst_account_id))
    args = (src_account_id, *params)
    tx.execute(
        "INSERT INTO __mo_roles(account_id, role_id, name, creator, comment, created_ts) "  # noqa: S608
        f"SELECT ?, role_id, name, creator, comment, ? FROM __mo_roles WHERE account_id = ? AND {cond} ORDER BY id",
        (dst_account_id, PENDING, *args),
    )
    tx.execute(
        "INSERT INTO __mo_role_privs(account_id, role_name, obj_type, db_name, tbl_name, privilege_id, "  # noqa: S608
        "privilege_level, with_grant_option, created_ts) SELECT ?, role_name, obj_type, db_name, tbl_name, "
        f"privilege_id, privilege_level, with_grant_option, ? FROM __mo_role_privs WHERE account_id = ? AND {cond} "
        "ORDER BY id",
        (dst_account_id, PENDING, *args),
    )
    tx.execute(
        "INSERT INTO __mo_role_grants(account_id, granted, grantee, with_grant_option, created_ts) "  # noqa: S608
        f"SELECT ?, granted, grantee, with_grant_option, ? FROM __mo_role_grants WHERE account_id = ? AND {cond} "
        "ORDER BY id",
        (dst_account_id, PENDING, *args),
    )
    keep = "" if in_place else (" AND user_name IN (SELECT name FROM __mo_users WHERE account_id = ? "
                                "AND (dropped_ts IS NULL))")
    extra: tuple[object, ...] = () if in_place else (dst_account_id,)
    tx.execute(
        "INSERT INTO __mo_user_grants(account_id, role_name, user_name, created_ts) "  # noqa: S608
        f"SELECT ?, role_name, user_name, ? FROM __mo_user_grants WHERE account_id = ? AND {cond}{keep} ORDER BY id",
        (dst_account_id, PENDING, *args, *extra),
    )


def role_grants(conn: sqlite3.Connection, account_id: int, at: int | None = None) -> list[tuple[str, str, bool]]:
    """``(granted, grantee, with_grant_option)`` of the account's role-to-role grants, oldest first."""
    cond, params = visible(at)
    sql = (f"SELECT granted, grantee, with_grant_option FROM __mo_role_grants WHERE account_id = ? AND {cond} "  # noqa: S608
           "ORDER BY id")
    return [(str(a), str(b), bool(w)) for a, b, w in conn.execute(sql, (account_id, *params))]


def grant_role_to_role(tx: Tx, account_id: int, granted: str, grantee: str, with_grant_option: bool) -> None:
    """Insert, or update the grant option of, ``granted`` -> ``grantee`` (MatrixOne's choices 2 and 3)."""
    for a, b, w in role_grants(tx.conn, account_id):
        if (a, b) == (granted, grantee):
            if w == with_grant_option:
                return
            revoke_role_from_role(tx, account_id, granted, grantee)
            break
    tx.catalog_dirty = True
    tx.execute(
        "INSERT INTO __mo_role_grants(account_id, granted, grantee, with_grant_option, created_ts) VALUES (?,?,?,?,?)",
        (account_id, granted, grantee, int(with_grant_option), PENDING),
    )


def revoke_role_from_role(tx: Tx, account_id: int, granted: str, grantee: str) -> None:
    tx.catalog_dirty = True
    tx.execute(
        "UPDATE __mo_role_grants SET dropped_ts = ? WHERE account_id = ? AND granted = ? AND grantee = ? "
        "AND dropped_ts IS NULL",
        (PENDING, account_id, granted, grantee),
    )


def held_by(storage: Storage, account_id: int, user: str) -> list[str]:
    """Roles granted to ``user`` now, on the storage's read connection (login with ``acc#user#role``)."""
    with storage._reader() as c:
        return user_roles(c, account_id, user)
