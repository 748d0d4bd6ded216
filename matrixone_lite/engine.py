"""Engine and EngineSession: accounts, users, sessions, transactions and statement execution.

The wire layer authenticates through :meth:`Engine.lookup_user`, opens an :class:`EngineSession`
per connection and hands it one statement at a time (from worker threads; one SQLite connection
per session). Transactions, locks and replay: ``matrixone_lite/transactions.py``.
"""

from __future__ import annotations

import re
import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError, TokenError

from matrixone_lite.errors import (
    MOError,
    bad_field,
    column_not_null,
    database_exists,
    duplicate_entry,
    internal_error,
    invalid_argument,
    invalid_input,
    no_database_selected,
    no_such_table,
    not_supported,
    syntax_error,
    table_exists,
    table_not_exist,
    unknown_database,
)
from matrixone_lite.mo.privilege_check import check as check_privileges
from matrixone_lite.mo.privileges import ADMIN_ROLES
from matrixone_lite.mo.privileges import statement as role_statement
from matrixone_lite.sql import foreign_keys, functions, indexes, sequences, sqlite_errors, views
from matrixone_lite.sql.bulk_insert import BULK_MIN_CHARS, run_bulk_insert
from matrixone_lite.sql.ddl import (
    alter_schema,
    schema_from_columns,
    schema_from_create,
    show_create,
    with_index,
    without_index,
)
from matrixone_lite.sql.decimal import take_error as take_exact_error
from matrixone_lite.sql.fastcount import CountBranch, parse_count_union
from matrixone_lite.sql.hints import Hint, extract_hints
from matrixone_lite.sql.params import shape
from matrixone_lite.sql.show import (
    COLUMNS_COLUMNS,
    DESCRIBE_COLUMNS,
    IDENT,
    SCHEMATA_COLUMNS,
    TABLES_COLUMNS,
    column_key,
    describe_rows,
    like_to_regex,
    unquote_ident,
    values_select,
)
from matrixone_lite.sql.surface import is_statement
from matrixone_lite.sql.translate import (
    Context,
    Resolved,
    Translated,
    alias_projections,
    parse_error,
    translate,
)
from matrixone_lite.storage import catalog as cat
from matrixone_lite.storage.catalog import ColumnDef, DatabaseRow, TableRow, TableSchema
from matrixone_lite.storage.codec import to_date, to_datetime, to_decimal
from matrixone_lite.storage.physical import count_sql, qi, table_names
from matrixone_lite.storage.roles import held_by
from matrixone_lite.storage.sequences import set_restore_sequences
from matrixone_lite.storage.storage import GC_TTL_NS, SYSTEM_DATABASES, Storage, Tx
from matrixone_lite.transactions import SessionTransactions

SYS_ONLY_DATABASES = ("mo_debug", "mo_task")  # MatrixOne shows these to the sys account only


@dataclass
class Column:
    """A result-set column; ``type`` is a MySQL type name."""

    name: str
    type: str
    scale: int | None = None


@dataclass
class Result:
    columns: list[Column] | None = None  # None -> OK packet
    rows: list[tuple[Any, ...]] = field(default_factory=list)
    affected_rows: int = 0
    last_insert_id: int = 0


@dataclass
class UserInfo:
    account: str
    account_id: int
    name: str
    auth_string: str
    default_role: str


def _version_tuple(v: str) -> tuple[int, int, int]:
    nums = [int(x) for x in re.findall(r"\d+", v)[:3]]
    while len(nums) < 3:
        nums.append(0)
    return (nums[0], nums[1], nums[2])


class Engine:
    """The SQL engine over one :class:`Storage`."""

    def __init__(
        self, data_dir: str | Path, *, timezone: str, version: str = "4.2.0", root_password: str = "111"
    ) -> None:
        self.timezone = ZoneInfo(timezone)
        self.version = version
        self.version_tuple = _version_tuple(version)
        self.storage = Storage(data_dir, self.timezone)
        self.storage.bootstrap(root_password)
        set_restore_sequences(self.storage, self.version_tuple > (4, 2, 0))  # MatrixOne #27401 (#27049)
        self.snapshot_resolver: Callable[[int, str, str | None, str | None], int | None] | None = None
        # (account_id, table, at) -> a SELECT over mo/'s tables for ``mo_catalog.<table>`` (None: unknown)
        self.system_table_resolver: Callable[[int, str, int | None], str | None] | None = None
        self._sessions: set[EngineSession] = set()
        self._lock = threading.Lock()
        # row-count plans shared by all sessions (a sensor opens a new connection per poke);
        # key: (statement, account id, database, catalog version, session has pending writes)
        self.count_plans: dict[tuple[str, int, str | None, int, bool], _CountPlan] = {}

    def lookup_user(self, account: str, user: str) -> UserInfo | None:
        acc = self.storage.account(account)
        if acc is None:
            return None
        u = self.storage.user(acc.id, user)
        if u is None:
            return None
        return UserInfo(acc.name, acc.id, u.name, u.auth_string, u.default_role)

    def session(self, account: str, user: str, role: str | None = None) -> EngineSession:
        acc = self.storage.account(account)
        if acc is None:
            raise internal_error(f"there is no account {account}")
        info = self.lookup_user(account, user)
        default = info.default_role if info else "public"
        # a role named in the login string counts only if the user has it (default, public, granted):
        # `acc#u1#accountadmin` must not make a CREATE USER'd public user an admin
        if role is not None and role not in ("public", default) and role not in held_by(self.storage, acc.id, user):
            role = "public"
        s = EngineSession(self, acc.name, acc.id, user, role or default)
        with self._lock:
            self._sessions.add(s)
        return s

    def _forget(self, s: EngineSession) -> None:
        with self._lock:
            self._sessions.discard(s)

    def close(self) -> None:
        with self._lock:
            sessions = list(self._sessions)
        for s in sessions:
            s.close()
        self.storage.close()


