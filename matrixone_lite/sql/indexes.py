"""Keys and indexes as a client sees them: SHOW INDEX and ``information_schema`` key tables.

Why a module of its own: the key set of a table lives in its versioned schema (``TableSchema``:
primary key, unique keys, named indexes with visibility, foreign keys), so time travel and restores
see the keys as they were at T; this module only *presents* that set in MatrixOne's shapes
(``pkg/sql/plan/build_show.go`` ``buildShowIndex``; ``pkg/util/sysview/predefined.go`` for
``STATISTICS``, ``KEY_COLUMN_USAGE``, ``REFERENTIAL_CONSTRAINTS``).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from matrixone_lite.results import Column, Result
from matrixone_lite.sql.show import IDENT, unquote_ident, values_select
from matrixone_lite.sql.translate import Resolved
from matrixone_lite.storage import catalog as cat
from matrixone_lite.storage.catalog import TableRow, TableSchema

if TYPE_CHECKING:
    from matrixone_lite.engine import EngineSession

RE_SHOW_INDEX = re.compile(
    rf"^SHOW\s+(?:EXTENDED\s+)?(?:INDEX|INDEXES|KEYS)\s+(?:FROM|IN)\s+(?P<q1>{IDENT})(?:\s*\.\s*(?P<q2>{IDENT}))?"
    rf"(?:\s+(?:FROM|IN)\s+(?P<db>{IDENT}))?$",
    re.I,
)
SHOW_INDEX_COLUMNS = [
    "Table", "Non_unique", "Key_name", "Seq_in_index", "Column_name", "Collation", "Cardinality", "Sub_part",
    "Packed", "Null", "Index_type", "Comment", "Index_comment", "Index_params", "Visible", "Expression",
]
_INT_COLUMNS = {"Non_unique", "Seq_in_index", "Cardinality"}
STATISTICS_COLUMNS = [
    "TABLE_CATALOG", "TABLE_SCHEMA", "TABLE_NAME", "NON_UNIQUE", "INDEX_SCHEMA", "INDEX_NAME", "SEQ_IN_INDEX",
    "COLUMN_NAME", "COLLATION", "CARDINALITY", "SUB_PART", "PACKED", "NULLABLE", "INDEX_TYPE", "COMMENT",
    "INDEX_COMMENT", "IS_VISIBLE", "EXPRESSION",
]
KEY_COLUMN_USAGE_COLUMNS = [
    "CONSTRAINT_CATALOG", "CONSTRAINT_SCHEMA", "CONSTRAINT_NAME", "TABLE_CATALOG", "TABLE_SCHEMA", "TABLE_NAME",
    "COLUMN_NAME", "ORDINAL_POSITION", "POSITION_IN_UNIQUE_CONSTRAINT", "REFERENCED_TABLE_SCHEMA",
    "REFERENCED_TABLE_NAME", "REFERENCED_COLUMN_NAME",
]
REFERENTIAL_CONSTRAINTS_COLUMNS = [
    "CONSTRAINT_CATALOG", "CONSTRAINT_SCHEMA", "CONSTRAINT_NAME", "UNIQUE_CONSTRAINT_CATALOG",
    "UNIQUE_CONSTRAINT_SCHEMA", "UNIQUE_CONSTRAINT_NAME", "MATCH_OPTION", "UPDATE_RULE", "DELETE_RULE",
    "TABLE_NAME", "REFERENCED_TABLE_NAME",
]
INFO_TABLES = ("statistics", "key_column_usage", "referential_constraints")


def key_parts(schema: TableSchema) -> list[tuple[str, bool, int, str, bool]]:
    """(key name, unique, position, column, visible) for every key part, PRIMARY first."""
    out = [("PRIMARY", True, i, c, True) for i, c in enumerate(schema.primary_key, 1)]
    for u in schema.unique:
        out += [(u[0], True, i, c, True) for i, c in enumerate(u, 1)]
    for idx in schema.indexes:
        vis = bool(idx.get("visible", True))
        out += [(idx["name"], bool(idx.get("unique")), i, c, vis) for i, c in enumerate(idx["columns"], 1)]
    return out


def _nullable(schema: TableSchema, column: str) -> str:
    c = schema.column(column)
    return "YES" if c is not None and c.nullable else ""


def show_index(s: EngineSession, sql: str, at: int | None) -> Result | None:
    """SHOW INDEX|INDEXES|KEYS FROM t [FROM db] (None: not this statement)."""
    m = RE_SHOW_INDEX.match(sql)
    if m is None:
        return None

    q1, q2 = unquote_ident(m.group("q1")).lower(), m.group("q2")
    db, name = (q1, unquote_ident(q2).lower()) if q2 else (None, q1)
    if m.group("db"):
        db = unquote_ident(m.group("db")).lower()
    _, t = s._table(db, name, at)
    sch = t.schema
    rows = [
        (t.name, 0 if unique else 1, key, pos, col, "A", 0, "NULL", "NULL", _nullable(sch, col), "", "", "", "",
         "YES" if vis else "NO", col)
        for key, unique, pos, col, vis in key_parts(sch)
    ]
    s._after_statement(True)
    return Result([Column(n, "BIGINT" if n in _INT_COLUMNS else "VARCHAR") for n in SHOW_INDEX_COLUMNS], rows)


def info_schema(s: EngineSession, name: str, at: int | None) -> Resolved | None:
    """``information_schema.statistics / key_column_usage / referential_constraints`` (None: another)."""
    if name not in INFO_TABLES:
        return None
    rows: list[tuple[Any, ...]] = []
    for d in cat.get_databases(s.conn, s.account_id, None, at):
        for t in cat.get_tables(s.conn, d.id, None, at):
            rows += info_rows(name, d.name, t)
    return Resolved(virtual_sql=values_select(INFO_COLUMNS[name], rows))


INFO_COLUMNS = {
    "statistics": STATISTICS_COLUMNS,
    "key_column_usage": KEY_COLUMN_USAGE_COLUMNS,
    "referential_constraints": REFERENTIAL_CONSTRAINTS_COLUMNS,
}


def info_rows(name: str, db: str, t: TableRow) -> list[tuple[Any, ...]]:
    """One table's rows of ``information_schema.<name>`` (also cached per table by ``sql/info_rows.py``)."""
    sch = t.schema
    rows: list[tuple[Any, ...]] = []
    if name == "statistics":
        rows += [
            ("def", db, t.name, 0 if unique else 1, db, key, pos, col, "A", 0, None, None,
             _nullable(sch, col), "", "", "", "YES" if vis else "NO", None)
            for key, unique, pos, col, vis in key_parts(sch)
        ]
    for fk in sch.foreign_keys:
        ref_db = fk.get("ref_db") or db
        if name == "key_column_usage":
            rows += [
                ("def", db, fk["name"], "def", db, t.name, col, i, i, ref_db, fk["ref_table"], ref)
                for i, (col, ref) in enumerate(zip(fk["columns"], fk["ref_columns"], strict=True), 1)
            ]
        elif name == "referential_constraints":
            rows.append(("def", db, fk["name"], "def", ref_db, "PRIMARY", "NONE", fk["on_update"],
                         fk["on_delete"], t.name, fk["ref_table"]))
    return rows
