"""Physical tables of a user table: ``t_N`` (current rows + ``__mo_ts``), ``h_N`` (history), triggers.

The SQLite declared types are chosen so that ``PARSE_DECLTYPES`` converters (``storage/codec.py``)
give DECIMAL/DATE/DATETIME values back with their MySQL types, even through subqueries. Exact
numbers (DECIMAL, BIGINT UNSIGNED) are TEXT with the numeric ``MO_DEC`` collation (see codec.py).
"""

from __future__ import annotations

import sqlite3

from matrixone_lite.storage.catalog import ColumnDef, TableSchema
from matrixone_lite.storage.codec import COLLATION, canonical, parse_decimal, quantize
from matrixone_lite.storage.reserved import check_columns

INT_TYPES = {"TINYINT", "SMALLINT", "MEDIUMINT", "INT", "INTEGER", "BIGINT", "BOOL", "BOOLEAN", "BIT", "YEAR"}
FLOAT_TYPES = {"FLOAT", "DOUBLE", "REAL"}
DECIMAL_TYPES = {"DECIMAL", "NUMERIC", "DEC"}
BLOB_TYPES = {"BLOB", "BINARY", "VARBINARY", "TINYBLOB", "MEDIUMBLOB", "LONGBLOB"}


def qi(name: str) -> str:
    """Quote an SQLite identifier."""
    return '"' + name.replace('"', '""') + '"'


def is_unsigned_bigint(col: ColumnDef) -> bool:
    """BIGINT UNSIGNED beyond SQLite's signed 64 bits; an AUTO_INCREMENT one stays a rowid INTEGER."""
    return col.type == "BIGINT" and "unsigned" in col.type_text.lower() and not col.auto_increment


def physical_type(col: ColumnDef) -> str:
    """SQLite declared type for a MySQL column type (its first word selects the converter)."""
    t = col.type
    if is_unsigned_bigint(col):
        return "UBIGTEXT"
    if t in INT_TYPES:
        return "INTEGER"
    if t in FLOAT_TYPES:
        return "REAL"
    if t in DECIMAL_TYPES:
        return f"DECTEXT_{col.scale or 0}"
    if t == "DATE":
        return "DATE_TEXT"
    if t == "DATETIME":
        return "DATETIME_TEXT"
    if t == "TIMESTAMP":
        return "TIMESTAMP_TEXT"
    if t in BLOB_TYPES:
        return "BLOB"
    return "TEXT"


def physical_decl(col: ColumnDef) -> str:
    """Declared type plus the numeric collation for exact-number columns."""
    t = physical_type(col)
    return f"{t} COLLATE {COLLATION}" if t.startswith(("DECTEXT_", "UBIGTEXT")) else t


def physical_default(col: ColumnDef) -> str | None:
    """SQLite DEFAULT clause body for the column's MySQL default (None: no default)."""
    d = col.default
    if d is None:
        return None
    up = d.upper()
    if up.startswith("CURRENT_TIMESTAMP") or up.startswith("NOW(") or up.startswith("LOCALTIMESTAMP"):
        return "(mo_now())"
    if up == "NULL":
        return "NULL"
    if up in ("TRUE", "FALSE"):
        return "1" if up == "TRUE" else "0"
    if col.type in DECIMAL_TYPES or is_unsigned_bigint(col):
        v = parse_decimal(d.strip("'\""))
        if v is not None:  # stored like an inserted value: canonical text at the column's scale
            text = canonical(quantize(v, col.scale or 0)) if col.type in DECIMAL_TYPES else str(int(v))
            return "'" + text + "'"
    return f"({d})"


def table_names(table_id: int) -> tuple[str, str]:
    return f"t_{table_id}", f"h_{table_id}"


def create_physical(conn: sqlite3.Connection, table_id: int, schema: TableSchema) -> None:
    """Create ``t_N``, ``h_N``, their indexes and the history triggers."""
    check_columns([c.name for c in schema.columns])  # ``__mo_*`` would clash with history columns
    t, h = table_names(table_id)
    cols: list[str] = []
    pk = [p.lower() for p in schema.primary_key]
    rowid_pk = False
    for c in schema.columns:
        part = f"{qi(c.name)} {physical_decl(c)}"
        if len(pk) == 1 and pk[0] == c.name.lower() and physical_type(c) == "INTEGER":
            part += " PRIMARY KEY"
            if c.auto_increment:
                part += " AUTOINCREMENT"
            rowid_pk = True
        if not c.nullable:
            part += " NOT NULL"
        dflt = physical_default(c)
        if dflt is not None:
            part += f" DEFAULT {dflt}"
        cols.append(part)
    cols.append("__mo_ts INTEGER")
    if pk and not rowid_pk:
        cols.append("PRIMARY KEY (" + ", ".join(qi(p) for p in schema.primary_key) + ")")
    for u in schema.unique:
        cols.append("UNIQUE (" + ", ".join(qi(x) for x in u) + ")")
    conn.execute(f"CREATE TABLE {t} (" + ", ".join(cols) + ")")
    # one full index serves commit stamping (``__mo_ts IS NULL``) and the COUNT(*) at T fast path
    conn.execute(f"CREATE INDEX {t}_ts ON {t}(__mo_ts)")
    for k, idx in enumerate(schema.indexes):
        kind = "UNIQUE INDEX" if idx.get("unique") else "INDEX"
        conn.execute(f"CREATE {kind} {t}_i{k} ON {t} (" + ", ".join(qi(c) for c in idx["columns"]) + ")")
    hcols = [f"{qi(c.name)} {physical_decl(c)}" for c in schema.columns]
    conn.execute(f"CREATE TABLE {h} (" + ", ".join(hcols) + ", __mo_begin INTEGER, __mo_end INTEGER)")
    # covers stamping (``__mo_end IS NULL``), GC (``__mo_end <= horizon``) and COUNT(*) at T
    conn.execute(f"CREATE INDEX {h}_eb ON {h}(__mo_end, __mo_begin)")
    names = ", ".join(qi(c.name) for c in schema.columns)
    old = ", ".join("OLD." + qi(c.name) for c in schema.columns)
    for kind in ("UPDATE", "DELETE"):
        body = f"INSERT INTO {h} ({names}, __mo_begin, __mo_end) VALUES ({old}, OLD.__mo_ts, NULL)"  # noqa: S608
        conn.execute(
            f"CREATE TRIGGER {t}_{kind[0].lower()} AFTER {kind} ON {t} WHEN OLD.__mo_ts IS NOT NULL "
            f"BEGIN {body}; END"
        )


