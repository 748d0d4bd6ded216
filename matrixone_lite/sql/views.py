"""Views: CREATE/DROP VIEW, SHOW CREATE VIEW, DESC of a view and reads through views.

A view is kept as its ``CREATE VIEW`` text in the versioned catalog (``storage/views.py``) and is
expanded where it is read: a reference to ``v`` becomes a subquery holding the translated view
body, whose own tables resolve in the view's default database (MatrixOne's ``ViewData``) and are
read at the instant of the outer reference. That is MatrixOne's ``bindView``: a time-travel read
``SELECT * FROM v {MO_TS = T}`` uses the definition current at ``T`` over the tables as of ``T``.
Nothing is materialised, so a view whose table is gone fails when read, with MatrixOne's text.
The engine keeps only dispatch lines; everything else lives here.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import sqlglot
from sqlglot import exp

from matrixone_lite.errors import (
    MOError,
    invalid_input,
    no_database_selected,
    not_supported,
    syntax_error,
    table_exists,
)
from matrixone_lite.results import Result
from matrixone_lite.sql.projections import alias_projections
from matrixone_lite.sql.show import describe_rows
from matrixone_lite.sql.translate import Resolved, TypeInfo, translate
from matrixone_lite.storage import catalog as cat
from matrixone_lite.storage import views as vcat
from matrixone_lite.storage.catalog import ColumnDef, TableSchema
from matrixone_lite.storage.physical import qi
from matrixone_lite.storage.views import ViewRow

if TYPE_CHECKING:
    from matrixone_lite.engine import EngineSession
    from matrixone_lite.storage.storage import Tx

MAX_NESTING = 32  # views over views deeper than this are taken for a cycle
SHOW_CREATE_VIEW_COLUMNS = ["View", "Create View", "character_set_client", "collation_connection"]
_BODY = re.compile(r"\bAS\s*(?=\(*\s*(?:SELECT|WITH|VALUES)\b)", re.I)
_SHOW_CREATE = re.compile(
    r"^SHOW\s+CREATE\s+(?P<kind>VIEW|TABLE)\s+(?P<q1>`(?:[^`]|``)+`|[^\s.`]+)(?:\s*\.\s*(?P<q2>`(?:[^`]|``)+`|[^\s.`]+))?$",
    re.I,
)
_depth = threading.local()


def bad_view(db: str, name: str) -> MOError:
    """``moerr.ErrBadView`` (20426): DROP VIEW of something that is not a view."""
    return MOError(20426, f"invalid view '{db}.{name}'")


def view_wrong_list() -> MOError:
    """``moerr.ErrViewWrongList`` (20318): the column list does not match the SELECT list."""
    return MOError(
        20318,
        "In definition of view, derived table or common table expression, "
        "SELECT list and column names list have different column counts",
    )


def table_gone(name: str) -> MOError:
    """What MatrixOne answers when a view's table no longer exists (``ErrParseError``, 20303)."""
    return MOError(20303, f'SQL parser error: table "{name}" does not exist')


def self_reference(name: str) -> MOError:
    """MatrixOne's ``bindView`` refusal of a view that reads itself (directly or through others)."""
    return MOError(20303, f"SQL parser error: view {name} reference itself")


def _unquote(ident: str) -> str:
    if ident.startswith("`") and ident.endswith("`"):
        return ident[1:-1].replace("``", "`")
    return ident


@dataclass
class Expanded:
    """A view body translated to SQLite, with the view's column names and what is known of their types."""

    sql: str
    names: list[str]
    types: list[TypeInfo | None]
    sources: list[ColumnDef | None]


def _parse(create_sql: str) -> tuple[exp.Create, list[str], str]:
    tree = sqlglot.parse_one(create_sql, read="mysql")
    if not isinstance(tree, exp.Create) or tree.expression is None:
        raise syntax_error(create_sql[:40], 0)
    cols = [e.name.lower() for e in tree.this.expressions] if isinstance(tree.this, exp.Schema) else []
    m = _BODY.search(create_sql)
    body_text = create_sql[m.end() :] if m else tree.expression.sql(dialect="mysql")
    return tree, cols, body_text