_ID = IDENT
_QNAME = rf"(?P<q1>{_ID})(?:\s*\.\s*(?P<q2>{_ID}))?"
RE_BEGIN = re.compile(r"^(?:BEGIN(?:\s+WORK)?|START\s+TRANSACTION(?:\s+.*)?)$", re.I | re.S)
RE_COMMIT = re.compile(r"^COMMIT(?:\s+WORK)?$", re.I)
RE_ROLLBACK = re.compile(r"^ROLLBACK(?:\s+WORK)?$", re.I)
RE_AUTOCOMMIT = re.compile(r"^SET\s+(?:@@(?:session\.)?|SESSION\s+)?autocommit\s*=\s*(\S+)$", re.I)
RE_SET_TZ = re.compile(r"^SET\s+(?:@@(?:session\.)?|SESSION\s+)?time_zone\s*=\s*(\S+)$", re.I)
RE_SET_NAMES = re.compile(r"^SET\s+(?:NAMES|CHARACTER\s+SET|CHARSET)\b", re.I)
RE_USE = re.compile(rf"^USE\s+(?P<db>{_ID})$", re.I)
RE_CREATE_DB = re.compile(
    rf"^CREATE\s+(?:DATABASE|SCHEMA)\s+(?P<ine>IF\s+NOT\s+EXISTS\s+)?(?P<db>{_ID})(?:\s+.*)?$", re.I | re.S
)
RE_DROP_DB = re.compile(rf"^DROP\s+(?:DATABASE|SCHEMA)\s+(?P<ie>IF\s+EXISTS\s+)?(?P<db>{_ID})$", re.I)
RE_DROP_TABLE = re.compile(r"^DROP\s+TABLE\s+(?P<ie>IF\s+EXISTS\s+)?(?P<names>.+)$", re.I | re.S)
RE_TRUNCATE = re.compile(rf"^TRUNCATE\s+(?:TABLE\s+)?{_QNAME}$", re.I)
RE_SHOW_DBS = re.compile(r"^SHOW\s+(?:DATABASES|SCHEMAS)(?:\s+LIKE\s+'(?P<like>(?:[^']|'')*)')?$", re.I)
RE_SHOW_TABLES = re.compile(
    rf"^SHOW\s+(?P<full>FULL\s+)?TABLES(?:\s+(?:FROM|IN)\s+(?P<db>{_ID}))?"
    r"(?:\s+LIKE\s+'(?P<like>(?:[^']|'')*)')?$",
    re.I,
)
RE_SHOW_CREATE_TABLE = re.compile(rf"^SHOW\s+CREATE\s+TABLE\s+{_QNAME}$", re.I)
RE_SHOW_CREATE_DB = re.compile(rf"^SHOW\s+CREATE\s+(?:DATABASE|SCHEMA)\s+(?P<db>{_ID})$", re.I)
RE_SHOW_COLUMNS = re.compile(
    rf"^SHOW\s+(?:FULL\s+)?(?:COLUMNS|FIELDS)\s+(?:FROM|IN)\s+{_QNAME}(?:\s+(?:FROM|IN)\s+(?P<db>{_ID}))?$", re.I
)
RE_DESCRIBE = re.compile(rf"^(?:DESCRIBE|DESC|EXPLAIN)\s+{_QNAME}$", re.I)
RE_DATETIME = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})[ T](\d{1,2}):(\d{1,2}):(\d{1,2})(?:\.(\d{1,9}))?\s*$")
RE_DEBUG_TS = re.compile(r"^(\d+)-(\d+)$")
INFO_SCHEMA = "information_schema"
CACHE_SIZE = 512
_DML_HEADS = ("INSERT", "UPDATE", "DELETE", "REPLACE")
_DDL_HEADS = ("CREATE", "DROP", "ALTER", "TRUNCATE")
_WRITE_HEADS = _DML_HEADS + _DDL_HEADS
COUNT_PLAN_CACHE = 256  # cached row-count plans (their keys are whole statements)
FAST_COUNT_CHUNK = 500  # scalar subqueries per SQLite statement (SQLite allows 2,000 columns)


def _decimal_conv(scale: int) -> Callable[[Any], Any]:
    return lambda v: v if v is None or isinstance(v, Decimal) else to_decimal(v, scale)


def _parse_datetime(s: str) -> datetime | None:
    m = RE_DATETIME.match(s)
    if not m:
        return None
    y, mo, d, h, mi, se, frac = m.groups()
    us = int((frac or "0").ljust(6, "0")[:6])
    try:
        return datetime(int(y), int(mo), int(d), int(h), int(mi), int(se), us)
    except ValueError:
        return None


def _ns(dt: datetime) -> int:
    return int(dt.timestamp()) * 10**9 + dt.microsecond * 1000


def _qname(m: re.Match[str]) -> tuple[str | None, str]:
    q1, q2 = m.group("q1"), m.group("q2")
    if q2 is None:
        return None, unquote_ident(q1).lower()
    return unquote_ident(q1).lower(), unquote_ident(q2).lower()


@dataclass
class _CountPlan:
    """A row-count statement resolved to SQLite (see ``EngineSession._fast_count``)."""

    branches: list[CountBranch]
    chunks: list[str]
    instants: list[int]
    cacheable: bool


