"""CREATE TABLE: MySQL column definitions -> :class:`TableSchema`, and SHOW CREATE TABLE text."""

from __future__ import annotations

import re
from typing import Any

from sqlglot import exp

from matrixone_lite.errors import MOError, not_supported
from matrixone_lite.sql import foreign_keys
from matrixone_lite.sql.guard import check_statement
from matrixone_lite.storage.catalog import ColumnDef, TableSchema
from matrixone_lite.storage.physical import DECIMAL_TYPES

_BASE_ALIASES = {"BOOLEAN": "BOOL", "INTEGER": "INT", "NUMERIC": "DECIMAL", "DEC": "DECIMAL", "REAL": "DOUBLE"}


def _type_of(dt: exp.DataType) -> tuple[str, str, int | None]:
    text = dt.sql(dialect="mysql")
    base = text.split("(")[0].split(" ")[0].upper()
    base = _BASE_ALIASES.get(base, base)
    scale: int | None = None
    if base in DECIMAL_TYPES:
        params = [p.this.name if isinstance(p.this, exp.Expression) else str(p.this) for p in dt.expressions]
        prec = int(params[0]) if params else 38  # MatrixOne: DECIMAL is decimal(38,0)
        scale = int(params[1]) if len(params) > 1 else 0
        text = f"DECIMAL({prec},{scale})"
    if base == "TIMESTAMP" and "(" not in text:
        text = "TIMESTAMP"
    head, sep, rest = text.partition("(")
    return base, head.lower() + sep + rest.replace(", ", ","), scale


def _names(node: exp.Expression) -> list[str]:
    out = []
    for e in node.expressions:
        if isinstance(e, exp.Ordered):
            e = e.this
        out.append(e.name.lower())
    return out


def column_from_def(e: exp.ColumnDef) -> tuple[ColumnDef, bool, bool]:
    """A column definition: (column, is primary key, is unique)."""
    kind = e.args.get("kind")
    if not isinstance(kind, exp.DataType):
        raise MOError(1064, f"column {e.name} has no type", "42000")
    base, text, scale = _type_of(kind)
    col = ColumnDef(e.name.lower(), base, text, scale)  # MatrixOne stores column names lower-cased
    is_pk = is_unique = False
    for cc in e.constraints:
        k = cc.kind
        if isinstance(k, exp.NotNullColumnConstraint):
            col.nullable = bool(k.args.get("allow_null"))
        elif isinstance(k, exp.PrimaryKeyColumnConstraint):
            is_pk = True
            col.nullable = False
        elif isinstance(k, exp.AutoIncrementColumnConstraint):
            col.auto_increment = True
        elif isinstance(k, exp.DefaultColumnConstraint):
            d = k.this
            if isinstance(d, exp.CurrentTimestamp) or (
                isinstance(d, exp.Anonymous) and d.name.upper() in ("NOW", "CURRENT_TIMESTAMP")
            ):
                col.default = "CURRENT_TIMESTAMP"
            elif isinstance(d, exp.Null):
                col.default = "NULL"
            elif isinstance(d, exp.Boolean):
                col.default = "1" if d.this else "0"
            else:
                check_statement(d)  # SQLite evaluates it on INSERT: no denied or engine-only function in it
                col.default = d.sql(dialect="sqlite")
        elif isinstance(k, exp.UniqueColumnConstraint):
            is_unique = True
    return col, is_pk, is_unique


