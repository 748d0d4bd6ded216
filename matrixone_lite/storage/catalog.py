"""Catalog rows and the versioned-catalog queries (``created_ts`` / ``dropped_ts``).

A row is visible *now* when ``dropped_ts IS NULL``; at instant ``T`` when it was created at or before
``T`` and not dropped at or before ``T``. ``PENDING`` (-1) marks a timestamp written by a transaction
that has not committed yet; commit replaces it with the commit timestamp.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import asdict, dataclass, field
from typing import Any

PENDING = -1

CATALOG_DDL = [
    """CREATE TABLE IF NOT EXISTS __mo_meta(key TEXT PRIMARY KEY, value TEXT)""",
    """CREATE TABLE IF NOT EXISTS __mo_accounts(id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL,
        created_ts INTEGER, dropped_ts INTEGER, comment TEXT)""",
    """CREATE TABLE IF NOT EXISTS __mo_users(id INTEGER PRIMARY KEY AUTOINCREMENT, account_id INTEGER NOT NULL,
        name TEXT NOT NULL, auth_string TEXT NOT NULL, default_role TEXT NOT NULL,
        created_ts INTEGER, dropped_ts INTEGER)""",
    """CREATE TABLE IF NOT EXISTS __mo_databases(id INTEGER PRIMARY KEY AUTOINCREMENT,
        account_id INTEGER NOT NULL, name TEXT NOT NULL, created_ts INTEGER, dropped_ts INTEGER)""",
    """CREATE TABLE IF NOT EXISTS __mo_tables(id INTEGER PRIMARY KEY AUTOINCREMENT,
        database_id INTEGER NOT NULL, name TEXT NOT NULL, columns_json TEXT NOT NULL, ddl TEXT NOT NULL,
        auto_increment_col TEXT, created_ts INTEGER, dropped_ts INTEGER)""",
    # views (storage/views.py): the CREATE VIEW text, versioned like tables so time travel and restores see them
    """CREATE TABLE IF NOT EXISTS __mo_views(id INTEGER PRIMARY KEY AUTOINCREMENT,
        database_id INTEGER NOT NULL, name TEXT NOT NULL, create_sql TEXT NOT NULL, default_db TEXT,
        created_ts INTEGER, dropped_ts INTEGER)""",
    "CREATE INDEX IF NOT EXISTS __mo_views_db ON __mo_views(database_id, name)",
    "CREATE INDEX IF NOT EXISTS __mo_accounts_name ON __mo_accounts(name)",
    "CREATE INDEX IF NOT EXISTS __mo_users_acc ON __mo_users(account_id, name)",
    "CREATE INDEX IF NOT EXISTS __mo_databases_acc ON __mo_databases(account_id, name)",
    "CREATE INDEX IF NOT EXISTS __mo_tables_db ON __mo_tables(database_id, name)",
]

CATALOG_TABLES: tuple[str, ...] = ("__mo_accounts", "__mo_users", "__mo_databases", "__mo_tables", "__mo_views")


@dataclass
class ColumnDef:
    """One user column as declared in MySQL terms (what SHOW COLUMNS / DESCRIBE print)."""

    name: str
    type: str  # MySQL base type name, upper case: INT, DECIMAL, VARCHAR, TIMESTAMP ...
    type_text: str  # as declared, lower case: int, decimal(10,2), varchar(100)
    scale: int | None = None
    nullable: bool = True
    default: str | None = None  # MySQL default expression text, e.g. "CURRENT_TIMESTAMP" or "'x'"
    auto_increment: bool = False


@dataclass
class TableSchema:
    """Columns and keys of a user table; serialised into ``__mo_tables.columns_json``."""

    columns: list[ColumnDef]
    primary_key: list[str] = field(default_factory=list)
    unique: list[list[str]] = field(default_factory=list)
    # named secondary indexes: {"name": str, "columns": [str], "unique": bool}
    indexes: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self) -> str:
        return json.dumps(
            {
                "columns": [asdict(c) for c in self.columns],
                "primary_key": self.primary_key,
                "unique": self.unique,
                "indexes": self.indexes,
            }
        )

    @classmethod
    def from_json(cls, text: str) -> TableSchema:
        d = json.loads(text)
        return cls(
            [ColumnDef(**c) for c in d["columns"]], d.get("primary_key", []), d.get("unique", []), d.get("indexes", [])
        )

    def column(self, name: str) -> ColumnDef | None:
        low = name.lower()
        for c in self.columns:
            if c.name.lower() == low:
                return c
        return None

    @property
    def auto_increment_col(self) -> str | None:
        for c in self.columns:
            if c.auto_increment:
                return c.name
        return None


@dataclass
class AccountRow:
    id: int
    name: str
    created_ts: int
    dropped_ts: int | None
    comment: str | None = None


@dataclass
class UserRow:
    id: int
    account_id: int
    name: str
    auth_string: str
    default_role: str
    created_ts: int
    dropped_ts: int | None


@dataclass
class DatabaseRow:
    id: int
    account_id: int
    name: str
    created_ts: int
    dropped_ts: int | None


@dataclass
class TableRow:
    id: int
    database_id: int
    name: str
    columns_json: str
    ddl: str
    auto_increment_col: str | None
    created_ts: int
    dropped_ts: int | None
    _schema: TableSchema | None = field(default=None, repr=False, compare=False)

    @property
    def schema(self) -> TableSchema:
        if self._schema is None:
            self._schema = TableSchema.from_json(self.columns_json)
        return self._schema


def visible(at: int | None) -> tuple[str, tuple[Any, ...]]:
    """WHERE fragment selecting catalog rows alive now (``at`` None) or at instant ``at``."""
    if at is None:
        return "dropped_ts IS NULL", ()
    return (
        "created_ts >= 0 AND created_ts <= ? AND (dropped_ts IS NULL OR dropped_ts = -1 OR dropped_ts > ?)",
        (at, at),
    )


_ACC = "id, name, created_ts, dropped_ts, comment"
_USR = "id, account_id, name, auth_string, default_role, created_ts, dropped_ts"
_DB = "id, account_id, name, created_ts, dropped_ts"
_TB = "id, database_id, name, columns_json, ddl, auto_increment_col, created_ts, dropped_ts"


def get_accounts(conn: sqlite3.Connection, name: str | None = None, at: int | None = None) -> list[AccountRow]:
    cond, params = visible(at)
    sql = f"SELECT {_ACC} FROM __mo_accounts WHERE {cond}"  # noqa: S608 - fixed fragments
    if name is not None:
        sql += " AND name = ?"
        params = (*params, name.lower())  # account names are case-insensitive, stored lower-case
    return [AccountRow(*r) for r in conn.execute(sql + " ORDER BY id", params)]


def get_account_by_id(conn: sqlite3.Connection, account_id: int) -> AccountRow | None:
    r = conn.execute(f"SELECT {_ACC} FROM __mo_accounts WHERE id = ?", (account_id,)).fetchone()  # noqa: S608
    return AccountRow(*r) if r else None


def get_users(
    conn: sqlite3.Connection, account_id: int, name: str | None = None, at: int | None = None
) -> list[UserRow]:
    cond, params = visible(at)
    sql = f"SELECT {_USR} FROM __mo_users WHERE account_id = ? AND {cond}"  # noqa: S608
    params = (account_id, *params)
    if name is not None:
        sql += " AND name = ?"
        params = (*params, name)
    return [UserRow(*r) for r in conn.execute(sql + " ORDER BY id", params)]


def get_databases(
    conn: sqlite3.Connection, account_id: int, name: str | None = None, at: int | None = None
) -> list[DatabaseRow]:
    cond, params = visible(at)
    sql = f"SELECT {_DB} FROM __mo_databases WHERE account_id = ? AND {cond}"  # noqa: S608
    params = (account_id, *params)
    if name is not None:
        sql += " AND name = ?"
        params = (*params, name)
    return [DatabaseRow(*r) for r in conn.execute(sql + " ORDER BY name", params)]


def get_tables(
    conn: sqlite3.Connection, database_id: int, name: str | None = None, at: int | None = None
) -> list[TableRow]:
    cond, params = visible(at)
    sql = f"SELECT {_TB} FROM __mo_tables WHERE database_id = ? AND {cond}"  # noqa: S608
    params = (database_id, *params)
    if name is not None:
        sql += " AND name = ?"
        params = (*params, name)
    return [TableRow(*r) for r in conn.execute(sql + " ORDER BY name", params)]


def table_ids(conn: sqlite3.Connection, database_id: int, at: int | None = None) -> dict[str, int]:
    """Name -> id of the database's tables (now or at ``at``), without loading their schemas."""
    cond, params = visible(at)
    sql = f"SELECT name, id FROM __mo_tables WHERE database_id = ? AND {cond} ORDER BY name, id"  # noqa: S608
    return {name: tid for name, tid in conn.execute(sql, (database_id, *params))}


def get_table_by_id(conn: sqlite3.Connection, table_id: int) -> TableRow | None:
    r = conn.execute(f"SELECT {_TB} FROM __mo_tables WHERE id = ?", (table_id,)).fetchone()  # noqa: S608
    return TableRow(*r) if r else None


# roles, privileges, memberships (storage/roles.py); imported last: roles.py uses PENDING and visible
from matrixone_lite.storage.roles import ROLE_DDL, ROLE_TABLES  # noqa: E402

CATALOG_DDL += ROLE_DDL
CATALOG_TABLES += ROLE_TABLES
