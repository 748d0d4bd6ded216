"""Views and sequences in ``information_schema.tables / views / columns``.

Why: MatrixOne's ``information_schema`` is a set of views over ``mo_catalog.mo_tables`` and
``mo_columns`` (``pkg/util/sysview/predefined.go``), and a view or a sequence is a ``mo_tables`` row
like a table, told apart by ``relkind`` (``'v'`` view, ``'S'`` sequence, ``'r'`` table;
``pkg/catalog/types.go``). So a tool listing an account's objects through ``information_schema``
sees its views and sequences; matrixone_lite keeps views in ``__mo_views`` and sequences as user
tables whose DDL is a ``CREATE SEQUENCE`` (``storage/sequences.py``), so this module gives the rows
MatrixOne's view definitions would compute for them:

- ``TABLES``: ``TABLE_TYPE`` is ``'VIEW'`` for a view, ``'BASE TABLE'`` for a table and
  ``'INTERNAL TABLE'`` for every other kind (a sequence); ``ENGINE`` is ``'Tae'`` for tables only;
  ``VERSION``/``TABLE_ROWS`` are NULL for views.
- ``VIEWS``: ``VIEW_DEFINITION`` is ``mo_tables.rel_createsql``, i.e. the ``CREATE VIEW`` statement
  as typed, ``CHECK_OPTION 'NONE'``, ``IS_UPDATABLE 'YES'``, ``SECURITY_TYPE 'DEFINER'``.
- ``COLUMNS``: MatrixOne stores a view's columns in ``mo_columns`` at creation, so they are listed;
  here they are the columns the view's body gives when read (as ``DESC`` of the view shows them).
"""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING, Any

from matrixone_lite.errors import MOError
from matrixone_lite.sql import views
from matrixone_lite.sql.show import column_key, values_select
from matrixone_lite.storage import views as vcat
from matrixone_lite.storage.catalog import DatabaseRow, TableRow, TableSchema
from matrixone_lite.storage.sequences import is_sequence

if TYPE_CHECKING:
    from matrixone_lite.engine import EngineSession

# MatrixOne's information_schema.VIEWS columns, in order (predefined.go InformationSchemaViewsDDL)
VIEWS_COLUMNS = [
    "TABLE_CATALOG", "TABLE_SCHEMA", "TABLE_NAME", "VIEW_DEFINITION", "CHECK_OPTION", "IS_UPDATABLE",
    "DEFINER", "SECURITY_TYPE", "CHARACTER_SET_CLIENT", "COLLATION_CONNECTION",
]


def table_row(d: DatabaseRow, t: TableRow) -> tuple[Any, ...]:
    """One ``information_schema.tables`` row (lite's TABLES_COLUMNS) for a table or a sequence."""
    if is_sequence(t):  # relkind 'S': MatrixOne's CASE falls through to 'INTERNAL TABLE', ENGINE NULL
        return ("def", d.name, t.name, "INTERNAL TABLE", None, 10, "Dynamic", 0, None, "")
    return ("def", d.name, t.name, "BASE TABLE", "Tae", 10, "Dynamic", 0, None, "")


def view_table_rows(s: EngineSession, dbs: list[DatabaseRow], at: int | None) -> list[tuple[Any, ...]]:
    """``information_schema.tables`` rows of the views of ``dbs`` (now or at ``at``)."""
    return [
        ("def", d.name, v.name, "VIEW", None, None, "Dynamic", None, None, "")
        for d in dbs
        for v in _views(s, d, at)
    ]


def views_select(s: EngineSession, dbs: list[DatabaseRow], at: int | None) -> str:
    """The SELECT standing for ``information_schema.views`` (now or at ``at``)."""
    rows = [
        ("def", d.name, v.name, v.create_sql, "NONE", "YES", None, "DEFINER", "utf8mb4", "utf8mb4_0900_ai_ci")
        for d in dbs
        for v in _views(s, d, at)
    ]
    return values_select(VIEWS_COLUMNS, rows)


def view_column_rows(s: EngineSession, dbs: list[DatabaseRow], at: int | None) -> list[tuple[Any, ...]]:
    """``information_schema.columns`` rows (lite's COLUMNS_COLUMNS) of the views of ``dbs``.

    A view whose body no longer binds (a table it reads was dropped) has no rows here: its columns
    cannot be computed without MatrixOne's copy of them made at creation.
    """
    rows: list[tuple[Any, ...]] = []
    for d in dbs:
        for v in _views(s, d, at):
            try:
                cols = views.view_columns(s, v, at)
            except (MOError, sqlite3.Error):
                continue
            sch = TableSchema(cols)
            for i, c in enumerate(cols, 1):
                rows.append(("def", d.name, v.name, c.name, i, c.default, "YES" if c.nullable else "NO",
                             c.type.lower(), c.scale, c.type_text, column_key(sch, c.name), "", ""))
    return rows


def _views(s: EngineSession, d: DatabaseRow, at: int | None) -> list[vcat.ViewRow]:
    """The database's views now or at ``at``, one (the current definition) per name, by name."""
    latest: dict[str, vcat.ViewRow] = {}
    for v in vcat.get_views(s.conn, d.id, None, at):
        latest[v.name] = v  # oldest first: the last one wins
    return [latest[n] for n in sorted(latest)]
