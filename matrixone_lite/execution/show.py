"""SHOW and DESCRIBE: databases, tables, CREATE TABLE/DATABASE, columns, warnings.

Answered from the catalog at the statement's instant (a ``{MO_TS=...}`` hint makes a SHOW a
time-travel read); SHOW forms of views, indexes and sequences are their modules' (tried first).
SHOW VARIABLES / PROCESSLIST / STATUS are the wire layer's (``wire/session.py``).
"""

from __future__ import annotations

import re
from typing import Any

from matrixone_lite.errors import no_database_selected, syntax_error
from matrixone_lite.execution.names import INFO_SCHEMA, QNAME, NameResolution, qname
from matrixone_lite.results import Column, Result
from matrixone_lite.sql import indexes, sequences, views
from matrixone_lite.sql.ddl import show_create
from matrixone_lite.sql.hints import extract_hints
from matrixone_lite.sql.show import DESCRIBE_COLUMNS, IDENT, describe_rows, like_to_regex, unquote_ident
from matrixone_lite.storage import catalog as cat

_ID = IDENT
RE_SHOW_DBS = re.compile(r"^SHOW\s+(?:DATABASES|SCHEMAS)(?:\s+LIKE\s+'(?P<like>(?:[^']|'')*)')?$", re.I)
RE_SHOW_TABLES = re.compile(
    rf"^SHOW\s+(?P<full>FULL\s+)?TABLES(?:\s+(?:FROM|IN)\s+(?P<db>{_ID}))?"
    r"(?:\s+LIKE\s+'(?P<like>(?:[^']|'')*)')?$",
    re.I,
)
RE_SHOW_CREATE_TABLE = re.compile(rf"^SHOW\s+CREATE\s+TABLE\s+{QNAME}$", re.I)
RE_SHOW_CREATE_DB = re.compile(rf"^SHOW\s+CREATE\s+(?:DATABASE|SCHEMA)\s+(?P<db>{_ID})$", re.I)
RE_SHOW_COLUMNS = re.compile(
    rf"^SHOW\s+(?:FULL\s+)?(?:COLUMNS|FIELDS)\s+(?:FROM|IN)\s+{QNAME}(?:\s+(?:FROM|IN)\s+(?P<db>{_ID}))?$", re.I
)
RE_DESCRIBE = re.compile(rf"^(?:DESCRIBE|DESC|EXPLAIN)\s+{QNAME}$", re.I)


class ShowStatements(NameResolution):
    """SHOW / DESCRIBE (mixed into ``EngineSession``)."""

    def _describe_statement(self, text: str) -> Result | None:
        """``DESCRIBE [db.]t``; None for other DESCRIBE/EXPLAIN forms (the general path)."""
        m = RE_DESCRIBE.match(text)
        return self._describe(*qname(m)) if m else None

    def _show(self, text: str) -> Result:
        sql, hints = extract_hints(text, attach=False)
        sql = sql.strip()
        at = self._statement_at(hints)
        shown = views.show_create(self._me, sql, at) or indexes.show_index(self._me, sql, at) or sequences.show(self._me, sql, at)
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
                kinds = views.table_types(self._me, d.id, at)
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
            db, name = qname(m)
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
            db, name = qname(m)
            if m.group("db"):
                db = unquote_ident(m.group("db")).lower()
            return self._describe(db, name, at)
        raise syntax_error(text[:40], 0)

    def _describe(self, db: str | None, name: str, at: int | None = None) -> Result:
        if (v := views.describe(self._me, db, name, at)) is not None:
            return v
        _, t = self._table(db, name, at)
        return self._finish_show(DESCRIBE_COLUMNS, describe_rows(t.schema))

    def _finish_show(self, names: list[str], rows: list[tuple[Any, ...]]) -> Result:
        self._after_statement(True)
        return Result([Column(n, "VARCHAR") for n in names], rows)