def alter_schema(
    schema: TableSchema, actions: list[exp.Expression]
) -> tuple[TableSchema, list[tuple[str, str | None]], str | None]:
    """Apply ALTER TABLE actions: (new schema, [(new column, source column or None)], new name)."""
    cols = [ColumnDef(**vars(c)) for c in schema.columns]
    source: dict[str, str | None] = {c.name.lower(): c.name for c in cols}
    pk = list(schema.primary_key)
    uniques = [list(u) for u in schema.unique]
    indexes: list[dict[str, Any]] = [{**i, "columns": list(i["columns"])} for i in schema.indexes]
    fks: list[dict[str, Any]] = [dict(f) for f in schema.foreign_keys]
    new_name: str | None = None

    def find(name: str) -> int:
        for i, c in enumerate(cols):
            if c.name.lower() == name.lower():
                return i
        raise MOError(1054, f"Unknown column '{name}' in '{'table'}'", "42S22")

    for a in actions:
        if isinstance(a, exp.ColumnDef):
            if any(c.name.lower() == a.name.lower() for c in cols):
                raise MOError(1060, f"Duplicate column name '{a.name}'", "42S21")
            col, is_pk, is_unique = column_from_def(a)
            cols.append(col)
            source[col.name.lower()] = None
            if is_pk:
                pk = [col.name]
            if is_unique:
                uniques.append([col.name])
        elif isinstance(a, exp.Drop) and str(a.args.get("kind", "")).upper() == "COLUMN":
            for target in a.args.get("tables") or []:
                i = find(target.name)
                gone = cols.pop(i).name.lower()
                source.pop(gone, None)
                pk = [p for p in pk if p.lower() != gone]
                uniques = [u for u in uniques if gone not in (x.lower() for x in u)]
                indexes = [i for i in indexes if gone not in (x.lower() for x in i["columns"])]
        elif isinstance(a, exp.RenameColumn):
            i = find(a.this.name)
            old, new = cols[i].name, a.args["to"].name.lower()
            cols[i].name = new
            source[new.lower()] = source.pop(old.lower())
            pk = [new if p.lower() == old.lower() else p for p in pk]
            uniques = [[new if x.lower() == old.lower() else x for x in u] for u in uniques]
            for index in indexes:
                index["columns"] = [new if x.lower() == old.lower() else x for x in index["columns"]]
        elif isinstance(a, exp.ModifyColumn) and isinstance(a.this, exp.ColumnDef):
            i = find(a.this.name)
            col, _, is_unique = column_from_def(a.this)
            src = source.get(cols[i].name.lower())
            cols[i] = col
            source[col.name.lower()] = src
            if is_unique:
                uniques.append([col.name])
        elif isinstance(a, exp.AlterRename):
            new_name = a.this.name.lower()
        elif isinstance(a, exp.AddConstraint | exp.AlterIndex) or (
            isinstance(a, exp.Drop) and str(a.args.get("kind", "")).upper() in ("INDEX", "FOREIGN KEY")
        ):
            cur = TableSchema(cols, pk, uniques, indexes, fks)
            cur = key_action(cur, a)
            pk, uniques, indexes, fks = cur.primary_key, cur.unique, cur.indexes, cur.foreign_keys
        else:
            raise not_supported(f"ALTER TABLE {a.key}")
    if not cols:
        raise MOError(1090, "You can't delete all columns with ALTER TABLE; use DROP TABLE instead")
    mapping = [(c.name, source.get(c.name.lower())) for c in cols]
    return TableSchema(cols, pk, uniques, indexes, fks), mapping, new_name


def _key_names(schema: TableSchema) -> list[str]:
    return [i["name"].lower() for i in schema.indexes] + [u[0].lower() for u in schema.unique]


def with_index(
    schema: TableSchema, name: str | None, columns: list[str], unique: bool, visible: bool = True
) -> TableSchema:
    """The schema plus a named index (MySQL's 1061 when the name is taken, 1072 for a bad column).

    An unnamed index is named after its first column, as MatrixOne does (``add index(col1)`` -> ``col1``).
    """
    columns = [c.lower() for c in columns]
    name = (name or columns[0]).lower()
    if name in _key_names(schema):
        raise MOError(1061, f"Duplicate key name '{name}'", "42000")
    for c in columns:
        if schema.column(c) is None:
            raise MOError(1072, f"Key column '{c}' doesn't exist in table", "42000")
    idx = [*schema.indexes, {"name": name, "columns": columns, "unique": unique, "visible": visible}]
    return TableSchema(schema.columns, schema.primary_key, schema.unique, idx, schema.foreign_keys)


def without_index(schema: TableSchema, name: str) -> TableSchema:
    left = [i for i in schema.indexes if i["name"].lower() != name.lower()]
    uniques = [u for u in schema.unique if u[0].lower() != name.lower()]
    if len(left) == len(schema.indexes) and len(uniques) == len(schema.unique):
        raise MOError(1091, f"Can't DROP '{name}'; check that column/key exists", "42000")
    return TableSchema(schema.columns, schema.primary_key, uniques, left, schema.foreign_keys)


def _index_def(e: exp.Expression) -> tuple[str | None, list[str], bool, bool] | None:
    """(name, columns, unique, visible) of an index/unique-key definition node (None: not one)."""
    if isinstance(e, exp.IndexColumnConstraint):
        visible = all(o.args.get("visible") is not False for o in e.args.get("options") or [])
        name = e.this.name if isinstance(e.this, exp.Expression) and e.this.name else None
        return name, _names(e), False, visible
    if isinstance(e, exp.UniqueColumnConstraint) and isinstance(e.this, exp.Schema):
        target = e.this
        name = target.this.name if isinstance(target.this, exp.Expression) and target.this.name else None
        return name, _names(target), True, True
    return None


