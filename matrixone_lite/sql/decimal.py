"""Exact DECIMAL(p,s) / BIGINT UNSIGNED on SQLite: the SQL functions and the translation rewrites.

Stored values are canonical text (``storage/codec.py``) that SQLite must never turn into a REAL:
so every operation that SQLite would do numerically on a DECIMAL operand is rewritten here into a
Python function computing with :mod:`decimal` and MatrixOne's result scales

- ``a + b``, ``a - b``: scale max(s1, s2); ``a * b``: s1 + s2; ``a / b``: s1 + 4
  (``div_precision_increment`` 4, rounded half away from zero); ``-a``;
- ``SUM(x)`` exact, ``AVG(x)`` with MatrixOne's scale max(s, min(12, s + 6)) (custom aggregates); MIN/MAX/ORDER BY/GROUP BY use
  the columns' ``MO_DEC`` collation and need no rewrite;
- a comparison with a computed decimal (function results have no affinity in SQLite, so text would
  compare greater than every number) goes through ``mo_dec_cmp``; a computed decimal projection or
  ORDER BY term carries ``COLLATE MO_DEC`` so it sorts numerically;
- every value written into a DECIMAL column (INSERT VALUES / SELECT, UPDATE SET, upsert SET,
  CAST AS DECIMAL) goes through ``mo_dec_in``: rounded half away from zero to the column's scale
  (``1.005`` -> ``1.01``), and a value that does not fit is MatrixOne's
  ``invalid input: ... beyond the range, can't be converted to Decimal64(p,s).`` (20301; text from
  MatrixOne's ``test/distributed/cases/dtype/decimal.result``); the statement stores nothing;
- number literals a double cannot hold exactly become string literals before SQLite parses them.

A Python function cannot raise an :class:`MOError` through SQLite, so the error is parked in a
thread-local and picked up by the engine when SQLite reports the failed call (:func:`take_error`).
"""

from __future__ import annotations

import sqlite3
import struct
import threading
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from sqlglot import exp

from matrixone_lite.errors import MOError, invalid_input
from matrixone_lite.sql import decimal_functions as functions
from matrixone_lite.sql import int_range
from matrixone_lite.sql.int_range import out_of_range
from matrixone_lite.storage.catalog import ColumnDef, TableSchema
from matrixone_lite.storage.codec import COLLATION, DEC_CONTEXT, canonical, limit, parse_decimal, quantize
from matrixone_lite.storage.physical import BLOB_TYPES, DECIMAL_TYPES, is_unsigned_bigint

TypeInfo = tuple[str, int | None]
Infer = Callable[[exp.Expression, dict[str, Any]], TypeInfo | None]

U64_MAX = 2**64 - 1
_INTS = ("BIGINT", "INT", "INTEGER", "SMALLINT", "TINYINT", "MEDIUMINT")
_ARITH: dict[type[exp.Expression], str] = {exp.Add: "mo_dec_add", exp.Sub: "mo_dec_sub", exp.Mul: "mo_dec_mul", exp.Div: "mo_dec_div"}
# functions whose last argument is the result scale (read back by :func:`infer_anonymous`)
SCALED = {"mo_dec_add", "mo_dec_sub", "mo_dec_mul", "mo_dec_div", "mo_dec_in", "mo_dec_sum", "mo_dec_avg"} | functions.NAMES
_CMP = (exp.EQ, exp.NEQ, exp.GT, exp.GTE, exp.LT, exp.LTE)

_WRAPPED = DECIMAL_TYPES | BLOB_TYPES | {"FLOAT"}
_pending = threading.local()


def take_error() -> MOError | None:
    """The MOError a function raised during the statement that just failed on this thread."""
    err = getattr(_pending, "error", None)
    _pending.error = None
    return err


def _raise(err: MOError) -> None:
    _pending.error = err
    raise ValueError(err.message)