def find(s: EngineSession, db: str, name: str, at: int | None = None) -> ViewRow | None:
    """The view ``db.name`` (now or at ``at``), None when there is none (or no such database)."""
    rows = cat.get_databases(s.conn, s.account_id, db.lower(), at)
    if not rows:
        return None
    views = vcat.get_views(s.conn, rows[-1].id, name.lower(), at)
    return views[-1] if views else None


def expand(s: EngineSession, view: ViewRow, at: int | None) -> Expanded:
    """Translate the view body: its tables resolve in its default database, read at ``at``."""
    depth = getattr(_depth, "n", 0)
    if depth >= MAX_NESTING:
        raise self_reference(view.name)
    tree, cols, body_text = _parse(view.create_sql)
    body = tree.expression
    if isinstance(body, exp.Select):
        alias_projections(body, body_text)
    default = view.default_db

    def resolve(db: str | None, name: str, a: int | None) -> Resolved:
        if db is None and default is None:
            raise no_database_selected()
        try:
            return s._resolve(db or default, name, a if a is not None else at)
        except MOError as e:
            if e.code == 1146:
                raise table_gone(name) from None
            raise

    ctx = s._ctx([])
    ctx.database = default
    ctx.resolve = resolve
    _depth.n = depth + 1
    try:
        tr = translate(body, ctx)
    finally:
        _depth.n = depth
    if tr.kind != "select":
        raise syntax_error(view.create_sql[:40], 0)
    probe = s.conn.execute(f"SELECT * FROM ({tr.sql}) LIMIT 0")  # noqa: S608 - translated SQL
    inner = [d[0] for d in probe.description or []]
    n = len(inner)
    if cols and len(cols) != n:
        raise view_wrong_list()
    types: list[TypeInfo | None] = list(tr.types) if not tr.star and len(tr.types) == n else [None] * n
    sources: list[ColumnDef | None] = [None] * n
    if tr.source_columns is not None and len(tr.source_columns) == n:
        sources = list(tr.source_columns)
    for i, src in enumerate(sources):
        if types[i] is None and src is not None:
            types[i] = (src.type, src.scale)
    names = cols or [c.lower() for c in inner]
    sql = tr.sql
    if cols:
        cte = qi("__mo_view")
        sql = f"WITH {cte}({', '.join(qi(c) for c in cols)}) AS ({tr.sql}) SELECT * FROM {cte}"  # noqa: S608
    return Expanded(sql, names, types, sources)


def resolve(s: EngineSession, db: str, name: str, at: int | None) -> Resolved | None:
    """A reference to a view as a virtual table (None: ``db.name`` is not a view)."""
    view = find(s, db, name, at)
    if view is None:
        return None
    if getattr(_depth, "creating", None) == (db.lower(), name.lower()):
        raise self_reference(name)  # CREATE OR REPLACE VIEW a AS … a view reading a
    ex = expand(s, view, at)
    vt = {n: t for n, t in zip(ex.names, ex.types, strict=True) if t is not None}
    return Resolved(virtual_sql=ex.sql, virtual_types=vt, view=True)


def table_or_view(s: EngineSession, db: str, name: str, at: int | None) -> Resolved:
    """A user table, else a view of that name (tables first: the plain path costs no view lookup)."""
    try:
        _, t = s._table(db, name, at, query=True)
    except MOError as e:
        if e.code != 1146 or (v := resolve(s, db, name, at)) is None:
            raise
        return v
    return Resolved(table=t, at=at)


def _target(s: EngineSession, table: exp.Table) -> tuple[Any, str]:
    dbname = table.db or s.database
    if dbname is None:
        raise no_database_selected()
    return s._db(dbname), table.name.lower()


def create(s: EngineSession, tree: exp.Create, text: str) -> Result:
    """CREATE [OR REPLACE] VIEW [IF NOT EXISTS] [db.]v [(cols)] AS SELECT … (compile/ddl.go CreateView)."""

    if "{" in text:
        raise not_supported("time-travel hint in a view definition")
    table = tree.this.this if isinstance(tree.this, exp.Schema) else tree.this
    if not isinstance(table, exp.Table):
        raise syntax_error(text[:40], 0)
    d, name = _target(s, table)
    if cat.get_tables(s.conn, d.id, name):
        raise table_exists(name)
    old = vcat.get_views(s.conn, d.id, name)
    if old and tree.args.get("exists"):
        return Result()
    if old and not tree.args.get("replace"):
        raise table_exists(name)
    candidate = ViewRow(0, d.id, name, text, s.database, 0, None)
    _depth.creating = (d.name, name)
    try:
        expand(s, candidate, None)  # the body must bind now: missing tables, column-list count, cycles
    finally:
        _depth.creating = None

    def run(tx: Tx) -> Result:
        for v in old:
            vcat.drop_view(tx, v.id)
        vcat.create_view(tx, d.id, name, text, s.database)
        return Result()

    return s._ddl(run)