def key_action(schema: TableSchema, a: exp.Expression) -> TableSchema:
    """One ALTER TABLE key action: ADD [UNIQUE] INDEX|KEY, ADD FOREIGN KEY, DROP INDEX|FOREIGN KEY,
    ALTER INDEX ... VISIBLE|INVISIBLE."""
    if isinstance(a, exp.AlterIndex):
        name = a.this.name.lower()
        found = False
        idx = []
        for i in schema.indexes:
            if i["name"].lower() == name:
                i, found = {**i, "visible": a.args.get("visible") is not False}, True
            idx.append(i)
        if not found:
            raise MOError(1176, f"Key '{name}' doesn't exist in table", "42000")
        return TableSchema(schema.columns, schema.primary_key, schema.unique, idx, schema.foreign_keys)
    if isinstance(a, exp.Drop):
        name = (a.args.get("tables") or [exp.to_identifier("")])[0].name.lower()
        if str(a.args.get("kind", "")).upper() == "INDEX":
            return without_index(schema, name)
        left = [f for f in schema.foreign_keys if f["name"].lower() != name]
        if len(left) == len(schema.foreign_keys):
            raise MOError(1091, f"Can't DROP '{name}'; check that column/key exists", "42000")
        return TableSchema(schema.columns, schema.primary_key, schema.unique, schema.indexes, left)
    for e in a.expressions:
        fk = foreign_keys.from_node(e, "", schema.foreign_keys)
        if fk is not None:
            schema = TableSchema(schema.columns, schema.primary_key, schema.unique, schema.indexes,
                                 [*schema.foreign_keys, fk])
            continue
        d = _index_def(e)
        if d is None:
            raise not_supported(f"ALTER TABLE ADD {e.key}")
        schema = with_index(schema, *d)
    return schema


def schema_from_create(create: exp.Create) -> TableSchema:
    """Column definitions, primary key and unique keys of a ``CREATE TABLE (...)`` statement."""
    schema_node = create.this
    if not isinstance(schema_node, exp.Schema):
        raise not_supported("CREATE TABLE without column definitions")
    cols: list[ColumnDef] = []
    pk: list[str] = []
    uniques: list[list[str]] = []
    indexes: list[dict[str, Any]] = []
    fks: list[dict[str, Any]] = []
    table = create.this.this.name.lower() if isinstance(create.this.this, exp.Table) else ""
    for e in schema_node.expressions:
        if isinstance(e, exp.ColumnDef):
            col, is_pk, is_unique = column_from_def(e)
            if is_pk:
                pk = [e.name.lower()]
            if is_unique:
                uniques.append([e.name.lower()])
            cols.append(col)
        elif isinstance(e, exp.PrimaryKey):
            pk = _names(e)
        elif (d := _index_def(e)) is not None:
            name, names, unique, visible = d
            if unique and name is None:
                uniques.append(names)  # shown as UNIQUE KEY `<first column>`
            else:
                indexes.append({"name": (name or names[0]).lower(), "columns": names, "unique": unique,
                                "visible": visible})
        elif (fk := foreign_keys.from_node(e, table, fks)) is not None:
            fks.append(fk)
    for name in pk:
        for c in cols:
            if c.name.lower() == name.lower():
                c.nullable = False
    if not cols:
        raise MOError(1064, "table must have at least one column", "42000")
    return TableSchema(cols, pk, uniques, indexes, fks)


_INT_WIDTHS = {"tinyint": 8, "smallint": 16, "mediumint": 24, "int": 32, "integer": 32, "bigint": 64}
_NO_WIDTH = ("float", "double", "real", "date", "text", "tinytext", "mediumtext", "longtext", "json", "bool",
             "boolean", "blob", "tinyblob", "mediumblob", "longblob", "uuid")
_RE_TYPE = re.compile(r"^(?P<head>[a-z]+)(?:\((?P<args>[^)]*)\))?(?P<rest>.*)$", re.S)


def _split_type(type_text: str) -> tuple[str, str | None, str] | None:
    """(base, arguments, suffix such as ``unsigned``); None for ENUM/SET, whose values keep their case."""
    m = _RE_TYPE.match(type_text.strip().lower())
    if m is None or m.group("head") in ("enum", "set"):
        return None
    return m.group("head"), m.group("args"), m.group("rest").strip()


