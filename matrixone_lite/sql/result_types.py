"""Result typing for the translator: the MySQL type of an expression, the table column behind a
projection, and DECIMAL values kept at their scale when turned into text.

Split from ``translate.py``: the translator rewrites table references, this module only reads
the tree and the scopes (table schemas and virtual tables' column types) to type the result.
"""

from __future__ import annotations

from typing import Any

from sqlglot import exp

from matrixone_lite.sql import decimal as exact
from matrixone_lite.storage.catalog import ColumnDef, TableSchema

TypeInfo = tuple[str, int | None]  # (MySQL type, decimal scale)


def infer(node: exp.Expression, scopes: dict[str, TableSchema | dict[str, TypeInfo]]) -> TypeInfo | None:
    """Best-effort MySQL result type of an expression (drives DECIMAL scale and datetime results)."""
    if isinstance(node, exp.Alias | exp.Paren | exp.Neg | exp.Collate):
        return infer(node.this, scopes)
    if isinstance(node, exp.Column):
        tname = node.table.lower() if node.table else None
        for alias, sch in scopes.items():
            if tname and alias != tname:
                continue
            if isinstance(sch, TableSchema):
                c = sch.column(node.name)
                if c is not None:
                    return (c.type, c.scale)
            else:
                t = sch.get(node.name.lower())
                if t is not None:
                    return t
        return None
    if isinstance(node, exp.Literal):
        if node.is_string:
            return ("VARCHAR", None)
        txt = node.this
        if "." in txt and "e" not in txt.lower():
            return ("DECIMAL", len(txt.split(".")[1]))
        return ("BIGINT", None)
    if isinstance(node, exp.Sum | exp.Max | exp.Min | exp.AnyValue):
        return infer(node.this, scopes)
    if isinstance(node, exp.Avg):
        t = infer(node.this, scopes)
        if t and t[0] == "DECIMAL":
            return ("DECIMAL", min((t[1] or 0) + 4, 30))
        return ("DOUBLE", None)
    if isinstance(node, exp.Count):
        return ("BIGINT", None)
    if isinstance(node, exp.Add | exp.Sub | exp.Mul):
        a, b = infer(node.this, scopes), infer(node.expression, scopes)
        if a and b and "DECIMAL" in (a[0], b[0]) and a[0] in ("DECIMAL", "BIGINT", "INT") and b[0] in (
            "DECIMAL", "BIGINT", "INT"
        ):
            sa, sb = a[1] or 0, b[1] or 0
            return ("DECIMAL", sa + sb if isinstance(node, exp.Mul) else max(sa, sb))
        return None
    if isinstance(node, exp.Cast):
        to = node.to
        if to.this in (exp.DataType.Type.DECIMAL,):
            params = [p.this.name for p in to.expressions if isinstance(p.this, exp.Expression)]
            return ("DECIMAL", int(params[1]) if len(params) > 1 else 0)
        if to.this in (exp.DataType.Type.DATETIME, exp.DataType.Type.TIMESTAMP, exp.DataType.Type.TIMESTAMPTZ):
            return ("DATETIME", None)
        if to.this == exp.DataType.Type.DATE:
            return ("DATE", None)
        return None
    if isinstance(node, exp.Coalesce):
        return infer(node.this, scopes)
    if isinstance(node, exp.Anonymous):
        name = str(node.this).lower()
        if name in exact.SCALED or name == "mo_ubig_in":
            return exact.infer_anonymous(node)
        if name in ("mo_now", "mo_utc_now", "mo_date_add", "mo_from_unixtime"):
            return ("DATETIME", None)
        if name == "str_to_date":
            fmt = node.expressions[1] if len(node.expressions) > 1 else None
            if isinstance(fmt, exp.Literal) and not any(x in fmt.name for x in ("%H", "%i", "%s", "%T")):
                return ("DATE", None)
            return ("DATETIME", None)
        if name == "mo_curdate":
            return ("DATE", None)
    return None


_TEXT_TYPES = {
    exp.DataType.Type.TEXT, exp.DataType.Type.VARCHAR, exp.DataType.Type.CHAR, exp.DataType.Type.NCHAR,
    exp.DataType.Type.NVARCHAR,
}


def decimal_as_text(tree: exp.Expression, scopes: dict[str, Any]) -> None:
    """DECIMAL values turned into text keep their scale (MySQL: CAST(25.5 AS CHAR) of a
    DECIMAL(10,2) is '25.50'); SQLite would print the stored REAL as '25.5'."""

    def wrap(node: exp.Expression) -> exp.Expression | None:
        t = infer(node, scopes)
        if t is None or t[0] != "DECIMAL":
            return None
        return exp.Anonymous(this="mo_dec_text", expressions=[node.copy(), exp.Literal.number(t[1] or 0)])

    for cast in list(tree.find_all(exp.Cast)):
        if cast.to.this in _TEXT_TYPES:
            new = wrap(cast.this)
            if new is not None:
                cast.replace(new)
    for fn in list(tree.find_all(exp.Concat, exp.Anonymous)):
        if isinstance(fn, exp.Anonymous) and str(fn.this).lower() != "mo_concat_ws":
            continue
        for arg in list(fn.expressions):
            new = wrap(arg)
            if new is not None:
                arg.replace(new)


def source_columns(sel: exp.Select, scopes: dict[str, Any]) -> list[ColumnDef | None] | None:
    """The table column behind each projection (None: computed), or None when unknown (``*`` over
    several tables)."""
    tables = [s for s in scopes.values() if isinstance(s, TableSchema)]
    out: list[ColumnDef | None] = []
    for p in sel.expressions:
        node = p.this if isinstance(p, exp.Alias) else p
        if isinstance(node, exp.Star):
            if len(scopes) != 1 or len(tables) != 1:
                return None
            out.extend(tables[0].columns)
        elif isinstance(node, exp.Column) and isinstance(node.this, exp.Star):
            sch = scopes.get(node.table.lower())
            if not isinstance(sch, TableSchema):
                return None
            out.extend(sch.columns)
        elif isinstance(node, exp.Column):
            found = None
            for alias, sch in scopes.items():
                if isinstance(sch, TableSchema) and (not node.table or node.table.lower() == alias):
                    found = sch.column(node.name)
                    if found is not None:
                        break
            out.append(found)
        else:
            out.append(None)
    return out