# ---- values --------------------------------------------------------------------------------------
def _precision(col: ColumnDef) -> int:
    head, _, rest = col.type_text.partition("(")
    try:
        return int(rest.split(",")[0].rstrip(")")) if rest else 10
    except ValueError:
        return 38


def dec_in(value: Any, precision: Any, scale: Any) -> str | None:
    """A value written into DECIMAL(p,s): rounded half away from zero, range-checked, canonical."""
    if value is None:
        return None
    p, s = int(precision), int(scale)
    d = parse_decimal(value)
    width = "Decimal128" if p > 18 else "Decimal64"
    if d is None:
        _raise(invalid_input(f"Can't convert string To {width}: {value}({p},{s})"))
        return None
    q = quantize(d, s)
    if q.copy_abs() >= limit(p - s):  # abs() would round to the default 28 digits
        digits = len(d.as_tuple().digits)
        if digits >= 18:
            width = "Decimal128"
        shown = canonical(d.copy_abs()) if not isinstance(value, str) else value.strip().lstrip("+-")
        _raise(invalid_input(f"{shown} beyond the range, can't be converted to {width}({p},{s})."))
    return canonical(q)


def ubig_in(value: Any) -> str | None:
    """A value written into BIGINT UNSIGNED: 0 .. 2^64-1 exactly, else MatrixOne's 1690."""
    if value is None:
        return None
    d = parse_decimal(value)
    n = None if d is None else int(quantize(d, 0))
    if n is None or n < 0 or n > U64_MAX:
        _raise(out_of_range("uint64", value))
        return None
    return str(n)


def float_in(value: Any) -> float | None:
    """A value written into FLOAT (single precision): the float32 nearest to it, kept as the
    shortest decimal that reads back as that float32 (what MatrixOne prints, ``0.12345679``)."""
    if value is None:
        return None
    try:
        f32 = struct.unpack("<f", struct.pack("<f", float(value)))[0]
    except (OverflowError, ValueError, TypeError, struct.error):
        return float(value) if isinstance(value, int | float) else None
    for digits in range(6, 10):
        text = f"{f32:.{digits}g}"
        if struct.unpack("<f", struct.pack("<f", float(text)))[0] == f32:
            return float(text)
    return f32


def blob_in(value: Any) -> bytes | None:
    """A value written into BLOB/BINARY/VARBINARY is bytes (a driver sends them as a string literal,
    which SQLite would keep as TEXT and hand back as str)."""
    if value is None or isinstance(value, bytes):
        return value
    return str(value).encode("utf-8", "surrogateescape")


def _op(fn: Callable[[Decimal, Decimal], Decimal | None]) -> Callable[[Any, Any, Any], str | None]:
    def run(a: Any, b: Any, scale: Any) -> str | None:
        x, y = parse_decimal(a), parse_decimal(b)
        if x is None or y is None:
            return None
        r = fn(x, y)
        if r is None:
            return None
        return canonical(r if int(scale) < 0 else quantize(r, int(scale)))

    return run


def _div(x: Decimal, y: Decimal) -> Decimal | None:
    return None if y == 0 else DEC_CONTEXT.divide(x, y)


def dec_cmp(a: Any, b: Any) -> int | None:
    x, y = parse_decimal(a), parse_decimal(b)
    if x is None or y is None:
        return None
    return (x > y) - (x < y)


class _Sum:
    """Exact SUM: canonical texts at the column's scale add up as scaled integers (the fast path);
    anything else (REAL values of an older file, other scales) as Decimals."""

    def __init__(self) -> None:
        self.ints = 0
        self.rest: Decimal | None = None
        self.n = 0
        self.scale = 0

    def step(self, value: Any, scale: Any = 0) -> None:
        if value is None:
            return
        self.n += 1
        self.scale = s = int(scale)
        if type(value) is str:
            head, _, tail = value.partition(".")
            if len(tail) == s and "e" not in head.lower():
                try:
                    self.ints += int(head + tail)
                    return
                except ValueError:
                    pass
        d = parse_decimal(value)
        if d is None:
            self.n -= 1
            return
        self.rest = d if self.rest is None else DEC_CONTEXT.add(self.rest, d)

    def total(self) -> Decimal | None:
        if not self.n:
            return None
        t = Decimal(f"{self.ints}E-{max(self.scale, 0)}")
        return t if self.rest is None else DEC_CONTEXT.add(t, self.rest)

    def finalize(self) -> str | None:
        t = self.total()
        if t is None:
            return None
        return canonical(t if self.scale < 0 else quantize(t, self.scale))