def create_type(type_text: str) -> str:
    """The type as MatrixOne's SHOW CREATE TABLE prints it: lower case, no integer display width
    (``int(11)`` -> ``int``), ``bool``, ``char(1)`` (MatrixOne's ``test/distributed/cases/ddl/*.result``)."""
    parts = _split_type(type_text)
    if parts is None:
        return type_text  # ENUM/SET keep their values as written
    head, args, rest = parts
    if head in _INT_WIDTHS:
        return "int" + (" " + rest if rest else "") if head == "integer" else head + (" " + rest if rest else "")
    if head == "boolean":
        return "bool"
    if head == "char" and args is None:
        return "char(1)"
    return head + (f"({args.replace(' ', '')})" if args is not None else "") + (" " + rest if rest else "")


def display_type(type_text: str) -> str:
    """The type as MatrixOne's DESC prints it: ``INT(32)``, ``INT UNSIGNED(32)``, ``VARCHAR(100)``,
    ``DECIMAL(7,2)``, ``DATE(0)``, ``DATETIME(6)``, ``TEXT(0)``; ENUM values keep their case."""
    parts = _split_type(type_text)
    if parts is None:
        hd, sep, tail = type_text.partition("(")
        return hd.upper() + sep + tail
    head, args, rest = parts
    unsigned = " UNSIGNED" if "unsigned" in rest else ""
    if head in _INT_WIDTHS:
        return f"{'INT' if head == 'integer' else head.upper()}{unsigned}({_INT_WIDTHS[head]})"
    if head in ("bool", "boolean"):
        return "BOOL(0)"
    if head in ("datetime", "timestamp", "time"):
        return f"{head.upper()}({args or 0})"
    if head in _NO_WIDTH:
        return f"{head.upper()}(0)"
    if head == "char" and args is None:
        return "CHAR(1)"
    return head.upper() + (f"({args.replace(' ', '')})" if args is not None else "") + unsigned


def desc_default(default: str | None) -> str | None:
    """DESC's Default column: the value without quotes, ``CURRENT_TIMESTAMP()``; NULL when there is none."""
    if default is None or default.upper() == "NULL":
        return None
    if default.upper() == "CURRENT_TIMESTAMP":
        return "CURRENT_TIMESTAMP()"
    if len(default) >= 2 and default[0] == default[-1] == "'":
        return default[1:-1].replace("''", "'")
    return default


def show_create(name: str, schema: TableSchema) -> str:
    """A ``CREATE TABLE`` text as MatrixOne's SHOW CREATE TABLE prints it (lower-case types, back-quoted
    names, ``DEFAULT NULL`` for a nullable column without default, keys after the columns)."""
    lines = []
    for c in schema.columns:
        s = f"  `{c.name}` {create_type(c.type_text)}"
        if not c.nullable:
            s += " NOT NULL"
        if c.auto_increment:
            s += " AUTO_INCREMENT"
        if c.default is not None:
            s += " DEFAULT " + ("CURRENT_TIMESTAMP()" if c.default.upper() == "CURRENT_TIMESTAMP" else c.default)
        elif c.nullable:
            s += " DEFAULT NULL"
        lines.append(s)
    if schema.primary_key:
        lines.append("  PRIMARY KEY (" + ",".join(f"`{p}`" for p in schema.primary_key) + ")")
    for u in schema.unique:
        lines.append(f"  UNIQUE KEY `{u[0]}` (" + ",".join(f"`{x}`" for x in u) + ")")
    for idx in schema.indexes:
        kind = "UNIQUE KEY" if idx.get("unique") else "KEY"
        hidden = "" if idx.get("visible", True) else " INVISIBLE"
        lines.append(f"  {kind} `{idx['name']}` (" + ",".join(f"`{x}`" for x in idx["columns"]) + ")" + hidden)
    lines += [foreign_keys.clause(fk, None) for fk in schema.foreign_keys]
    return f"CREATE TABLE `{name}` (\n" + ",\n".join(lines) + "\n)"


def schema_from_columns(names: list[str], types: list[tuple[str, int | None]]) -> TableSchema:
    """Schema for CREATE TABLE ... AS SELECT, from result column names and inferred types."""
    cols = []
    for n, (t, scale) in zip(names, types, strict=True):
        if t == "DECIMAL":
            cols.append(ColumnDef(n, "DECIMAL", f"decimal(38,{scale or 0})", scale or 0))
        elif t in ("BIGINT", "INT"):
            cols.append(ColumnDef(n, "BIGINT", "bigint"))
        elif t == "DOUBLE":
            cols.append(ColumnDef(n, "DOUBLE", "double"))
        elif t in ("DATETIME", "TIMESTAMP", "DATE"):
            cols.append(ColumnDef(n, t, t.lower()))
        else:
            cols.append(ColumnDef(n, "VARCHAR", "varchar(65535)"))
    return TableSchema(cols)
