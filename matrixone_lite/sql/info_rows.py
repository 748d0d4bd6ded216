"""``information_schema.columns`` / ``.tables`` from per-connection TEMP rows instead of a VALUES literal.

Why: building these virtual tables from the catalog on every read cost ~90 ms for 1,000 tables
(one JSON parse per table, one SQL literal per value, then SQLite preparing a 2,000-row
``VALUES``), twice per verification (at T and now). A catalog row of ``__mo_tables`` never changes
once committed (a new version is a new ``id``, ``AUTOINCREMENT`` so never reused; only
``dropped_ts`` is set), so the rows a table contributes are a pure function of its ``id``. They are
inserted once per SQLite connection into a TEMP table keyed by ``id`` and every read, at any
instant and for any account, selects the ids visible to that account at that instant: the catalog
as of ``T`` for ``{MO_TS = T}``, and any DDL, restore or drop is seen at once because the visible
ids are read from the catalog each time. Only the rows are cached, never the visibility.

TEMP tables take part in the connection's transaction, so the cache is used only when the
connection is not inside one (a ROLLBACK would take cached rows away, and a session's own
uncommitted DDL must be read as it is): those reads take the original VALUES path
(:func:`matrixone_lite.sql.show.values_select`), which stays the reference the tests compare with.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from typing import Any

from matrixone_lite.sql import indexes
from matrixone_lite.sql import info_schema_relations as relations
from matrixone_lite.sql.show import COLUMNS_COLUMNS, TABLES_COLUMNS, column_key, values_select
from matrixone_lite.storage.catalog import DatabaseRow, TableRow, visible

TABLE_FIELDS = "id, database_id, name, columns_json, ddl, auto_increment_col, created_ts, dropped_ts"  # TableRow

RowBuilder = Callable[[DatabaseRow, TableRow], list[tuple[Any, ...]]]


def column_rows(d: DatabaseRow, t: TableRow) -> list[tuple[Any, ...]]:
    """The ``information_schema.columns`` rows of one table (the one definition both paths use)."""
    sch = t.schema
    return [
        (
            "def", d.name, t.name, c.name, i, c.default, "YES" if c.nullable else "NO",
            c.type.lower(), c.scale, c.type_text, column_key(sch, c.name),
            "auto_increment" if c.auto_increment else "", "",
        )
        for i, c in enumerate(sch.columns, 1)
    ]


def table_rows(d: DatabaseRow, t: TableRow) -> list[tuple[Any, ...]]:
    """The ``information_schema.tables`` row of one table or sequence."""
    return [relations.table_row(d, t)]


def _keys(name: str) -> RowBuilder:
    return lambda d, t: indexes.info_rows(name, d.name, t)


# name -> (TEMP table, its columns, the rows of one table)
KINDS: dict[str, tuple[str, list[str], RowBuilder]] = {
    "columns": ("__mo_info_columns", COLUMNS_COLUMNS, column_rows),
    "tables": ("__mo_info_tables", TABLES_COLUMNS, table_rows),
    **{name: (f"__mo_info_{name}", indexes.INFO_COLUMNS[name], _keys(name)) for name in indexes.INFO_TABLES},
}
# the VALUES path's order: databases by name, their tables by name, each table's rows as built
ORDER = "__db, __tname, __seq"
ENABLED = True  # False: every read takes the VALUES path (tests compare the two)
LOADED = "__mo_info_loaded"  # (kind, tid) already inserted on this connection


def _value(v: Any) -> Any:
    """A value as ``sql_literal`` would have written it into the VALUES (bool as 0/1, others as text)."""
    if v is None or isinstance(v, int):
        return int(v) if isinstance(v, bool) else v
    return str(v)


def _ensure(conn: sqlite3.Connection) -> None:
    if conn.execute("SELECT 1 FROM sqlite_temp_master WHERE name = ?", (LOADED,)).fetchone():
        return
    for table, cols, _ in KINDS.values():
        names = ", ".join(f'"{c}"' for c in cols)
        conn.execute(f"CREATE TEMP TABLE IF NOT EXISTS {table}(__tid INTEGER NOT NULL, __db TEXT NOT NULL, "
                     f"__tname TEXT NOT NULL, __seq INTEGER NOT NULL, {names})")
        conn.execute(f"CREATE INDEX IF NOT EXISTS temp.{table}_tid ON {table}(__tid)")
    conn.execute(f"CREATE TEMP TABLE IF NOT EXISTS {LOADED}(kind TEXT NOT NULL, tid INTEGER NOT NULL, "
                 "PRIMARY KEY (kind, tid))")


def visible_tables(conn: sqlite3.Connection, dbs: Sequence[DatabaseRow], at: int | None
                   ) -> list[tuple[DatabaseRow, int, int]]:
    """(database, table id, created_ts) of every table of ``dbs`` alive at ``at`` (None: now)."""
    if not dbs:
        return []
    names = {d.id: d for d in dbs}
    cond, params = visible(at)
    marks = ", ".join("?" * len(names))
    sql = f"SELECT database_id, id, created_ts FROM __mo_tables WHERE database_id IN ({marks}) AND {cond}"  # noqa: S608
    return [(names[d], tid, ts) for d, tid, ts in conn.execute(sql, (*names, *params))]


def cached_select(conn: sqlite3.Connection, kind: str, dbs: Sequence[DatabaseRow], at: int | None,
                  extra: Sequence[tuple[Any, ...]] = ()) -> str | None:
    """A SELECT over the TEMP rows of the tables visible at ``at``; None: use the VALUES path.

    ``extra`` rows (views' rows, computed per read: a view's columns come from binding its body)
    follow the tables' rows, as on the VALUES path. None when the connection is inside a
    transaction, or a visible table is still pending (``created_ts`` -1: uncommitted DDL).
    """
    if conn.in_transaction:
        return None
    table, cols, build = KINDS[kind]
    tables = visible_tables(conn, dbs, at)
    if any(ts is None or ts < 0 for _, _, ts in tables):
        return None
    _ensure(conn)
    loaded = {tid for (tid,) in conn.execute(f"SELECT tid FROM {LOADED} WHERE kind = ?", (kind,))}  # noqa: S608
    missing = [(db, tid) for db, tid, _ in tables if tid not in loaded]
    if missing:
        _load(conn, kind, table, cols, build, missing)
    names = ", ".join(f'"{c}"' for c in cols)
    ids = ", ".join(str(tid) for _, tid, _ in tables)
    if not extra:
        return f"SELECT {names} FROM temp.{table} WHERE __tid IN ({ids}) ORDER BY {ORDER}"  # noqa: S608 - ints
    tail = values_select(["__g", "__db", "__tname", "__seq", *cols], [(1, "", "", k, *r) for k, r in enumerate(extra)])
    return (f"SELECT {names} FROM (SELECT 0 AS __g, __db, __tname, __seq, {names} "  # noqa: S608 - ints, fixed names
            f"FROM temp.{table} WHERE __tid IN ({ids}) UNION ALL SELECT * FROM ({tail})) ORDER BY __g, {ORDER}")


def _load(conn: sqlite3.Connection, kind: str, table: str, cols: list[str], build: RowBuilder,
          missing: list[tuple[DatabaseRow, int]]) -> None:
    rows: list[tuple[Any, ...]] = []
    for i in range(0, len(missing), 500):
        part = dict((tid, d) for d, tid in missing[i : i + 500])
        sql = f"SELECT {TABLE_FIELDS} FROM __mo_tables WHERE id IN ({', '.join('?' * len(part))})"  # noqa: S608
        for r in conn.execute(sql, tuple(part)):
            t = TableRow(*r)  # a table collected meanwhile is not visible any more: nothing to cache
            rows.extend((t.id, part[t.id].name, t.name, k, *(_value(v) for v in row))
                        for k, row in enumerate(build(part[t.id], t)))
    marks = ", ".join("?" * (len(cols) + 4))
    conn.execute("SAVEPOINT mo_info_rows")  # one write of the TEMP database, never half of it
    try:
        conn.executemany(f"INSERT INTO {table} VALUES ({marks})", rows)  # noqa: S608 - fixed names
        conn.executemany(f"INSERT OR IGNORE INTO {LOADED}(kind, tid) VALUES (?, ?)",  # noqa: S608
                         [(kind, tid) for _, tid in missing])
    except BaseException:
        conn.execute("ROLLBACK TO mo_info_rows")
        conn.execute("RELEASE mo_info_rows")
        raise
    conn.execute("RELEASE mo_info_rows")
