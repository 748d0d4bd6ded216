"""MySQL/MatrixOne DML and queries -> SQLite SQL over the physical ``t_N`` / ``h_N`` tables.

Every table reference is resolved through the session's catalog (account isolation, time-travel
hints) and replaced: reads by a subquery over the current rows or the rows at ``T`` (which hides
``__mo_ts``), write targets by ``t_N`` itself. Each UPDATE also sets ``__mo_ts = NULL`` so commit
stamping finds the new version.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlglot import exp

from matrixone_lite.errors import MOError, invalid_input, not_supported
from matrixone_lite.sql import decimal as exact
from matrixone_lite.sql.guard import check_statement
from matrixone_lite.sql.hints import PLACEHOLDER_NONCE, PLACEHOLDER_RE, Hint
from matrixone_lite.sql.result_types import TypeInfo, decimal_as_text, infer, source_columns
from matrixone_lite.storage.catalog import ColumnDef, TableRow
from matrixone_lite.storage.physical import qi, select_at, select_current

logging.getLogger("sqlglot").setLevel(logging.ERROR)



@dataclass
class Resolved:
    """A table reference: a user table (current or as of ``at``) or a virtual table's SELECT."""

    table: TableRow | None = None
    at: int | None = None
    virtual_sql: str | None = None
    virtual_types: dict[str, TypeInfo] = field(default_factory=dict)
    system_table: str | None = None  # an unversioned SQLite table (mo/'s catalog)
    view: bool = False  # virtual_sql is a view's body (sql/views.py): never a DML target


@dataclass
class Translated:
    sql: str
    kind: str
    target: TableRow | None = None
    types: list[TypeInfo | None] = field(default_factory=list)
    star: bool = False
    # per output column of a SELECT: the table column it reads unchanged (CTAS keeps its type)
    source_columns: list[ColumnDef | None] | None = None
    insert_auto: bool = False  # INSERT leaves the auto-increment column to the table
    insert_columns: list[str] = field(default_factory=list)
    insert_values: list[list[str]] = field(default_factory=list)  # SQLite text of literal VALUES rows
    upsert: bool = False  # INSERT ... ON DUPLICATE KEY UPDATE
    # ``sql`` before the references' bodies went in (``__mo_ph_<k>_``): execution/templates.py refills it
    template: str = ""


@dataclass
class Context:
    """What the translator needs from the session."""

    database: str | None
    resolve: Callable[[str | None, str, int | None], Resolved]
    hint_ts: Callable[[Hint], int]
    hints: list[Hint]
    constants: dict[str, Any]  # DATABASE(), VERSION(), CURRENT_USER()


_NOW_NAMES = {"NOW", "SYSDATE", "LOCALTIME", "LOCALTIMESTAMP", "CURRENT_TIMESTAMP"}
PH = f"__mo_ph_{PLACEHOLDER_NONCE}_"  # + "<k>_": a reference placeholder (unguessable, see hints.py)


def _const(v: Any) -> exp.Expression:
    if v is None:
        return exp.Null()
    return exp.Literal.string(str(v))


def _rewrite_functions(tree: exp.Expression, ctx: Context) -> exp.Expression:
    def fn(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.CurrentTimestamp):
            return exp.Anonymous(this="mo_now", expressions=[])
        if isinstance(node, exp.UtcTimestamp):
            return exp.Anonymous(this="mo_utc_now", expressions=[])
        if isinstance(node, exp.CurrentDate):
            return exp.Anonymous(this="mo_curdate", expressions=[])
        if isinstance(node, exp.CurrentSchema):
            return _const(ctx.constants.get("database"))
        if isinstance(node, exp.CurrentVersion):
            return _const(ctx.constants.get("version"))
        if isinstance(node, exp.CurrentUser):
            return _const(ctx.constants.get("user"))
        if isinstance(node, exp.ConcatWs):
            return exp.Anonymous(this="mo_concat_ws", expressions=list(node.expressions))
        if isinstance(node, exp.BitwiseXorAgg):
            return exp.Anonymous(this="bit_xor", expressions=[node.this])
        if isinstance(node, exp.Left | exp.Right):
            n = node.expression
            start = exp.Literal.number(1) if isinstance(node, exp.Left) else exp.Neg(this=n.copy())
            return exp.Anonymous(this="substr", expressions=[node.this, start, n])
        if isinstance(node, exp.DateAdd | exp.DateSub):
            unit = node.args.get("unit")
            amount = node.expression
            if isinstance(amount, exp.Interval):
                unit = amount.args.get("unit")
                amount = amount.this
            if isinstance(node, exp.DateSub):
                amount = exp.Neg(this=amount)
            return exp.Anonymous(this="mo_date_add", expressions=[node.this, amount, _const(unit.name if unit else "DAY")])
        if isinstance(node, exp.Add | exp.Sub) and isinstance(node.expression, exp.Interval):
            iv = node.expression
            amount = iv.this if isinstance(node, exp.Add) else exp.Neg(this=iv.this)
            unit = iv.args.get("unit")
            return exp.Anonymous(this="mo_date_add", expressions=[node.this, amount, _const(unit.name if unit else "DAY")])
        if isinstance(node, exp.Rand) and node.this is None:
            # MatrixOne's rand() is a float64 in [0, 1); SQLite's RANDOM() is a 64-bit integer
            return exp.Paren(this=exp.Add(
                this=exp.Div(this=exp.Anonymous(this="random", expressions=[]),
                             expression=exp.Literal.number("18446744073709551616.0")),
                expression=exp.Literal.number("0.5")))
        if isinstance(node, exp.UnixToTime):
            return exp.Anonymous(this="mo_from_unixtime", expressions=[node.this])
        if isinstance(node, exp.StrToTime | exp.StrToDate):
            fmt = node.args.get("format")
            return exp.Anonymous(this="str_to_date", expressions=[node.this, fmt] if fmt else [node.this])
        if isinstance(node, exp.Anonymous):
            name = str(node.this).upper()
            if name in _NOW_NAMES:
                return exp.Anonymous(this="mo_now", expressions=[])
            if name == "UNIX_TIMESTAMP":
                return exp.Anonymous(this="mo_unix_timestamp", expressions=list(node.expressions))
            if name in ("USER", "SESSION_USER", "SYSTEM_USER"):
                return _const(ctx.constants.get("user"))
        return node

    tree = tree.transform(fn, copy=False)
    return tree.transform(fn, copy=False)  # second pass: arguments of nodes replaced above