class _Avg(_Sum):
    def finalize(self) -> str | None:
        t = self.total()
        if t is None:
            return None
        avg = DEC_CONTEXT.divide(t, Decimal(self.n))
        return canonical(avg if self.scale < 0 else quantize(avg, functions.avg_scale(self.scale)))


def register(conn: sqlite3.Connection) -> None:
    conn.create_function("mo_dec_in", 3, dec_in, deterministic=True)
    conn.create_function("mo_ubig_in", 1, ubig_in, deterministic=True)
    int_range.register(conn, _raise)
    functions.register(conn)
    conn.create_function("mo_float_in", 1, float_in, deterministic=True)
    conn.create_function("mo_blob_in", 1, blob_in, deterministic=True)
    conn.create_function("mo_double", 1, lambda t: None if t is None else float(t), deterministic=True)
    conn.create_function("mo_dec_add", 3, _op(lambda x, y: DEC_CONTEXT.add(x, y)), deterministic=True)
    conn.create_function("mo_dec_sub", 3, _op(lambda x, y: DEC_CONTEXT.subtract(x, y)), deterministic=True)
    conn.create_function("mo_dec_mul", 3, _op(lambda x, y: DEC_CONTEXT.multiply(x, y)), deterministic=True)
    conn.create_function("mo_dec_div", 3, _op(_div), deterministic=True)
    conn.create_function("mo_dec_cmp", 2, dec_cmp, deterministic=True)
    conn.create_aggregate("mo_dec_sum", 2, _Sum)  # type: ignore[arg-type]
    conn.create_aggregate("mo_dec_avg", 2, _Avg)  # type: ignore[arg-type]


# ---- translation ---------------------------------------------------------------------------------
def infer_anonymous(node: exp.Anonymous) -> TypeInfo | None:
    """Result type of a function this module emitted (its last argument is the scale)."""
    name = str(node.this).lower()
    if name in SCALED and node.expressions and isinstance(node.expressions[-1], exp.Literal):
        scale = int(node.expressions[-1].name)
        if scale < 0:
            return ("DECIMAL", None)
        return ("DECIMAL", functions.avg_scale(scale) if name == "mo_dec_avg" else scale)
    if name == "mo_ubig_in":
        return ("BIGINT", None)
    return None


def _fn(name: str, *args: exp.Expression) -> exp.Anonymous:
    return exp.Anonymous(this=name, expressions=list(args))


def _num(n: int) -> exp.Literal:
    return exp.Literal(this=str(n), is_string=False)  # also -1 (Literal.number(-1) is a Neg)


def _is_dec_fn(node: exp.Expression) -> bool:
    while isinstance(node, exp.Paren):
        node = node.this
    return isinstance(node, exp.Anonymous) and str(node.this).lower() in SCALED


def inexact(text: str) -> bool:
    """A number literal SQLite would not hold exactly (REAL past 15-17 digits, int past 64 bits)."""
    if "e" in text.lower():
        return False
    if "." not in text:
        return not -(2**63) <= int(text) < 2**63
    try:
        return Decimal(repr(float(text))) != Decimal(text)
    except ValueError:
        return False


def raw_bytes(text: str) -> bool:
    """A string literal SQLite text cannot carry: a NUL, or bytes that were not UTF-8 on the wire
    (decoded with ``surrogateescape`` by the connection)."""
    return "\x00" in text or (not text.isascii() and any("\udc80" <= ch <= "\udcff" for ch in text))


