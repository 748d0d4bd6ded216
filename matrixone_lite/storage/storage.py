"""Storage: one SQLite file holding every account, the versioned catalog, user data and history.

Writers take logical locks on what they write (``storage/locks.py``) and SQLite's write lock (the
*physical* lock) only while a statement runs; commits happen under the physical lock, so commit
timestamps are strictly increasing in commit order.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from matrixone_lite import native
from matrixone_lite.errors import MOError, internal_error
from matrixone_lite.storage import catalog as cat
from matrixone_lite.storage import codec  # registers converters; the MO_DEC collation
from matrixone_lite.storage.catalog import (
    PENDING,
    AccountRow,
    DatabaseRow,
    TableRow,
    TableSchema,
    UserRow,
)
from matrixone_lite.storage.locks import EXCLUSIVE, INTENT, LockManager, PhysicalLock
from matrixone_lite.storage.physical import create_physical, ensure_indexes, qi, select_at, table_names
from matrixone_lite.storage.txn import (
    CLUSTER,
    TransactionsMixin,
    Tx,
    account_key,
    database_key,
    in_account,
    in_database,
    table_key,
)

DB_FILE = "matrixone_lite.db"
LOCK_TIMEOUT_S = 30.0
PHYSICAL_TIMEOUT_S = 600.0  # a writer waits this long for another's *running* statement
POOL_SIZE = 16  # idle session connections kept open
GC_TTL_NS = 3600 * 10**9
# 2: t_N(__mo_ts) and h_N(__mo_end, __mo_begin) full indexes; 3: tables created from now on store
# DECIMAL / BIGINT UNSIGNED as exact text (codec.py); older tables keep their REAL columns and read as before
PHYSICAL_VERSION = 3
SYSTEM_DATABASES = ("information_schema", "mo_catalog", "mysql", "system", "system_metrics")
SKIP_RESTORE_DATABASES = frozenset((*SYSTEM_DATABASES, "mo_task", "mo_debug"))

if TYPE_CHECKING:
    from matrixone_lite.storage.gc import GcRunner

DropListener = Callable[["Tx", str, int, "str | None", "str | None"], None]


def auth_string(password: str) -> str:
    """mysql_native_password stored hash: hex(SHA1(SHA1(password)))."""
    from hashlib import sha1

    return sha1(sha1(password.encode("utf-8")).digest()).hexdigest()


class Storage(TransactionsMixin):
    """The storage layer: connections, commit clock, catalog, restore primitives and GC."""

    def __init__(self, data_dir: str | Path, timezone: ZoneInfo) -> None:
        self.data_dir = Path(data_dir)
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.path = self.data_dir / DB_FILE
        self.timezone = timezone
        self.locks = LockManager()  # logical: what open transactions wrote
        self.physical = PhysicalLock()  # SQLite's write transaction, held while statements run
        self.lock_timeout = LOCK_TIMEOUT_S  # seconds a writer waits for another's logical lock (then 1205)
        self.physical_timeout = PHYSICAL_TIMEOUT_S
        self._setups: list[Callable[[sqlite3.Connection], None]] = []
        self._drop_listeners: list[DropListener] = []
        self._horizon_provider: Callable[[], int | None] | None = None
        self._pool: list[sqlite3.Connection] = []  # idle session connections (see lease)
        self._pool_lock = threading.Lock()
        self._closed = False
        self._sys = self.connect()
        self._read = self.connect()
        self._read_mutex = threading.Lock()
        for ddl in cat.CATALOG_DDL:
            self._sys.execute(ddl)
        row = self._sys.execute("SELECT value FROM __mo_meta WHERE key = 'clock'").fetchone()
        self._last_ts = int(row[0]) if row else 0
        row = self._sys.execute("SELECT value FROM __mo_meta WHERE key = 'gc_horizon'").fetchone()
        self.gc_horizon = int(row[0]) if row else 0  # instants before it may have lost history
        self.gc_ttl_ns = GC_TTL_NS  # plain reads keep working this long (MatrixOne's GC TTL)
        self.gc_runner: GcRunner | None = None
        self.catalog_version = 0
        self._migrate()

    def _migrate(self) -> None:
        """Bring physical tables written by an older version up to ``PHYSICAL_VERSION``."""
        row = self._sys.execute("SELECT value FROM __mo_meta WHERE key = 'physical_version'").fetchone()
        if row is not None and int(row[0]) >= PHYSICAL_VERSION:
            return
        self._sys.execute("BEGIN IMMEDIATE")  # in __init__: nobody else has the file yet
        try:
            live = {r[0] for r in self._sys.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            for (tid,) in self._sys.execute("SELECT id FROM __mo_tables").fetchall():
                if all(n in live for n in table_names(tid)):
                    ensure_indexes(self._sys, tid)
            self._sys.execute(
                "INSERT OR REPLACE INTO __mo_meta(key, value) VALUES ('physical_version', ?)",
                (str(PHYSICAL_VERSION),),
            )
            self._sys.execute("COMMIT")
        except BaseException:
            self._rollback_conn(self._sys)
            raise

    # ---- connections -------------------------------------------------------------------------
    def connect(self) -> sqlite3.Connection:
        """A new connection with WAL, synchronous=FULL, converters and the engine's functions."""
        native.load()  # before connecting: the native functions' entry point reaches new connections only
        conn = sqlite3.connect(
            str(self.path),
            detect_types=sqlite3.PARSE_DECLTYPES,
            isolation_level=None,
            check_same_thread=False,
            timeout=LOCK_TIMEOUT_S,
        )
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=FULL")
        conn.execute("PRAGMA foreign_keys=OFF")
        conn.execute("PRAGMA recursive_triggers=ON")  # REPLACE's implicit deletes keep history
        codec.register_connection(conn)  # exact-number columns declare COLLATE MO_DEC
        tz = self.timezone
        conn.create_function("mo_now", 0, lambda: datetime.now(tz).strftime("%Y-%m-%d %H:%M:%S"))
        for fn in self._setups:
            fn(conn)
        return conn

    def lease(self) -> sqlite3.Connection:
        """A connection for a session: a pooled one when available.

        Opening is cheap but the first statement on a new connection parses the whole schema
        (every ``t_N``/``h_N`` with indexes and triggers: ~70 ms with 1,000 tables); a pooled
        connection keeps its parsed schema while no DDL ran.
        """
        with self._pool_lock:
            if self._pool:
                return self._pool.pop()
        return self.connect()

    def give_back(self, conn: sqlite3.Connection) -> None:
        """Return a leased connection (its open transaction, if any, is rolled back)."""
        self._rollback_conn(conn)
        with self._pool_lock:
            if not self._closed and len(self._pool) < POOL_SIZE:
                self._pool.append(conn)
                return
        conn.close()

    def drop_pool(self) -> None:
        """Close the idle pooled connections (``Engine.drop_caches``: the next lease parses the schema again)."""
        with self._pool_lock:
            pooled, self._pool = self._pool, []
        for c in pooled:
            c.close()

    def add_connection_setup(self, fn: Callable[[sqlite3.Connection], None]) -> None:
        """Run ``fn`` on every connection (the SQL layer registers its functions this way)."""
        self._setups.append(fn)
        fn(self._sys)
        fn(self._read)

    def close(self) -> None:
        if self.gc_runner is not None:
            self.gc_runner.stop()
            self.gc_runner = None
        with self._pool_lock:
            self._closed = True
            pooled, self._pool = self._pool, []
        for c in (self._sys, self._read, *pooled):
            try:
                c.close()
            except sqlite3.Error:
                pass

    # ---- clock and transactions ----------------------------------------------------------------
    def now_ns(self) -> int:
        return time.time_ns()

    def _next_ts(self) -> int:
        ts = max(time.time_ns(), self._last_ts + 1)
        self._last_ts = ts
        return ts

    # ---- catalog reads -------------------------------------------------------------------------
    @contextmanager
    def _reader(self) -> Iterator[sqlite3.Connection]:
        with self._read_mutex:
            yield self._read

    def account(self, name: str, at: int | None = None) -> AccountRow | None:
        with self._reader() as c:
            rows = cat.get_accounts(c, name, at)
        return rows[-1] if rows else None

    def accounts(self, at: int | None = None) -> list[AccountRow]:
        with self._reader() as c:
            return cat.get_accounts(c, None, at)

    def database(self, account_id: int, name: str, at: int | None = None) -> DatabaseRow | None:
        with self._reader() as c:
            rows = cat.get_databases(c, account_id, name, at)
        return rows[-1] if rows else None

    def databases(self, account_id: int, at: int | None = None) -> list[DatabaseRow]:
        with self._reader() as c:
            return cat.get_databases(c, account_id, None, at)

    def table(self, database_id: int, name: str, at: int | None = None) -> TableRow | None:
        with self._reader() as c:
            rows = cat.get_tables(c, database_id, name, at)
        return rows[-1] if rows else None

    def tables(self, database_id: int, at: int | None = None) -> list[TableRow]:
        with self._reader() as c:
            return cat.get_tables(c, database_id, None, at)

    def users(self, account_id: int, at: int | None = None) -> list[UserRow]:
        with self._reader() as c:
            return cat.get_users(c, account_id, None, at)

    def user(self, account_id: int, name: str) -> UserRow | None:
        with self._reader() as c:
            rows = cat.get_users(c, account_id, name)
        return rows[-1] if rows else None

    # ---- catalog writes (inside a Tx) ---------------------------------------------------------
    def _insert_account(self, tx: Tx, name: str, account_id: int | None = None) -> AccountRow:
        tx.catalog_dirty = True
        cur = tx.execute(
            "INSERT INTO __mo_accounts(id, name, created_ts, dropped_ts) VALUES (?, ?, ?, NULL)",
            (account_id, name.lower(), PENDING),
        )
        return AccountRow(int(cur.lastrowid or 0), name.lower(), PENDING, None)

    def add_user(self, tx: Tx, account_id: int, name: str, password: str, default_role: str) -> None:
        tx.catalog_dirty = True
        tx.execute(
            "INSERT INTO __mo_users(account_id, name, auth_string, default_role, created_ts) VALUES (?,?,?,?,?)",
            (account_id, name, auth_string(password), default_role, PENDING),
        )

    def drop_user(self, tx: Tx, account_id: int, name: str) -> None:
        """Stamp the user dropped; its row stays so an account restore to an earlier instant brings it back."""
        tx.catalog_dirty = True
        tx.execute(
            "UPDATE __mo_users SET dropped_ts = ? WHERE account_id = ? AND name = ? AND dropped_ts IS NULL",
            (PENDING, account_id, name),
        )

    def bootstrap(self, root_password: str) -> None:
        """Create the sys account (id 0) with users root and dump on a fresh file."""
        if self.accounts():
            return
        with self.transaction() as tx:
            self._insert_account(tx, "sys", 0)
            self.add_user(tx, 0, "root", root_password, "moadmin")
            self.add_user(tx, 0, "dump", root_password, "moadmin")

    def create_account(self, tx: Tx, name: str, admin_name: str, admin_password: str) -> AccountRow:
        tx.lock([(CLUSTER, INTENT)])
        if cat.get_accounts(tx.conn, name):
            raise internal_error(f"the tenant {name} exists")
        row = self._insert_account(tx, name)
        self.add_user(tx, row.id, admin_name, admin_password, "accountadmin")
        return row

    def drop_account(self, tx: Tx, name: str) -> None:
        rows = cat.get_accounts(tx.conn, name)
        if not rows:
            raise internal_error(f"there is no account {name}")
        acc = rows[-1]
        if acc.id == 0:
            raise internal_error("can not delete the account sys")
        tx.lock([(CLUSTER, INTENT), (account_key(acc.id), EXCLUSIVE)])
        for db in cat.get_databases(tx.conn, acc.id):
            self.drop_database(tx, db, notify=False)
        tx.catalog_dirty = True
        tx.execute("UPDATE __mo_users SET dropped_ts = -1 WHERE account_id = ? AND dropped_ts IS NULL", (acc.id,))
        tx.execute("UPDATE __mo_accounts SET dropped_ts = -1 WHERE id = ?", (acc.id,))
        self._notify(tx, "account", acc.id, None, None)

    def create_database(self, tx: Tx, account_id: int, name: str) -> DatabaseRow:
        tx.lock(in_account(account_id))
        tx.catalog_dirty = True
        cur = tx.execute(
            "INSERT INTO __mo_databases(account_id, name, created_ts) VALUES (?, ?, -1)", (account_id, name)
        )
        return DatabaseRow(int(cur.lastrowid or 0), account_id, name, PENDING, None)

    def drop_database(self, tx: Tx, db: DatabaseRow, notify: bool = True) -> None:
        tx.lock([*in_account(db.account_id), (database_key(db.id), EXCLUSIVE)])
        tx.catalog_dirty = True
        tx.execute("UPDATE __mo_tables SET dropped_ts = -1 WHERE database_id = ? AND dropped_ts IS NULL", (db.id,))
        tx.execute("UPDATE __mo_views SET dropped_ts = -1 WHERE database_id = ? AND dropped_ts IS NULL", (db.id,))
        tx.execute("UPDATE __mo_databases SET dropped_ts = -1 WHERE id = ?", (db.id,))
        if notify:
            self._notify(tx, "database", db.account_id, db.name, None)

    def create_table(self, tx: Tx, database_id: int, name: str, schema: TableSchema, ddl: str) -> TableRow:
        row = tx.conn.execute("SELECT account_id FROM __mo_databases WHERE id = ?", (database_id,)).fetchone()
        if row is not None:
            tx.lock(in_database(int(row[0]), database_id))
        tx.catalog_dirty = True
        cj = schema.to_json()
        cur = tx.execute(
            "INSERT INTO __mo_tables(database_id, name, columns_json, ddl, auto_increment_col, created_ts) "
            "VALUES (?, ?, ?, ?, ?, -1)",
            (database_id, name, cj, ddl, schema.auto_increment_col),
        )
        tid = int(cur.lastrowid or 0)
        create_physical(tx.conn, tid, schema)
        tx.touch(tid)
        return TableRow(tid, database_id, name, cj, ddl, schema.auto_increment_col, PENDING, None, schema)

    def drop_table(self, tx: Tx, table: TableRow, account_id: int, db_name: str, notify: bool = True) -> None:
        tx.lock([*in_database(account_id, table.database_id), (table_key(table.id), EXCLUSIVE)])
        tx.catalog_dirty = True
        tx.execute("UPDATE __mo_tables SET dropped_ts = -1 WHERE id = ?", (table.id,))
        if notify:
            self._notify(tx, "table", account_id, db_name, table.name)

    def copy_table_at(self, tx: Tx, src: TableRow, at: int, dst_database_id: int) -> TableRow:
        """Create a new table in ``dst_database_id`` holding ``src``'s rows as of ``at``."""
        new = self.create_table(tx, dst_database_id, src.name, src.schema, src.ddl)
        names = ", ".join(qi(c.name) for c in src.schema.columns)
        t_new, _ = table_names(new.id)
        tx.execute(f"INSERT INTO {t_new} ({names}) {select_at(src.id, src.schema, at)}")  # noqa: S608
        return new

    # ---- listeners, system tables --------------------------------------------------------------
    def add_drop_listener(self, fn: DropListener) -> None:
        self._drop_listeners.append(fn)

    def _notify(self, tx: Tx, kind: str, account_id: int, database: str | None, table: str | None) -> None:
        for fn in self._drop_listeners:
            fn(tx, kind, account_id, database, table)

    def register_schema(self, ddl: list[str]) -> None:
        """Create the mo/ layer's own (unversioned) system tables."""
        tx = Tx(self, self._sys)
        self.physical.acquire(tx, self.physical_timeout)
        try:
            for stmt in ddl:
                self._sys.execute(stmt)
        finally:
            self.physical.release(tx)

    def execute_system(self, tx_or_none: Tx | None, sql: str, params: tuple[Any, ...] | list[Any] = ()) -> list[tuple]:
        """Run SQL on system tables: inside ``tx`` or, without one, as its own statement."""
        if tx_or_none is not None:
            return tx_or_none.execute(sql, params).fetchall()
        if sql.lstrip()[:6].upper().startswith(("SELECT", "WITH", "PRAGMA")):
            with self._reader() as c:
                return c.execute(sql, params).fetchall()
        with self.transaction() as tx:
            return tx.execute(sql, params).fetchall()

    # ---- restore primitives -------------------------------------------------------------------
    def restore_table(
        self, tx: Tx, *, src_account_id: int, database: str, table: str, at: int, dst_account_id: int,
        refuse_fk_parent: bool = False,
    ) -> None:
        from matrixone_lite.storage.restore import restore_table

        restore_table(self, tx, src_account_id, database, table, at, dst_account_id, refuse_fk_parent)

    def restore_database(self, tx: Tx, *, src_account_id: int, database: str, at: int, dst_account_id: int) -> None:
        from matrixone_lite.storage.restore import restore_database

        restore_database(self, tx, src_account_id, database, at, dst_account_id)

    def restore_account(self, tx: Tx, *, src_account_id: int, at: int, dst_account_id: int) -> None:
        from matrixone_lite.storage.restore import restore_account

        restore_account(self, tx, src_account_id, at, dst_account_id)

    def restore_cluster(self, tx: Tx, *, at: int) -> None:
        from matrixone_lite.storage.restore import restore_cluster

        restore_cluster(self, tx, at)

    # ---- GC ------------------------------------------------------------------------------------
    def set_gc_horizon_provider(self, fn: Callable[[], int | None]) -> None:
        self._horizon_provider = fn

    def gc(self, now_ns: int | None = None) -> dict[str, Any]:
        from matrixone_lite.storage.gc import collect

        return collect(self, now_ns)

    def start_gc(self, interval: float) -> None:
        """Collect every ``interval`` seconds on a background thread (0: never, requests ignored)."""
        from matrixone_lite.storage.gc import GcRunner

        if interval > 0 and self.gc_runner is None:
            self.gc_runner = GcRunner(self, interval).start()

    def request_gc(self) -> None:
        """Ask the background collector to run now (a PITR or snapshot stopped protecting history)."""
        if self.gc_runner is not None:
            self.gc_runner.request()

    def check_readable(self, at: int) -> None:
        """Fail, like MatrixOne, when ``at`` is older than what GC has kept."""
        if at < self.gc_horizon:
            raise internal_error("No valid checkpoints for snapshot read,maybe snapshot is too old")

    def horizon(self, now_ns: int | None = None) -> int:
        """Oldest instant anything may still read: min(PITR/snapshot horizon, now - GC TTL)."""
        h = (now_ns if now_ns is not None else self.now_ns()) - self.gc_ttl_ns
        if self._horizon_provider is not None:
            p = self._horizon_provider()
            if p is not None:
                h = min(h, int(p))
        return h


__all__ = ["Storage", "Tx", "MOError", "SYSTEM_DATABASES", "SKIP_RESTORE_DATABASES", "auth_string"]