class EngineSession(SessionTransactions):
    """One client session: current database, transaction state, its own SQLite connection."""

    def __init__(self, engine: Engine, account: str, account_id: int, user: str, role: str) -> None:
        self.engine = engine
        self.storage: Storage = engine.storage
        self.account = account
        self.account_id = account_id
        self.user = user
        self.role = role
        self.database: str | None = None
        self.autocommit = True
        self.time_zone = "SYSTEM"
        self._tx: Tx | None = None
        self._explicit = False
        self._implicit = False
        self._prelocked = False  # the statement running took the write lock itself (see _under_write_lock)
        self._pinned_now: datetime | None = None  # NOW() of the DML running or being replayed
        self._pinning = False
        self._mutex = threading.RLock()
        self.last_insert_id = 0
        self.foreign_key_checks = True  # SET foreign_key_checks (sql/foreign_keys.py)
        self._cache: dict[tuple[str, str | None, int], Translated] = {}
        self.conn = self.storage.lease()
        functions.register(self.conn, self._now, self._zone)
        self.conn.create_function("last_insert_id", 0, lambda: self.last_insert_id)
        self._closed = False

    # ---- state ---------------------------------------------------------------------------------
    @property
    def _system_dbs(self) -> tuple[str, ...]:
        return SYSTEM_DATABASES + SYS_ONLY_DATABASES if self.account_id == 0 else SYSTEM_DATABASES

    def _zone(self) -> tzinfo:
        """The session's ``time_zone`` ('SYSTEM', a zone name or '+HH:MM') as a tzinfo."""
        tz = (self.time_zone or "").strip().strip("'\"")
        if not tz or tz.upper() == "SYSTEM":
            return self.engine.timezone
        m = re.match(r"^([+-])(\d{1,2}):(\d{2})$", tz)
        if m:
            delta = timedelta(hours=int(m.group(2)), minutes=int(m.group(3)))
            return timezone(-delta if m.group(1) == "-" else delta)
        try:
            return ZoneInfo(tz)
        except Exception:  # noqa: BLE001 - unknown zone: fall back to the server's
            return self.engine.timezone

    def _now(self) -> datetime:
        if self._pinned_now is not None:
            return self._pinned_now
        now = datetime.now(self._zone()).replace(tzinfo=None)
        if self._pinning:  # a logged DML statement: NOW() is pinned for it and for its replay
            self._pinned_now = now
        return now

    def close(self) -> None:
        with self._mutex:
            if self._closed:
                return
            self._closed = True
            try:
                self.rollback()
            finally:
                self.storage.give_back(self.conn)
                self.engine._forget(self)

    def interrupt(self) -> None:
        """Abort the statement running on this session's connection (any thread; see wire/runaway.py)."""
        if not self._closed:  # a closed session's connection is back in the pool, maybe another's
            self.conn.interrupt()

    # ---- catalog helpers -----------------------------------------------------------------------
    def use(self, database: str) -> None:
        name = database.lower()
        if name not in self._system_dbs and not cat.get_databases(self.conn, self.account_id, name):
            raise unknown_database(database)
        self.database = name

    def _db(self, name: str | None, at: int | None = None) -> DatabaseRow:
        if name is None:
            if self.database is None:
                raise no_database_selected()
            name = self.database
        rows = cat.get_databases(self.conn, self.account_id, name.lower(), at)
        if not rows:
            raise unknown_database(name)
        return rows[-1]

    def _table(self, db: str | None, name: str, at: int | None = None, query: bool = False
               ) -> tuple[DatabaseRow, TableRow]:
        d = self._db(db, at)
        rows = cat.get_tables(self.conn, d.id, name.lower(), at)
        if not rows:  # a query's missing table has MatrixOne's plan-builder words, DDL's the catalog's
            raise table_not_exist(name.lower()) if query else no_such_table(d.name, name)
        return d, rows[-1]

    def _resolve(self, db: str | None, name: str, at: int | None) -> Resolved:
        dbl = (db or self.database or "").lower()
        if db is None and self.database is None:
            raise no_database_selected()
        if dbl == INFO_SCHEMA:
            return self._info_schema(name.lower(), at)
        if dbl == "mo_catalog":
            resolver = self.engine.system_table_resolver
            vsql = resolver(self.account_id, name.lower(), at) if resolver is not None else None
            if vsql is not None:
                return Resolved(virtual_sql=vsql)
            phys = f"mo_catalog_{name.lower()}"
            if self.conn.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (phys,)).fetchone():
                return Resolved(system_table=phys)
            raise table_not_exist(name.lower())
        if dbl in self._system_dbs:
            raise table_not_exist(name.lower())
        return views.table_or_view(self, dbl, name, at)

    def _info_schema(self, name: str, at: int | None) -> Resolved:
        if (keys := indexes.info_schema(self, name, at)) is not None:
            return keys
        dbs = cat.get_databases(self.conn, self.account_id, None, at)
        rows: list[tuple[Any, ...]] = []
        if name == "schemata":
            names = sorted([d.name for d in dbs] + list(self._system_dbs))
            rows = [("def", n, "utf8mb4", "utf8mb4_bin") for n in names]
            return Resolved(virtual_sql=values_select(SCHEMATA_COLUMNS, rows))
        if name == "tables":
            for d in dbs:
                for t in cat.get_tables(self.conn, d.id, None, at):
                    rows.append(("def", d.name, t.name, "BASE TABLE", "Tae", 10, "Dynamic", 0, None, ""))
            return Resolved(virtual_sql=values_select(TABLES_COLUMNS, rows))
        if name == "columns":
            for d in dbs:
                for t in cat.get_tables(self.conn, d.id, None, at):
                    sch = t.schema
                    for i, c in enumerate(sch.columns, 1):
                        rows.append(
                            (
                                "def", d.name, t.name, c.name, i, c.default, "YES" if c.nullable else "NO",
                                c.type.lower(), c.scale, c.type_text, column_key(sch, c.name),
                                "auto_increment" if c.auto_increment else "", "",
                            )
                        )
            return Resolved(virtual_sql=values_select(COLUMNS_COLUMNS, rows))
        raise table_not_exist(name)

    def _hint_ts(self, h: Hint) -> int:
        v = h.value
        if h.kind == "SNAPSHOT":
            resolver = self.engine.snapshot_resolver
            ts = resolver(self.account_id, str(v), h.database or self.database, h.table) if resolver else None
            if ts is None:
                raise internal_error(f"find 0 snapshot records by name({v}), expect only 1")
            return int(ts)
        if isinstance(v, int):
            if v <= 0:
                raise invalid_argument("timestamp", v)
            return v
        s = str(v)
        if h.kind == "AS_OF":
            dt = _parse_datetime(s)
            if dt is None:
                raise MOError(1105, f'parsing time "{s}" as "2006-01-02 15:04:05": cannot parse "{s}"')
            return _ns(dt.replace(tzinfo=self.engine.timezone))
        m = RE_DEBUG_TS.match(s)
        if m:
            return int(m.group(1))
        dt = _parse_datetime(s)
        if h.kind == "MO_TS" and (self.engine.version_tuple < (4, 1, 0) or dt is None):
            raise invalid_input(f"invalid debug timestamp string: {s}")
        if dt is None:
            raise invalid_argument("timestamp", s)
        ts = _ns(dt.replace(tzinfo=UTC))
        if h.kind == "TIMESTAMP" and ts < self.storage.now_ns() - GC_TTL_NS:
            raise MOError(
                20203, f"invalid argument invalid timestamp value, no corresponding snapshot , bad value {s}"
            )
        return ts

    def _hint_at(self, h: Hint) -> int:
        ts = self._hint_ts(h)
        self.storage.check_readable(ts)
        return ts

    def _statement_at(self, hints: list[Hint]) -> int | None:
        return self._hint_at(hints[-1]) if hints else None

    # ---- execution -----------------------------------------------------------------------------
    def execute(self, sql: str) -> Result:
        """Execute ONE statement (already split, trailing ';' allowed)."""
        with self._mutex:
            if self._closed:
                raise internal_error("session closed")
            text = sql.strip()
            while text.endswith(";"):
                text = text[:-1].rstrip()
            if not text:
                raise MOError(1065, "Query was empty", "42000")
            try:
                with self._statement():
                    return self._dispatch(text)
            except MOError:
                raise
            except sqlite3.IntegrityError as e:
                raise self._integrity(e) from None
            except sqlite3.OperationalError as e:
                raise self._operational(e, text) from None
            except (ParseError, TokenError) as e:
                raise parse_error(text, e) from None
            except sqlite3.Error as e:
                raise sqlite_errors.to_mo(str(e), text) from None
            except (OverflowError, ValueError, TypeError) as e:
                raise internal_error(str(e)) from None

    def _integrity(self, e: sqlite3.IntegrityError) -> MOError:
        msg = str(e)
        if "NOT NULL constraint failed" in msg:
            return column_not_null(msg.rsplit(".", 1)[-1])
        if "UNIQUE constraint failed" in msg:
            cols = [c.split(".")[-1] for c in msg.split(":", 1)[1].split(",")]
            return duplicate_entry("?", ",".join(c.strip() for c in cols))  # value unknown here
        return sqlite_errors.to_mo(msg, "")

    def _upsert_conflicts(self, tr: Translated, params: dict[str, Any]) -> int:
        """How many VALUES rows of an upsert hit an existing key (MySQL reports them as 2 rows)."""
        if tr.target is None or not tr.insert_values:
            return 0
        sch = tr.target.schema
        keys = [k for k in [sch.primary_key, *sch.unique] if k]
        keys += [i["columns"] for i in sch.indexes if i.get("unique")]
        cols = [c.lower() for c in tr.insert_columns]
        keys = [k for k in keys if all(c.lower() in cols for c in k)]
        if not keys:
            return 0
        tname, _ = table_names(tr.target.id)
        seen: set[tuple[int, tuple[Any, ...]]] = set()
        hits = 0
        for row in tr.insert_values:
            vals = self.conn.execute("SELECT " + ", ".join(row), params).fetchone() or ()
            hit = False
            for ki, key in enumerate(keys):
                kv = tuple(vals[cols.index(c.lower())] for c in key)
                where = " AND ".join(f"{qi(c)} = ?" for c in key)
                if (ki, kv) in seen or self.conn.execute(
                    f"SELECT 1 FROM {tname} WHERE {where}", kv  # noqa: S608 - quoted identifiers
                ).fetchone():
                    hit = True
                seen.add((ki, kv))
            hits += hit
        return hits

    def _duplicate(self, e: sqlite3.IntegrityError, tr: Translated, params: dict[str, Any]) -> MOError:
        """1062 naming the duplicate value (found by probing the INSERT's literal rows)."""
        msg = str(e)
        if "UNIQUE constraint failed" not in msg or tr.target is None or not tr.insert_values:
            return self._integrity(e)
        keys = [c.split(".")[-1].strip() for c in msg.split(":", 1)[1].split(",")]
        cols = [c.lower() for c in tr.insert_columns]
        try:
            idx = [cols.index(k.lower()) for k in keys]
        except ValueError:
            return self._integrity(e)
        tname, _ = table_names(tr.target.id)
        seen: set[tuple[Any, ...]] = set()
        for row in tr.insert_values:
            exprs = [row[i] for i in idx]
            vals = tuple(self.conn.execute("SELECT " + ", ".join(exprs), params).fetchone() or ())
            where = " AND ".join(f"{qi(k)} = ?" for k in keys)
            hit = self.conn.execute(f"SELECT 1 FROM {tname} WHERE {where}", vals).fetchone()  # noqa: S608
            if hit or vals in seen:
                shown = str(vals[0]) if len(vals) == 1 else "(" + ",".join(str(v) for v in vals) + ")"
                return duplicate_entry(shown, ",".join(keys))
            seen.add(vals)
        return self._integrity(e)

    def _operational(self, e: sqlite3.OperationalError, sql: str) -> MOError:
        msg = str(e)
        if "user-defined function raised exception" in msg and (parked := take_exact_error()) is not None:
            return parked  # raised inside mo_dec_in & co (sql/decimal.py)
        if msg.startswith("no such column:"):
            return bad_field(msg.split(":", 1)[1].strip())
        if "syntax error" in msg or msg.startswith("near "):
            return syntax_error(sql[:40], 0)
        if "database is locked" in msg:
            return MOError(1205, "Lock wait timeout exceeded; try restarting transaction")
        return sqlite_errors.to_mo(msg, sql)

    def _dispatch(self, text: str) -> Result:
        head = text[:16].upper()
        if (done := role_statement(self, text, head)) is not None:  # roles and grants (mo/privileges.py)
            return done
        if self.role not in ADMIN_ROLES:
            check_privileges(self, text, head)  # non-admin roles only (mo/privilege_check.py)
        if head.startswith(("BEGIN", "START")) and RE_BEGIN.match(text):
            self.begin()
            return Result()
        if head.startswith("COMMIT") and RE_COMMIT.match(text):
            self.commit()
            return Result()
        if head.startswith("ROLLBACK") and RE_ROLLBACK.match(text):
            self.rollback()
            return Result()
        if head.startswith("SET"):
            m = RE_AUTOCOMMIT.match(text)
            if m:
                v = m.group(1).strip("'\"").upper()
                on = v in ("1", "ON", "TRUE")
                if on and not self.autocommit:
                    self.commit()
                self.autocommit = on
                return Result()
            m = RE_SET_TZ.match(text)
            if m:
                self.time_zone = m.group(1).strip("'\"")
                return Result()
            if RE_SET_NAMES.match(text) or foreign_keys.set_var(self, text):
                return Result()  # the connection charset is the wire layer's business
            raise MOError(1193, f"Unknown system variable '{text[3:].strip().split('=')[0].strip()}'")
        if head.startswith("USE"):
            m = RE_USE.match(text)
            if not m:
                raise syntax_error(text[:40], 4)
            self.use(unquote_ident(m.group("db")))
            return Result()
        if head.startswith("SHOW"):
            return self._show(text)
        if head.startswith(("DESC", "EXPLAIN")):
            m = RE_DESCRIBE.match(text)
            if m:
                return self._describe(*_qname(m))
        if head.startswith(_WRITE_HEADS):
            return self._under_write_lock(text, head)
        return self._dispatch_sql(text, head)

    def _dispatch_sql(self, text: str, head: str) -> Result:
        if (seq := sequences.dispatch(self, text, head)) is not None:
            return seq
        if head.startswith("CREATE") and re.match(r"^CREATE\s+(DATABASE|SCHEMA)\b", text, re.I):
            return self._create_database(text)
        if head.startswith("DROP"):
            if re.match(r"^DROP\s+(DATABASE|SCHEMA)\b", text, re.I):
                return self._drop_database(text)
            m = RE_DROP_TABLE.match(text)
            if m:
                return self._drop_tables(m)
        if head.startswith("TRUNCATE"):
            m = RE_TRUNCATE.match(text)
            if not m:
                raise syntax_error(text[:40], 9)
            return self._truncate(*_qname(m))
        if head.startswith("SELECT") and "COUNT" in text[:200].upper():
            fast = self._fast_count(text)
            if fast is not None:
                return fast
        if len(text) >= BULK_MIN_CHARS and head.startswith(("INSERT", "REPLACE")):
            bulk = run_bulk_insert(self, text, head)  # megabytes of VALUES: no sqlglot, no var limit
            if bulk is not None:
                return bulk
        params: dict[str, Any] = {}
        tr = None
        sh = shape(text)
        if sh is not None:
            key = (sh[0], self.database, self.storage.catalog_version)
            tr = self._cache.get(key)
            if tr is None:
                try:
                    tr = self._translate(sh[0], head)
                except MOError:
                    tr = None
                except (ParseError, TokenError, sqlite3.Error):
                    tr = None
                if tr is not None:
                    self._remember(key, tr)
            if tr is not None:
                params = sh[1]
        if tr is None:
            key = (text, self.database, self.storage.catalog_version)
            tr = self._cache.get(key)
        if tr is None:
            sql, hints = extract_hints(text)
            replace = head.startswith("REPLACE")
            if replace:
                sql = "INSERT" + sql.lstrip()[7:]
            tree = sqlglot.parse_one(sql, read="mysql")
            if tree is None or isinstance(tree, exp.Command) or not is_statement(tree):
                raise syntax_error(text, len(text.split(None, 1)[0]))  # MatrixOne: at the first token
            if isinstance(tree, exp.Create | exp.Drop) and str(tree.args.get("kind", "")).upper() == "VIEW":
                return views.ddl(self, tree, text)
            if isinstance(tree, exp.Alter):
                return self._alter_table(tree)
            if isinstance(tree, exp.Create | exp.Drop) and str(tree.args.get("kind", "")).upper() == "INDEX":
                return self._index_ddl(tree)
            if isinstance(tree, exp.Create):
                if str(tree.args.get("kind", "")).upper() != "TABLE":
                    raise not_supported(f"CREATE {tree.args.get('kind')}")
                return self._create_table(tree, text, sql, hints)
            if isinstance(tree, exp.Select):
                alias_projections(tree, sql)
            tr = translate(tree, self._ctx(hints))  # type: ignore[arg-type]
            if replace:
                if tr.kind != "insert":
                    raise syntax_error(text[:40], 0)
                tr.sql = "INSERT OR REPLACE" + tr.sql[6:]
            if not hints:
                self._remember(key, tr)
        if tr.kind == "select":
            return self._run_select(tr, params)
        return self._run_dml(tr, params)

    def _fast_count(self, text: str) -> Result | None:
        """Row-count statements (see ``sql/fastcount.py``) without sqlglot; None: general path.

        The plan (SQLite text per chunk of branches) is cached engine-wide per statement text,
        account, database and catalog version: a verification sensor polls the same statements,
        each poke on a new connection.
        """
        key = (text, self.account_id, self.database, self.storage.catalog_version, self._tx is not None)
        plans = self.engine.count_plans
        plan = plans.get(key)
        if plan is None:
            plan = self._count_plan(text)
            if plan is None:
                return None
            if plan.cacheable:
                if len(plans) >= COUNT_PLAN_CACHE:
                    plans.clear()
                plans[key] = plan
        else:
            for at in plan.instants:
                self.storage.check_readable(at)  # GC may have moved on since the plan was made
        counts: list[int] = []
        for sql in plan.chunks:
            counts.extend(self.conn.execute(sql).fetchone())
        rows = [tuple(n if it.count else it.value for it in b.items) for b, n in zip(plan.branches, counts, strict=True)]
        cols = [self._column(it.name, i, rows, None) for i, it in enumerate(plan.branches[0].items)]
        self._after_statement(True)
        return Result(cols, rows)

    def _count_plan(self, text: str) -> _CountPlan | None:
        branches = parse_count_union(text)
        if branches is None:
            return None
        instants: dict[str, int] = {}
        catalogs: dict[tuple[str, int | None], tuple[DatabaseRow, dict[str, int]]] = {}
        parts: list[str] = []
        cacheable = True
        for b in branches:
            at = None
            if b.hint is not None:
                # only literal MO_TS instants mean the same thing on every run
                cacheable = cacheable and b.hint.kind == "MO_TS" and isinstance(b.hint.value, int)
                at = instants.get(b.hint_text)
                if at is None:
                    at = instants[b.hint_text] = self._hint_at(b.hint)
            if b.database is None and self.database is None:
                raise no_database_selected()
            dbl = (b.database or self.database or "").lower()
            if dbl in (INFO_SCHEMA, "mo_catalog") or dbl in self._system_dbs:
                return None  # virtual and system tables: the general path knows them
            got = catalogs.get((dbl, at))
            if got is None:  # one catalog read per database and instant, not per branch
                d = self._db(dbl, at)
                got = catalogs[(dbl, at)] = (d, cat.table_ids(self.conn, d.id, at))
            tid = got[1].get(b.table.lower())
            if tid is None and views.find(self, got[0].name, b.table, at) is not None:
                return None  # a view: the general path expands it
            if tid is None:
                raise table_not_exist(b.table.lower())
            parts.append(count_sql(tid, at, pending=self._tx is not None))
        chunks = [
            "SELECT " + ", ".join(f"({p})" for p in parts[i : i + FAST_COUNT_CHUNK])
            for i in range(0, len(parts), FAST_COUNT_CHUNK)
        ]
        return _CountPlan(branches, chunks, sorted(set(instants.values())), cacheable)

    def _remember(self, key: tuple[str, str | None, int], tr: Translated) -> None:
        if len(self._cache) >= CACHE_SIZE:
            self._cache.clear()
        self._cache[key] = tr

    def _translate(self, sql: str, head: str) -> Translated | None:
        """Translate a hint-free DML/SELECT shape (None: needs the full path, e.g. CREATE)."""
        replace = head.startswith("REPLACE")
        if replace:
            sql = "INSERT" + sql.lstrip()[7:]
        tree = sqlglot.parse_one(sql, read="mysql")
        if tree is None or not isinstance(tree, exp.Select | exp.Insert | exp.Update | exp.Delete):
            return None
        if isinstance(tree, exp.Select):
            alias_projections(tree, sql)
        tr = translate(tree, self._ctx([]))
        if replace:
            if tr.kind != "insert":
                return None
            tr.sql = "INSERT OR REPLACE" + tr.sql[6:]
        return tr

    def _ctx(self, hints: list[Hint]) -> Context:
        return Context(
            self.database,
            self._resolve,
            self._hint_at,
            hints,
            {
                "database": self.database,
                "version": f"8.0.30-MatrixOne-v{self.engine.version}",
                "user": f"{self.user}@localhost",
            },
        )

    def _run_select(self, tr: Translated, params: dict[str, Any]) -> Result:
        cur = self.conn.execute(tr.sql, params)
        rows = cur.fetchall()
        desc = cur.description or []
        names = [d[0] for d in desc]
        types: list[tuple[str, int | None] | None] = list(tr.types) if not tr.star else [None] * len(names)
        if len(types) != len(names):
            types = [None] * len(names)
        if any(t is not None and t[0] in ("DECIMAL", "DATETIME", "TIMESTAMP", "DATE") for t in types):
            conv: list[Callable[[Any], Any] | None] = []
            for t in types:
                if t is None:
                    conv.append(None)
                elif t[0] == "DECIMAL":
                    conv.append(_decimal_conv(t[1] or 0))
                elif t[0] in ("DATETIME", "TIMESTAMP"):
                    conv.append(lambda v: to_datetime(v) if isinstance(v, str) else v)
                elif t[0] == "DATE":
                    conv.append(lambda v: to_date(v) if isinstance(v, str) else v)
                else:
                    conv.append(None)
            rows = [tuple(v if f is None else f(v) for v, f in zip(r, conv, strict=True)) for r in rows]
        cols = [self._column(n, i, rows, types[i]) for i, n in enumerate(names)]
        self._after_statement(True)
        return Result(cols, rows)

    @staticmethod
    def _column(name: str, i: int, rows: list[tuple[Any, ...]], t: tuple[str, int | None] | None) -> Column:
        for r in rows:
            v = r[i]
            if v is None:
                continue
            if isinstance(v, bool):
                return Column(name, "TINYINT")
            if isinstance(v, int):
                return Column(name, "BIGINT")
            if isinstance(v, float):
                return Column(name, "DOUBLE")
            if isinstance(v, Decimal):
                exp_ = v.as_tuple().exponent
                return Column(name, "DECIMAL", -exp_ if isinstance(exp_, int) and exp_ < 0 else 0)
            if isinstance(v, datetime):
                return Column(name, "DATETIME")
            if isinstance(v, date):
                return Column(name, "DATE")
            if isinstance(v, bytes):
                return Column(name, "BLOB")
            return Column(name, "VARCHAR")
        if t is not None:
            return Column(name, t[0], t[1] if t[0] == "DECIMAL" else None)
        return Column(name, "NULL" if rows else "VARCHAR")

    def _run_dml(self, tr: Translated, params: dict[str, Any]) -> Result:
        tx = self._write_tx()
        ok = False
        try:
            if tr.target is not None:
                tx.touch(tr.target.id)
            conflicts = self._upsert_conflicts(tr, params) if tr.upsert else 0
            try:
                with foreign_keys.guard(self, tx, tr):  # checks the keys after the write, undoes it if broken
                    cur = self._logged(tx, tr.sql, params, tr.kind == "insert")
            except sqlite3.IntegrityError as e:
                raise self._duplicate(e, tr, params) from None
            n = max(cur.rowcount, 0) + conflicts  # MySQL counts an updated row twice
            last = 0
            if tr.kind == "insert" and tr.insert_auto and n > 0 and cur.lastrowid:
                last = int(cur.lastrowid) - n + 1
                self.last_insert_id = last
            ok = True
        finally:
            self._after_statement(ok)
        return Result(None, [], n, last)

    # ---- DDL (run by ``_ddl``: its own transaction) ---------------------------------------------
    def _create_database(self, text: str) -> Result:
        m = RE_CREATE_DB.match(text)
        if not m:
            raise syntax_error(text[:40], 0)
        name = unquote_ident(m.group("db")).lower()
        exists = name in self._system_dbs or bool(cat.get_databases(self.conn, self.account_id, name))
        if exists:
            if m.group("ine"):
                return Result()
            raise database_exists(name)

        def run(tx: Tx) -> Result:
            self.storage.create_database(tx, self.account_id, name)
            return Result(None, [], 1)

        return self._ddl(run)

    def _drop_database(self, text: str) -> Result:
        m = RE_DROP_DB.match(text)
        if not m:
            raise syntax_error(text[:40], 0)
        name = unquote_ident(m.group("db")).lower()
        if name in self._system_dbs:
            raise internal_error(f"can not drop database '{name}' which is system database")
        rows = cat.get_databases(self.conn, self.account_id, name)
        if not rows:
            if m.group("ie"):
                return Result()
            raise MOError(1008, f"Can't drop database '{name}'; database doesn't exist")

        def run(tx: Tx) -> Result:
            n = len(cat.get_tables(tx.conn, rows[-1].id))
            self.storage.drop_database(tx, rows[-1])
            return Result(None, [], n)

        res = self._ddl(run)
        if self.database == name:
            self.database = None
        return res

    def _drop_tables(self, m: re.Match[str]) -> Result:
        items = re.findall(rf"({_ID})(?:\s*\.\s*({_ID}))?", m.group("names"))
        targets: list[tuple[DatabaseRow, TableRow]] = []
        for a, b in items:
            db, name = (None, unquote_ident(a).lower()) if not b else (unquote_ident(a).lower(), unquote_ident(b).lower())
            try:
                targets.append(self._table(db, name))
            except MOError as e:
                if m.group("ie") and e.code in (1146, 1049):
                    continue
                raise
        sequences.refuse_drop_table([t for _, t in targets])
        foreign_keys.check_drop(self, targets)

        def run(tx: Tx) -> Result:
            for d, t in targets:
                self.storage.drop_table(tx, t, self.account_id, d.name)
            return Result()

        return self._ddl(run)

    def _truncate(self, db: str | None, name: str) -> Result:
        d, t = self._table(db, name)
        foreign_keys.check_drop(self, [(d, t)], "truncate")
        tname, _ = table_names(t.id)

        def run(tx: Tx) -> Result:
            tx.touch(t.id)
            tx.execute(f"DELETE FROM {tname}")  # noqa: S608 - internal name
            tx.execute("DELETE FROM sqlite_sequence WHERE name = ?", (tname,))
            return Result()

        return self._ddl(run)

    def _create_table(self, tree: exp.Create, text: str, sql: str, hints: list[Hint]) -> Result:
        table = tree.this.this if isinstance(tree.this, exp.Schema) else tree.this
        if not isinstance(table, exp.Table):
            raise syntax_error(text[:40], 0)
        name = table.name.lower()
        d = self._db(table.db or None)
        if cat.get_tables(self.conn, d.id, name) or views.find(self, d.name, name):
            if tree.args.get("exists"):
                return Result()
            raise table_exists(name)
        query = tree.expression
        if query is None:
            schema = schema_from_create(tree)
            foreign_keys.validate(self, d.name, name, schema)

            def run(tx: Tx) -> Result:
                self.storage.create_table(tx, d.id, name, schema, show_create(name, schema))
                return Result()

            return self._ddl(run)
        # CREATE TABLE ... AS SELECT
        if isinstance(query, exp.Select):
            alias_projections(query, sql[sql.upper().find("SELECT") :] if "SELECT" in sql.upper() else sql)
        tr = translate(query, self._ctx(hints))
        probe = self.conn.execute(f"SELECT * FROM ({tr.sql}) LIMIT 0")  # noqa: S608 - translated SQL
        names = [c[0] for c in probe.description or []]
        types = tr.types if not tr.star and len(tr.types) == len(names) else [None] * len(names)
        known = tr.source_columns if tr.source_columns is not None and len(tr.source_columns) == len(names) else None
        src_types: list[tuple[str, int | None]] = []
        for i, (n, t) in enumerate(zip(names, types, strict=True)):
            if known is not None and known[i] is not None:
                src_types.append(("VARCHAR", None))  # replaced by the source column below
            else:
                src_types.append(t if t is not None else self._star_type(tr, n))
        schema = schema_from_columns(names, src_types)
        if tr.source_columns is not None and len(tr.source_columns) == len(names):
            # like MySQL, a column copied unchanged keeps its type, NULL-ability and default
            for i, src in enumerate(tr.source_columns):
                if src is not None:
                    schema.columns[i] = ColumnDef(
                        names[i], src.type, src.type_text, src.scale, src.nullable,
                        None if src.default is None else src.default, False,
                    )

        def run_ctas(tx: Tx) -> Result:
            new = self.storage.create_table(tx, d.id, name, schema, show_create(name, schema))
            tname, _ = table_names(new.id)
            cols = ", ".join(qi(n) for n in names)
            cur = tx.execute(f"INSERT INTO {tname} ({cols}) SELECT * FROM ({tr.sql})")  # noqa: S608
            return Result(None, [], max(cur.rowcount, 0))

        return self._ddl(run_ctas)

    def _alter_table(self, tree: exp.Alter) -> Result:
        """ALTER TABLE as a versioned rebuild: a new catalog table (new schema, current rows) replaces
        the old one, so reads and restores at instants before the ALTER still see the old shape."""
        if str(tree.args.get("kind", "")).upper() != "TABLE" or not isinstance(tree.this, exp.Table):
            raise not_supported("ALTER")
        d, old = self._table(tree.this.db or None, tree.this.name)
        schema, mapping, new_name = alter_schema(old.schema, list(tree.args.get("actions") or []))
        name = new_name or old.name
        if new_name and new_name != old.name and cat.get_tables(self.conn, d.id, new_name):
            raise table_exists(new_name)
        foreign_keys.validate(self, d.name, name, schema)

        return self._rebuild(d, old, name, schema, mapping)

    def _rebuild(
        self, d: DatabaseRow, old: TableRow, name: str, schema: TableSchema, mapping: list[tuple[str, str | None]]
    ) -> Result:
        """Replace ``old`` by a new catalog table with ``schema`` holding its current rows."""

        def run(tx: Tx) -> Result:
            self.storage.drop_table(tx, old, self.account_id, d.name, notify=False)
            new = self.storage.create_table(tx, d.id, name, schema, show_create(name, schema))
            t_new, _ = table_names(new.id)
            t_old, _ = table_names(old.id)
            cols, exprs = [], []
            for col_name, src in mapping:
                if src is None:
                    continue  # added column: its DEFAULT (or NULL) applies
                cols.append(qi(col_name))
                exprs.append(qi(src))
            if cols:
                tx.execute(
                    f"INSERT INTO {t_new} ({', '.join(cols)}) SELECT {', '.join(exprs)} FROM {t_old}"  # noqa: S608
                )
            return Result()

        return self._ddl(run)

    def _index_ddl(self, tree: exp.Expression) -> Result:
        """CREATE [UNIQUE] INDEX / DROP INDEX: a versioned rebuild with the index in the schema."""
        if isinstance(tree, exp.Create):
            idx = tree.this
            table = idx.args.get("table") if isinstance(idx, exp.Index) else None
            params = idx.args.get("params") if isinstance(idx, exp.Index) else None
            if not isinstance(table, exp.Table) or params is None:
                raise not_supported("CREATE INDEX form")
            cols = [(c.this if isinstance(c, exp.Ordered) else c).name for c in params.args.get("columns") or []]
            d, old = self._table(table.db or None, table.name)
            schema = with_index(old.schema, idx.name, cols, bool(tree.args.get("unique")))
        else:
            on = tree.args.get("cluster")
            table = on.this if isinstance(on, exp.OnProperty) else None
            targets = tree.args.get("tables") or []
            if not isinstance(table, exp.Table) or not targets:
                raise not_supported("DROP INDEX without ON table")
            d, old = self._table(table.db or None, table.name)
            schema = without_index(old.schema, targets[0].name)
        mapping: list[tuple[str, str | None]] = [(c.name, c.name) for c in schema.columns]
        return self._rebuild(d, old, old.name, schema, mapping)

    def _star_type(self, tr: Translated, name: str) -> tuple[str, int | None]:
        probe = self.conn.execute(f"SELECT * FROM ({tr.sql}) LIMIT 1").fetchone()  # noqa: S608
        if probe is None:
            return ("VARCHAR", None)
        cur = self.conn.execute(f"SELECT * FROM ({tr.sql}) LIMIT 1")  # noqa: S608
        names = [c[0] for c in cur.description or []]
        v = probe[names.index(name)] if name in names else None
        c = self._column(name, 0, [(v,)], None)
        return (c.type, c.scale)

    # ---- SHOW ----------------------------------------------------------------------------------
    def _show(self, text: str) -> Result:
        sql, hints = extract_hints(text, attach=False)
        sql = sql.strip()
        at = self._statement_at(hints)
        shown = views.show_create(self, sql, at) or indexes.show_index(self, sql, at) or sequences.show(self, sql, at)
        if shown is not None:
            return shown
        m = RE_SHOW_DBS.match(sql)
        if m:
            names = [d.name for d in cat.get_databases(self.conn, self.account_id, None, at)]
            names = sorted(set(names) | set(self._system_dbs))
            if m.group("like") is not None:
                rx = like_to_regex(m.group("like").replace("''", "'"))
                names = [n for n in names if rx.match(n)]
            return self._finish_show(["Database"], [(n,) for n in names])
        m = RE_SHOW_TABLES.match(sql)
        if m:
            dbname = unquote_ident(m.group("db")).lower() if m.group("db") else None
            if dbname is None and self.database is None:
                raise no_database_selected()
            dbname = dbname or self.database
            assert dbname is not None
            if dbname in self._system_dbs:
                kinds: dict[str, str] = {}
                tnames: list[str] = (
                    ["columns", "schemata", "tables"] if dbname == INFO_SCHEMA else []
                )
            else:
                d = self._db(dbname, at)
                kinds = views.table_types(self, d.id, at)
                tnames = [t.name for t in sequences.visible_tables(cat.get_tables(self.conn, d.id, None, at))]
                tnames += list(kinds)
            if m.group("like") is not None:
                rx = like_to_regex(m.group("like").replace("''", "'"))
                tnames = [n for n in tnames if rx.match(n)]
            tnames.sort()
            if m.group("full"):
                return self._finish_show(
                    [f"Tables_in_{dbname}", "Table_type"], [(n, kinds.get(n, "BASE TABLE")) for n in tnames]
                )
            return self._finish_show([f"Tables_in_{dbname}"], [(n,) for n in tnames])
        m = RE_SHOW_CREATE_TABLE.match(sql)
        if m:
            db, name = _qname(m)
            _, t = self._table(db, name, at)
            return self._finish_show(["Table", "Create Table"], [(t.name, show_create(t.name, t.schema))])
        m = RE_SHOW_CREATE_DB.match(sql)
        if m:
            name = unquote_ident(m.group("db")).lower()
            if name not in self._system_dbs:
                self._db(name, at)
            return self._finish_show(["Database", "Create Database"], [(name, f"CREATE DATABASE `{name}`")])
        if re.match(r"^SHOW\s+(WARNINGS|ERRORS)(\s+LIMIT\s+[\d\s,]+)?$", sql, re.I):
            return self._finish_show(["Level", "Code", "Message"], [])
        m = RE_SHOW_COLUMNS.match(sql)
        if m:
            db, name = _qname(m)
            if m.group("db"):
                db = unquote_ident(m.group("db")).lower()
            return self._describe(db, name, at)
        raise syntax_error(text[:40], 0)

    def _describe(self, db: str | None, name: str, at: int | None = None) -> Result:
        if (v := views.describe(self, db, name, at)) is not None:
            return v
        _, t = self._table(db, name, at)
        return self._finish_show(DESCRIBE_COLUMNS, describe_rows(t.schema))

    def _finish_show(self, names: list[str], rows: list[tuple[Any, ...]]) -> Result:
        self._after_statement(True)
        return Result([Column(n, "VARCHAR") for n in names], rows)


__all__ = ["Column", "Engine", "EngineSession", "Result", "UserInfo"]