def _blob(text: str) -> exp.Expression:
    return exp.HexString(this=text.encode("utf-8", "surrogateescape").hex())


def exact_literals(tree: exp.Expression) -> None:
    """Number literals a double would round become string literals (exact under MO_DEC/mo_dec_*);
    string literals holding raw bytes (``X'FF'``, NUL) become blob literals with exactly those bytes."""
    for intro in list(tree.find_all(exp.Introducer)):  # _binary'...' (PyMySQL binary_prefix=True)
        lit = intro.expression
        if isinstance(lit, exp.Literal) and lit.is_string:
            intro.replace(_blob(lit.this))
    for lit in list(tree.find_all(exp.Literal)):
        if lit.is_string:
            if raw_bytes(lit.this):
                lit.replace(_blob(lit.this))
            continue
        parent = lit.parent
        neg = isinstance(parent, exp.Neg) and parent.this is lit
        text = ("-" if neg else "") + lit.this
        if inexact(lit.this):
            new: exp.Expression = exp.Literal.string(text)
        elif _long_double(lit.this):  # SQLite's own text-to-double is not always correctly rounded
            new = _fn("mo_double", exp.Literal.string(text))
        else:
            continue
        (parent if neg and parent is not None else lit).replace(new)


def _long_double(text: str) -> bool:
    low = text.lower()
    if "e" in low:
        return True
    return "." in low and sum(ch.isdigit() for ch in low.lstrip("0.")) > 15


def rewrite(tree: exp.Expression, scopes: dict[str, Any], infer: Infer) -> None:
    """Arithmetic, aggregates, casts and comparisons over DECIMAL operands -> ``mo_dec_*``."""

    def numeric(t: TypeInfo | None) -> bool:
        return t is not None and (t[0] == "DECIMAL" or t[0] in _INTS)

    def typed(node: exp.Expression) -> TypeInfo | None:
        # a literal bound as a parameter (``sql/params.py``) has no type here: its scale varies per
        # execution of the cached shape, so the result is kept exact (scale -1) instead of rounded
        return ("PARAM", None) if isinstance(node, exp.Placeholder) else infer(node, scopes)

    def fn(node: exp.Expression) -> exp.Expression:
        if (exact := functions.rewrite(node, lambda n: infer(n, scopes))) is not None:
            return exact  # ROUND/FLOOR/CEIL/TRUNCATE/ABS, SUM/AVG(DISTINCT) (sql/decimal_functions.py)
        if type(node) in _ARITH:
            a, b = typed(node.this), typed(node.expression)
            if a and b and "DECIMAL" in (a[0], b[0]) and (numeric(a) or a[0] == "PARAM") and (
                numeric(b) or b[0] == "PARAM"
            ):
                sa, sb = a[1], b[1]
                if "PARAM" in (a[0], b[0]) or (a[0] == "DECIMAL" and sa is None) or (b[0] == "DECIMAL" and sb is None):
                    scale = -1
                else:
                    sa, sb = sa or 0, sb or 0
                    rule: dict[type[exp.Expression], int] = {exp.Mul: sa + sb, exp.Div: sa + 4}
                    scale = min(rule.get(type(node), max(sa, sb)), 38)
                return _fn(_ARITH[type(node)], node.this, node.expression, _num(scale))
        elif isinstance(node, exp.Neg) and not isinstance(node.this, exp.Literal):
            t = infer(node.this, scopes)
            if t and t[0] == "DECIMAL":
                return _fn("mo_dec_sub", _num(0), node.this, _num(-1 if t[1] is None else t[1]))
        elif isinstance(node, exp.Sum | exp.Avg) and not isinstance(node.this, exp.Distinct):
            t = infer(node.this, scopes)
            if t and t[0] == "DECIMAL":
                if isinstance(node, exp.Sum):
                    return _fn("mo_dec_sum", node.this, _num(-1 if t[1] is None else t[1]))
                return _fn("mo_dec_avg", node.this, _num(-1 if t[1] is None else t[1]))  # see avg_scale
        elif isinstance(node, exp.Cast) and node.to.this == exp.DataType.Type.DECIMAL:
            params = [p.this.name for p in node.to.expressions if isinstance(p.this, exp.Expression)]
            p = int(params[0]) if params else 10
            s = int(params[1]) if len(params) > 1 else 0
            return _fn("mo_dec_in", node.this, _num(p), _num(s))
        elif (
            isinstance(node, _CMP)
            and not isinstance(node.parent, exp.Update | exp.OnConflict)  # ``SET c = ...`` assigns
            and (_is_dec_fn(node.this) or _is_dec_fn(node.expression))
        ):
            return type(node)(this=_fn("mo_dec_cmp", node.this, node.expression), expression=_num(0))
        return node

    for node in reversed(list(tree.dfs())):  # children first: nested arithmetic is rewritten inside out
        if not isinstance(node, exp.Expression):
            continue
        new = fn(node)
        if new is not node:
            node.replace(new)
    for sel in tree.find_all(exp.Select):
        for p in sel.expressions:
            target = p.this if isinstance(p, exp.Alias) else p
            if _is_dec_fn(target):
                target.replace(exp.Collate(this=target.copy(), expression=exp.Var(this=COLLATION)))
    for o in tree.find_all(exp.Ordered):
        if _is_dec_fn(o.this):
            o.set("this", exp.Collate(this=o.this, expression=exp.Var(this=COLLATION)))