def drop(s: EngineSession, tree: exp.Drop, text: str) -> Result:
    """DROP VIEW [IF EXISTS] [db.]v (build_ddl.go buildDropView: one view per statement)."""

    tables = [t for t in tree.args.get("tables") or [] if isinstance(t, exp.Table)]
    if not tables:
        raise syntax_error(text[:40], 0)
    if len(tables) != 1:
        raise not_supported(f"drop multiple ({len(tables)}) view")
    t = tables[0]
    dbname = (t.db or s.database or "").lower()
    if not dbname:
        raise no_database_selected()
    name = t.name.lower()
    view = find(s, dbname, name)
    if view is None:
        if tree.args.get("exists"):
            return Result()
        s._db(dbname)  # an unknown database answers as such
        raise bad_view(dbname, name)

    def run(tx: Tx) -> Result:
        vcat.drop_view(tx, view.id)
        return Result()

    return s._ddl(run)


def ddl(s: EngineSession, tree: exp.Expression, text: str) -> Result:
    if isinstance(tree, exp.Create):
        return create(s, tree, text)
    assert isinstance(tree, exp.Drop)
    return drop(s, tree, text)


def show_create(s: EngineSession, sql: str, at: int | None) -> Result | None:
    """SHOW CREATE VIEW v, and SHOW CREATE TABLE on a view (MatrixOne answers both the same way)."""
    m = _SHOW_CREATE.match(sql)
    if m is None:
        return None
    q1, q2 = _unquote(m.group("q1")), m.group("q2")
    db, name = (q1, _unquote(q2)) if q2 is not None else (s.database, q1)
    if db is None:
        raise no_database_selected()
    is_view = m.group("kind").upper() == "VIEW"
    s._db(db, at)
    view = find(s, db, name, at)
    if view is None:
        if is_view:
            raise invalid_input(f"show view '{name}' is not a valid view")
        return None  # a table: the engine's SHOW CREATE TABLE
    return s._finish_show(SHOW_CREATE_VIEW_COLUMNS, [(name, view.create_sql, "utf8mb4", "utf8mb4_general_ci")])


def describe(s: EngineSession, db: str | None, name: str, at: int | None) -> Result | None:
    """DESC / SHOW COLUMNS of a view: its columns with the types of the columns they read."""
    dbname = db or s.database
    if dbname is None:
        return None
    view = find(s, dbname, name, at)
    if view is None:
        return None
    return s._finish_show(
        ["Field", "Type", "Null", "Key", "Default", "Extra", "Comment"],
        describe_rows(TableSchema(view_columns(s, view, at))),
    )


def view_columns(s: EngineSession, view: ViewRow, at: int | None) -> list[ColumnDef]:
    """The view's columns as DESC and information_schema.columns show them (types of what they read)."""
    ex = expand(s, view, at)
    cols: list[ColumnDef] = []
    for n, t, src in zip(ex.names, ex.types, ex.sources, strict=True):
        if src is not None:
            cols.append(ColumnDef(n, src.type, src.type_text, src.scale, src.nullable, src.default, False))
        elif t is not None:
            text = t[0].lower() if t[0] != "DECIMAL" else f"decimal(38,{t[1] or 0})"
            cols.append(ColumnDef(n, t[0], text, t[1]))
        else:
            cols.append(ColumnDef(n, "VARCHAR", "varchar(65535)"))
    return cols


def table_types(s: EngineSession, database_id: int, at: int | None) -> dict[str, str]:
    """``Table_type`` of each view of the database, for SHOW [FULL] TABLES."""
    return {n: "VIEW" for n in vcat.view_names(s.conn, database_id, at)}