def translate(tree: exp.Expression, ctx: Context) -> Translated:
    """Rewrite a parsed MySQL statement into SQLite SQL over physical tables."""
    if isinstance(tree, exp.Select | exp.Union | exp.Intersect | exp.Except | exp.Subquery):
        kind = "select"
    elif isinstance(tree, exp.Insert):
        kind = "insert"
    elif isinstance(tree, exp.Update):
        kind = "update"
    elif isinstance(tree, exp.Delete):
        kind = "delete"
    else:
        raise not_supported(tree.key)
    check_statement(tree)  # internal columns, pragmas, SQLite table functions: refused
    _rewrite_functions(tree, ctx)
    cte_names = {c.alias.lower() for c in tree.find_all(exp.CTE)}
    target_node: exp.Table | None = None
    target: TableRow | None = None
    if kind == "insert":
        t = tree.this.this if isinstance(tree.this, exp.Schema) else tree.this
        target_node = t if isinstance(t, exp.Table) else None
    elif kind in ("update", "delete"):
        target_node = tree.this if isinstance(tree.this, exp.Table) else None
        if kind == "delete" and target_node is None and tree.args.get("tables"):
            raise not_supported("multi-table DELETE")
    replacements: dict[str, str] = {}
    scopes: dict[str, Any] = {}
    for t in list(tree.find_all(exp.Table)):
        if not t.name:
            continue
        if t.name.lower() == "dual" and not t.db and isinstance(t.parent, exp.From):
            select = t.parent.parent
            if isinstance(select, exp.Select) and not select.args.get("joins"):
                select.set("from_", None)
                continue
        name = t.name
        hint: Hint | None = None
        m = PLACEHOLDER_RE.match(name)
        if m and int(m.group(1)) < len(ctx.hints):  # only extract_hints writes these (hints.py)
            hint = ctx.hints[int(m.group(1))]
            name = hint.table or name
        if t is not target_node and not t.db and name.lower() in cte_names and hint is None:
            continue
        at = ctx.hint_ts(hint) if hint is not None else None
        db = t.db or None
        res = ctx.resolve(db, name, at)
        if at is None and res.table is not None:
            at = res.at  # a view's table read at the view reference's instant (sql/views.py)
        alias = t.alias or name
        if t is target_node:
            if res.view:
                raise invalid_input("cannot insert/update/delete from view")
            if res.table is None or at is not None:
                raise MOError(1105, f"table {name} is read only")
            target = res.table
            phys = exp.Table(this=exp.to_identifier(f"t_{res.table.id}"))
            if kind != "insert":
                phys.set("alias", exp.TableAlias(this=exp.to_identifier(alias, quoted=True)))
            t.replace(phys)
            scopes[alias.lower()] = res.table.schema
            continue
        k = len(replacements)
        ph = f"{PH}{k}_"
        if res.table is not None:
            body = (
                select_current(res.table.id, res.table.schema)
                if at is None
                else select_at(res.table.id, res.table.schema, at)
            )
            scopes[alias.lower()] = res.table.schema
        elif res.system_table is not None:
            body = f"SELECT * FROM {qi(res.system_table)}"  # noqa: S608 - quoted identifier
        else:
            body = res.virtual_sql or "SELECT NULL WHERE 0"
            scopes[alias.lower()] = res.virtual_types
        replacements[ph] = f"({body})"
        new = exp.Table(this=exp.to_identifier(ph))
        new.set("alias", exp.TableAlias(this=exp.to_identifier(alias, quoted=True)))  # `select`, `订单`
        t.replace(new)
    exact.exact_literals(tree)
    exact.rewrite(tree, scopes, infer)
    decimal_as_text(tree, scopes)
    for col in tree.find_all(exp.Column):
        if col.args.get("db"):
            col.set("db", None)
            col.set("catalog", None)
    out = Translated("", kind, target)
    upsert_sql = ""
    if kind == "update":
        if target is not None:
            for eq in tree.expressions:
                exact.wrap_assignment(eq, target.schema)
        tree.append("expressions", exp.EQ(this=exp.column("__mo_ts"), expression=exp.Null()))
    elif kind == "insert" and target is not None:
        schema = target.schema
        if not isinstance(tree.this, exp.Schema):
            cols = [exp.to_identifier(c.name, quoted=True) for c in schema.columns]  # `order`, `订单`
            tree.set("this", exp.Schema(this=tree.this, expressions=cols))
        listed = {e.name.lower() for e in tree.this.expressions}
        exact.wrap_insert(tree, schema)
        out.insert_columns = [e.name for e in tree.this.expressions]
        if isinstance(tree.expression, exp.Values):
            out.insert_values = [
                [v.sql(dialect="sqlite") for v in tup.expressions]
                for tup in tree.expression.expressions
                if isinstance(tup, exp.Tuple)
            ]
        ai = schema.auto_increment_col
        out.insert_auto = ai is not None and ai.lower() not in listed
        if ai is not None and not out.insert_auto and isinstance(tree.expression, exp.Values):
            # an explicit NULL in the auto-increment column also asks for a generated id
            pos = [e.name.lower() for e in tree.this.expressions].index(ai.lower())
            tuples = [t for t in tree.expression.expressions if isinstance(t, exp.Tuple)]
            out.insert_auto = bool(tuples) and all(
                len(t.expressions) > pos and isinstance(t.expressions[pos], exp.Null) for t in tuples
            )
        conflict = tree.args.get("conflict")
        if isinstance(conflict, exp.OnConflict) and conflict.args.get("duplicate"):
            sets = []
            for eq in conflict.expressions:

                def vals(n: exp.Expression) -> exp.Expression:
                    if isinstance(n, exp.Anonymous) and str(n.this).upper() == "VALUES" and n.expressions:
                        return exp.column(n.expressions[0].name, table="excluded")
                    return n

                eq = eq.transform(vals)
                exact.wrap_assignment(eq, schema)
                sets.append(f"{qi(eq.this.name)} = {eq.expression.sql(dialect='sqlite')}")
            sets.append("__mo_ts = NULL")
            tree.set("conflict", None)
            if isinstance(tree.expression, exp.Select):
                tree.expression.where("1", copy=False)
            upsert_sql = " ON CONFLICT DO UPDATE SET " + ", ".join(sets)
            out.upsert = True
    elif kind == "select":
        sel: exp.Expression = tree
        while isinstance(sel, exp.Union | exp.Intersect | exp.Except):
            sel = sel.this
        if isinstance(sel, exp.Subquery):
            sel = sel.unnest()  # type: ignore[assignment]
        if isinstance(sel, exp.Select):
            src = source_columns(sel, scopes)
            out.source_columns = src
            for p in sel.expressions:
                if isinstance(p, exp.Star) or (isinstance(p, exp.Column) and isinstance(p.this, exp.Star)):
                    out.star = True
                    break
                out.types.append(infer(p, scopes))
            if out.star and src is not None:
                # the star expanded to known columns: types line up with the output again
                out.star = False
                out.types = []
                k = 0
                for p in sel.expressions:
                    node = p.this if isinstance(p, exp.Alias) else p
                    if isinstance(node, exp.Star) or (isinstance(node, exp.Column) and isinstance(node.this, exp.Star)):
                        sch = (
                            next(iter(scopes.values())) if isinstance(node, exp.Star) else scopes[node.table.lower()]
                        )
                        n = len(sch.columns)
                        out.types.extend((c.type, c.scale) if c else None for c in src[k : k + n])
                        k += n
                    else:
                        out.types.append(infer(p, scopes))
                        k += 1
    sql = out.template = tree.sql(dialect="sqlite") + upsert_sql
    for ph, body in replacements.items():
        if sql.count(ph) != 1:  # the client's own text holds it (a string, a name): never fill that one
            raise not_supported("text containing matrixone_lite's reserved '__mo_ph_' placeholder")
        sql = sql.replace(ph, body, 1)
    out.sql = sql
    return out