def stored(col: ColumnDef | None, value: exp.Expression) -> exp.Expression:
    """``value`` as written into ``col``: through ``mo_dec_in`` / ``mo_ubig_in`` for exact numbers,
    range-checked for the other integer types (``sql/int_range.py``)."""
    if col is None or isinstance(value, exp.Null) or (isinstance(value, exp.Var | exp.Column) and value.name.upper() == "DEFAULT"):
        return value
    if col.type in DECIMAL_TYPES:
        return _fn("mo_dec_in", value, _num(_precision(col)), _num(col.scale or 0))
    if is_unsigned_bigint(col):
        return _fn("mo_ubig_in", value)
    if col.type == "FLOAT":
        return _fn("mo_float_in", value)
    if col.type in BLOB_TYPES:
        return _fn("mo_blob_in", value)
    return int_range.stored(col, value)


def wrap_insert(tree: exp.Expression, schema: TableSchema) -> None:
    """Route the values of an INSERT's exact-number columns through :func:`stored`."""
    if not isinstance(tree, exp.Insert) or not isinstance(tree.this, exp.Schema):
        return
    cols = [schema.column(e.name) for e in tree.this.expressions]
    if not any(c is not None and (c.type in _WRAPPED or is_unsigned_bigint(c) or int_range.int_kind(c))
               for c in cols):
        return
    src = tree.expression
    if isinstance(src, exp.Values):
        for tup in src.expressions:
            if isinstance(tup, exp.Tuple):
                tup.set("expressions", [stored(c, v) for c, v in zip(cols, tup.expressions, strict=False)])
    elif isinstance(src, exp.Select) and len(src.expressions) == len(cols):
        if any(isinstance(p, exp.Star) or (isinstance(p, exp.Column) and isinstance(p.this, exp.Star))
               for p in src.expressions):
            return
        new = []
        for c, p in zip(cols, src.expressions, strict=True):
            if isinstance(p, exp.Alias):
                new.append(exp.alias_(stored(c, p.this), p.alias))
            else:
                w = stored(c, p)
                new.append(w if w is p else exp.alias_(w, p.alias_or_name or "c", quoted=True))
        src.set("expressions", new)


def wrap_assignment(eq: exp.Expression, schema: TableSchema) -> None:
    """``SET col = value`` of an UPDATE or upsert, for an exact-number column."""
    if isinstance(eq, exp.EQ) and isinstance(eq.this, exp.Column):
        eq.set("expression", stored(schema.column(eq.this.name), eq.expression))

