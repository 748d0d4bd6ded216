"""Name resolution for an engine session: databases, tables, views, system tables, time travel.

Every path that names a table needs the same answers (which database, which catalog row at which
instant, a view or ``information_schema``/``mo_catalog`` table as a virtual one, what a
``{MO_TS=...}``/``{SNAPSHOT=...}`` hint means), so they live here once, under the other mixins of
``matrixone_lite/execution/``.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, cast

from matrixone_lite.errors import (
    MOError,
    internal_error,
    invalid_argument,
    invalid_input,
    no_database_selected,
    no_such_table,
    table_not_exist,
    unknown_database,
)
from matrixone_lite.sql import indexes, views
from matrixone_lite.sql import info_schema_relations as relations
from matrixone_lite.sql.hints import Hint
from matrixone_lite.sql.show import (
    COLUMNS_COLUMNS,
    IDENT,
    SCHEMATA_COLUMNS,
    TABLES_COLUMNS,
    column_key,
    unquote_ident,
    values_select,
)
from matrixone_lite.sql.translate import Context, Resolved
from matrixone_lite.storage import catalog as cat
from matrixone_lite.storage.catalog import DatabaseRow, TableRow
from matrixone_lite.storage.storage import GC_TTL_NS, SYSTEM_DATABASES
from matrixone_lite.transactions import SessionTransactions

if TYPE_CHECKING:
    from matrixone_lite.engine import Engine, EngineSession

SYS_ONLY_DATABASES = ("mo_debug", "mo_task")  # MatrixOne shows these to the sys account only
INFO_SCHEMA = "information_schema"
RE_DATETIME = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})[ T](\d{1,2}):(\d{1,2}):(\d{1,2})(?:\.(\d{1,9}))?\s*$")
RE_DEBUG_TS = re.compile(r"^(\d+)-(\d+)$")
QNAME = rf"(?P<q1>{IDENT})(?:\s*\.\s*(?P<q2>{IDENT}))?"  # [db.]name in the SHOW/DDL regexes


def qname(m: re.Match[str]) -> tuple[str | None, str]:
    """(database or None, name), unquoted and lower-cased, from a match of :data:`QNAME`."""
    q1, q2 = m.group("q1"), m.group("q2")
    if q2 is None:
        return None, unquote_ident(q1).lower()
    return unquote_ident(q1).lower(), unquote_ident(q2).lower()


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


class NameResolution(SessionTransactions):
    """Databases, tables and instants as a session sees them (``EngineSession`` sets the attributes)."""

    engine: Engine
    account_id: int
    user: str
    role: str
    database: str | None

    @property
    def _me(self) -> EngineSession:
        """This session as the ``EngineSession`` it is: the collaborators in ``sql/`` and ``mo/`` take one."""
        return cast("EngineSession", self)

    @property
    def _system_dbs(self) -> tuple[str, ...]:
        return SYSTEM_DATABASES + SYS_ONLY_DATABASES if self.account_id == 0 else SYSTEM_DATABASES
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
        return views.table_or_view(self._me, dbl, name, at)

    def _info_schema(self, name: str, at: int | None) -> Resolved:
        if (keys := indexes.info_schema(self._me, name, at)) is not None:
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
                    rows.append(relations.table_row(d, t))
            rows += relations.view_table_rows(self._me, dbs, at)
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
            rows += relations.view_column_rows(self._me, dbs, at)
            return Resolved(virtual_sql=values_select(COLUMNS_COLUMNS, rows))
        if name == "views":
            return Resolved(virtual_sql=relations.views_select(self._me, dbs, at))
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

