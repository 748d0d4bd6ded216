"""Engine and EngineSession: accounts, users, sessions and the top of statement execution.

The wire layer authenticates through :meth:`Engine.lookup_user`, opens an :class:`EngineSession`
per connection and hands it one statement at a time (from worker threads; one SQLite connection
per session), classified once (``matrixone_lite/statements.py``). ``EngineSession`` keeps the
session's state and routes on that classification; the work is done by one mixin per concern in
``matrixone_lite/execution/`` (names, queries, DML, DDL, SHOW, counts) and by
``matrixone_lite/transactions.py`` (transactions, locks and replay).
"""

from __future__ import annotations

import re
import sqlite3
import threading
from collections.abc import Callable
from datetime import datetime, timedelta, timezone, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlglot.errors import ParseError, TokenError

from matrixone_lite.errors import MOError, internal_error, syntax_error
from matrixone_lite.execution.counts import CountPlan
from matrixone_lite.execution.errors import integrity_error, operational_error
from matrixone_lite.execution.queries import QueryExecution
from matrixone_lite.execution.show import ShowStatements
from matrixone_lite.mo.privilege_check import check as check_privileges
from matrixone_lite.mo.privileges import ADMIN_ROLES
from matrixone_lite.mo.privileges import statement as role_statement
from matrixone_lite.results import Column, Result, UserInfo
from matrixone_lite.sql import foreign_keys, functions, sqlite_errors
from matrixone_lite.sql.projections import parse_error
from matrixone_lite.sql.show import IDENT, unquote_ident
from matrixone_lite.sql.translate import Translated
from matrixone_lite.statements import Statement, StatementKind, classify
from matrixone_lite.storage.roles import held_by
from matrixone_lite.storage.sequences import set_restore_sequences
from matrixone_lite.storage.storage import Storage, Tx


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
        self.count_plans: dict[tuple[str, int, str | None, int, bool], CountPlan] = {}

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

    def drop_caches(self) -> None:
        """Forget every cache that makes a repeated statement cheaper, without changing any answer.

        For benchmarks that compare two ways of doing the same reads after one RESTORE
        (``bench/verify_proof.py``): without this the second way would find the schema parsed, the
        translations and plans made by the first, and look cheaper than it is. Drops the engine's
        row-count plans, the translation templates, the privilege needs, the fingerprint encodings and
        the pooled connections (each keeps its parsed schema); sessions keep their own small caches.
        """
        from matrixone_lite.execution import templates
        from matrixone_lite.mo import privilege_check
        from matrixone_lite.sql import fp_general

        self.count_plans.clear()
        templates.forget()
        privilege_check.forget()
        fp_general.forget()
        self.storage.drop_pool()

    def _forget(self, s: EngineSession) -> None:
        with self._lock:
            self._sessions.discard(s)

    def close(self) -> None:
        with self._lock:
            sessions = list(self._sessions)
        for s in sessions:
            s.close()
        self.storage.close()


RE_BEGIN = re.compile(r"^(?:BEGIN(?:\s+WORK)?|START\s+TRANSACTION(?:\s+.*)?)$", re.I | re.S)
RE_COMMIT = re.compile(r"^COMMIT(?:\s+WORK)?$", re.I)
RE_ROLLBACK = re.compile(r"^ROLLBACK(?:\s+WORK)?$", re.I)
RE_AUTOCOMMIT = re.compile(r"^SET\s+(?:@@(?:session\.)?|SESSION\s+)?autocommit\s*=\s*(\S+)$", re.I)
RE_SET_TZ = re.compile(r"^SET\s+(?:@@(?:session\.)?|SESSION\s+)?time_zone\s*=\s*(\S+)$", re.I)
RE_SET_NAMES = re.compile(r"^SET\s+(?:NAMES|CHARACTER\s+SET|CHARSET)\b", re.I)
RE_USE = re.compile(rf"^USE\s+(?P<db>{IDENT})$", re.I)


class EngineSession(QueryExecution, ShowStatements):
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


    # ---- execution -----------------------------------------------------------------------------
    def execute(self, sql: str | Statement) -> Result:
        """Execute ONE statement (already split, trailing ';' allowed), classified or not.

        The wire passes the :class:`Statement` it classified; in-process callers pass text.
        """
        st = sql if isinstance(sql, Statement) else classify(sql)
        with self._mutex:
            if self._closed:
                raise internal_error("session closed")
            text = st.text
            if not text:
                raise MOError(1065, "Query was empty", "42000")
            try:
                with self._statement():
                    return self._dispatch(st)
            except MOError:
                raise
            except sqlite3.IntegrityError as e:
                raise integrity_error(e) from None
            except sqlite3.OperationalError as e:
                raise operational_error(e, text) from None
            except (ParseError, TokenError) as e:
                raise parse_error(text, e) from None
            except sqlite3.Error as e:
                raise sqlite_errors.to_mo(str(e), text) from None
            except (OverflowError, ValueError, TypeError) as e:
                raise internal_error(str(e)) from None

    def _dispatch(self, st: Statement) -> Result:
        """Route on the statement's classification; the mixins do the work."""
        kind, text = st.kind, st.text
        body = st.body  # the regex grammars below match from the first token
        if kind is StatementKind.ROLE and (done := role_statement(self, body, st.head)) is not None:
            return done  # roles and grants (mo/privileges.py)
        if self.role not in ADMIN_ROLES:
            check_privileges(self, text, st.head)  # non-admin roles only (mo/privilege_check.py)
        if kind is StatementKind.TRANSACTION:
            if (done := self._transaction_statement(st)) is not None:
                return done
        elif kind is StatementKind.SET:
            return self._set_statement(body)
        elif kind is StatementKind.USE:
            m = RE_USE.match(body)
            if not m:
                raise syntax_error(body[:40], 4)
            self.use(unquote_ident(m.group("db")))
            return Result()
        elif kind is StatementKind.SHOW:
            return self._show(body)
        elif kind is StatementKind.DESCRIBE:
            if (described := self._describe_statement(body)) is not None:
                return described
        if st.writes:
            return self._under_write_lock(st)
        return self._dispatch_sql(st)

    def _transaction_statement(self, st: Statement) -> Result | None:
        """BEGIN / START TRANSACTION / COMMIT / ROLLBACK; None: not the plain form (general path)."""
        text = st.body
        if st.head in ("BEGIN", "START") and RE_BEGIN.match(text):
            self.begin()
        elif st.head == "COMMIT" and RE_COMMIT.match(text):
            self.commit()
        elif st.head == "ROLLBACK" and RE_ROLLBACK.match(text):
            self.rollback()
        else:
            return None
        return Result()

    def _set_statement(self, text: str) -> Result:
        """The SET forms the engine keeps (the wire layer answers the rest and mirrors them here)."""
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


__all__ = ["Column", "Engine", "EngineSession", "Result", "UserInfo"]