def drop_physical(conn: sqlite3.Connection, table_id: int) -> None:
    t, h = table_names(table_id)
    conn.execute(f"DROP TABLE IF EXISTS {t}")
    conn.execute(f"DROP TABLE IF EXISTS {h}")


def row_arms(table_id: int, at: int | None) -> list[tuple[str, str]]:
    """(physical table, filter) of each part of the table's rows now (``at`` None) or at ``at``.

    Now: the live table (with the reading connection's own uncommitted changes). At ``at`` (int
    ns, inlined safely): the live rows committed by then, the history versions alive at ``at``, and
    the versions the reading connection's own open transaction replaced (``__mo_end`` pending).
    ``select_at`` is their ``UNION ALL``; the fingerprint fast path aggregates each one on its own.
    """
    t, h = table_names(table_id)
    if at is None:
        return [(t, "")]
    at = int(at)
    # ``+__mo_ts``: a full scan beats the ``__mo_ts`` index when most rows are older than ``at``
    return [(t, f"+__mo_ts <= {at}"), (h, f"__mo_end > {at} AND __mo_begin <= {at}"),
            (h, f"__mo_end IS NULL AND __mo_begin <= {at}")]


def _select_arms(table_id: int, schema: TableSchema, at: int | None) -> str:
    names = ", ".join(qi(c.name) for c in schema.columns)
    return " UNION ALL ".join(f"SELECT {names} FROM {t}" + (f" WHERE {w}" if w else "")  # noqa: S608 - quoted, int
                              for t, w in row_arms(table_id, at))


def select_current(table_id: int, schema: TableSchema) -> str:
    """Rows as they are now (including the reading connection's own uncommitted changes)."""
    return _select_arms(table_id, schema, None)


def select_at(table_id: int, schema: TableSchema, at: int) -> str:
    """Rows of the table as committed at instant ``at`` (int ns); ``at`` is an int, inlined safely."""
    return _select_arms(table_id, schema, int(at))


def ensure_indexes(conn: sqlite3.Connection, table_id: int) -> None:
    """Give a table created by an older version the indexes the fast paths rely on."""
    t, h = table_names(table_id)
    conn.execute(f"CREATE INDEX IF NOT EXISTS {t}_ts ON {t}(__mo_ts)")
    conn.execute(f"DROP INDEX IF EXISTS {t}_p")
    conn.execute(f"CREATE INDEX IF NOT EXISTS {h}_eb ON {h}(__mo_end, __mo_begin)")
    conn.execute(f"DROP INDEX IF EXISTS {h}_e")
    conn.execute(f"DROP INDEX IF EXISTS {h}_p")


def count_sql(table_id: int, at: int | None, pending: bool = False) -> str:
    """SQL counting the table's rows now (with the reader's own uncommitted rows) or at ``at``.

    At ``at``: the current rows committed by then plus the history versions alive at ``at``,
    both answered from covering indexes (``t_N(__mo_ts)``, ``h_N(__mo_end, __mo_begin)``).
    ``COUNT(*) - newer`` walks only the index entries of rows written after ``at``, so a read in
    the recent past costs about a plain COUNT(*). ``pending``: the reading connection has an open
    write transaction, whose uncommitted versions (NULL stamps) must be accounted for too.
    """
    t, h = table_names(table_id)
    if at is None:
        return f"SELECT COUNT(*) FROM {t}"  # noqa: S608 - internal name
    at = int(at)
    sql = (
        f"SELECT (SELECT COUNT(*) FROM {t}) - (SELECT COUNT(*) FROM {t} WHERE __mo_ts > {at})"  # noqa: S608 - int
        f" + (SELECT COUNT(*) FROM {h} WHERE __mo_end > {at} AND __mo_begin <= {at})"
    )
    if pending:
        sql += (
            f" - (SELECT COUNT(*) FROM {t} WHERE __mo_ts IS NULL)"  # noqa: S608 - internal names
            f" + (SELECT COUNT(*) FROM {h} WHERE __mo_end IS NULL AND __mo_begin <= {at})"
        )
    return sql
