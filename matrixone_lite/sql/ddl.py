"""CREATE TABLE: MySQL column definitions -> :class:`TableSchema`, and SHOW CREATE TABLE text."""

from __future__ import annotations

from sqlglot import exp

from matrixone_lite.errors import MOError, not_supported
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
        prec = int(params[0]) if params else 10
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
        out.append(e.name)
    return out


def schema_from_create(create: exp.Create) -> TableSchema:
    """Column definitions, primary key and unique keys of a ``CREATE TABLE (...)`` statement."""
    schema_node = create.this
    if not isinstance(schema_node, exp.Schema):
        raise not_supported("CREATE TABLE without column definitions")
    cols: list[ColumnDef] = []
    pk: list[str] = []
    uniques: list[list[str]] = []
    for e in schema_node.expressions:
        if isinstance(e, exp.ColumnDef):
            kind = e.args.get("kind")
            if not isinstance(kind, exp.DataType):
                raise MOError(1064, f"column {e.name} has no type", "42000")
            base, text, scale = _type_of(kind)
            col = ColumnDef(e.name, base, text, scale)
            for cc in e.constraints:
                k = cc.kind
                if isinstance(k, exp.NotNullColumnConstraint):
                    col.nullable = bool(k.args.get("allow_null"))
                elif isinstance(k, exp.PrimaryKeyColumnConstraint):
                    pk = [e.name]
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
                        col.default = d.sql(dialect="sqlite")
                elif isinstance(k, exp.UniqueColumnConstraint):
                    uniques.append([e.name])
            cols.append(col)
        elif isinstance(e, exp.PrimaryKey):
            pk = _names(e)
        elif isinstance(e, exp.UniqueColumnConstraint):
            target = e.this
            if isinstance(target, exp.Schema):
                uniques.append(_names(target))
        # plain KEY/INDEX definitions need no storage semantics here
    for name in pk:
        for c in cols:
            if c.name.lower() == name.lower():
                c.nullable = False
    if not cols:
        raise MOError(1064, "table must have at least one column", "42000")
    return TableSchema(cols, pk, uniques)


def display_type(type_text: str) -> str:
    """``varchar(100)`` -> ``VARCHAR(100)``; arguments (ENUM values) keep their case."""
    head, sep, rest = type_text.partition("(")
    return head.upper() + sep + rest


def show_create(name: str, schema: TableSchema) -> str:
    """A ``CREATE TABLE`` text in MatrixOne's SHOW CREATE TABLE style."""
    lines = []
    for c in schema.columns:
        s = f"  `{c.name}` {display_type(c.type_text) if c.type != 'TIMESTAMP' else 'TIMESTAMP'}"
        if not c.nullable:
            s += " NOT NULL"
        if c.auto_increment:
            s += " AUTO_INCREMENT"
        if c.default is not None:
            s += f" DEFAULT {c.default}"
        elif c.nullable:
            s += " DEFAULT NULL"
        lines.append(s)
    if schema.primary_key:
        lines.append("  PRIMARY KEY (" + ",".join(f"`{p}`" for p in schema.primary_key) + ")")
    for u in schema.unique:
        lines.append(f"  UNIQUE KEY `{u[0]}` (" + ",".join(f"`{x}`" for x in u) + ")")
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
