"""SHOW / DESCRIBE statements and the virtual information_schema tables, built from the catalog."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from matrixone_lite.sql.ddl import desc_default, display_type
from matrixone_lite.storage.catalog import TableSchema
from matrixone_lite.storage.storage import SYSTEM_DATABASES

IDENT = r"(?:`(?:[^`]|``)+`|[\w$]+)"


def unquote_ident(s: str) -> str:
    s = s.strip()
    if len(s) >= 2 and s[0] == "`" and s[-1] == "`":
        return s[1:-1].replace("``", "`")
    return s


def like_to_regex(pattern: str) -> re.Pattern[str]:
    out = ""
    for ch in pattern:
        out += ".*" if ch == "%" else "." if ch == "_" else re.escape(ch)
    return re.compile(f"^{out}$", re.IGNORECASE | re.DOTALL)


def sql_literal(v: Any) -> str:
    if v is None:
        return "NULL"
    if isinstance(v, bool):
        return "1" if v else "0"
    if isinstance(v, int):
        return str(v)
    return "'" + str(v).replace("'", "''") + "'"


def values_select(columns: list[str], rows: Iterable[tuple[Any, ...]]) -> str:
    """A SELECT producing ``rows`` with ``columns`` (an empty result when there are no rows)."""
    # One multi-row VALUES, not a UNION ALL per row: SQLite caps compound SELECTs at 500 terms,
    # which an account with more than 500 columns (information_schema.columns) exceeded.
    parts = []
    for r in rows:
        if len(r) != len(columns):
            raise ValueError(f"row has {len(r)} values for {len(columns)} columns")
        parts.append("(" + ", ".join(sql_literal(v) for v in r) + ")")
    if not parts:
        return "SELECT " + ", ".join(f'NULL AS "{c}"' for c in columns) + " WHERE 0"
    names = ", ".join(f'column{i} AS "{c}"' for i, c in enumerate(columns, 1))
    return f"SELECT {names} FROM (VALUES {', '.join(parts)})"  # noqa: S608 - every value is a sql_literal


def column_key(schema: TableSchema, name: str) -> str:
    low = name.lower()
    if any(p.lower() == low for p in schema.primary_key):
        return "PRI"
    if any(u and u[0].lower() == low for u in schema.unique):
        return "UNI"
    if any(i.get("unique") and [c.lower() for c in i["columns"]] == [low] for i in schema.indexes):
        return "UNI"
    if any(i["columns"] and i["columns"][0].lower() == low for i in schema.indexes):
        return "MUL"
    return ""


def describe_rows(schema: TableSchema) -> list[tuple[Any, ...]]:
    rows = []
    for c in schema.columns:
        rows.append(
            (
                c.name,
                display_type(c.type_text),
                "YES" if c.nullable else "NO",
                column_key(schema, c.name),
                desc_default(c.default),
                "auto_increment" if c.auto_increment else "",
                "",
            )
        )
    return rows


DESCRIBE_COLUMNS = ["Field", "Type", "Null", "Key", "Default", "Extra", "Comment"]

TABLES_COLUMNS = [
    "TABLE_CATALOG", "TABLE_SCHEMA", "TABLE_NAME", "TABLE_TYPE", "ENGINE", "VERSION", "ROW_FORMAT",
    "TABLE_ROWS", "CREATE_TIME", "TABLE_COMMENT",
]
COLUMNS_COLUMNS = [
    "TABLE_CATALOG", "TABLE_SCHEMA", "TABLE_NAME", "COLUMN_NAME", "ORDINAL_POSITION", "COLUMN_DEFAULT",
    "IS_NULLABLE", "DATA_TYPE", "NUMERIC_SCALE", "COLUMN_TYPE", "COLUMN_KEY", "EXTRA", "COLUMN_COMMENT",
]
SCHEMATA_COLUMNS = ["CATALOG_NAME", "SCHEMA_NAME", "DEFAULT_CHARACTER_SET_NAME", "DEFAULT_COLLATION_NAME"]


def system_databases() -> tuple[str, ...]:
    return SYSTEM_DATABASES
