"""ROUND / FLOOR / CEIL / TRUNCATE / ABS and SUM / AVG (DISTINCT) of a DECIMAL, exact.

Why: SQLite computes these in double, so ``ROUND(x, 2)`` of a ``DECIMAL(38,10)`` lost digits past
the 15th and a fingerprint over such a projection was blind to them. Each becomes a Python function
over :mod:`decimal` whose last argument is the result scale (so ``sql/decimal.py``'s type inference
and ``MO_DEC`` ordering apply to it as to the arithmetic).

Result scales are MatrixOne v4.2.0's (``pkg/sql/plan/function/list_builtIn.go``: the result type is
the argument's; ``pkg/sql/plan/base_binder.go`` then lowers the scale of ``round/ceil/ceiling/floor``
to 0 without a digits argument and to ``min(s, clamp(d, 0, 38))`` with a constant ``d``;
``func_binary.go`` / ``container/types/decimal.go`` do the rounding):

- ``ROUND(x[, d])`` half away from zero, ``FLOOR`` / ``CEIL`` / ``CEILING`` toward -inf / +inf, at
  ``d`` digits (negative ``d``: tens, hundreds …), shown at that scale;
- ``TRUNCATE(x, d)`` toward zero, keeping the scale ``s`` of ``x`` (``1.239`` -> ``1.230``);
- ``ABS(x)`` keeps ``s``;
- ``SUM(DISTINCT x)`` exact at scale ``s``; ``AVG([DISTINCT] x)`` at MatrixOne's
  ``AvgReturnType`` scale ``max(s, min(12, s + 6))`` (``colexec/aggexec/sumavg2.go``).

A digits argument that is not an integer literal leaves the call to SQLite (MatrixOne refuses a
non-constant one).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from decimal import ROUND_CEILING, ROUND_DOWN, ROUND_FLOOR, ROUND_HALF_UP, Decimal
from typing import Any

from sqlglot import exp

from matrixone_lite.storage.codec import DEC_CONTEXT, canonical, parse_decimal, quantize

TypeInfo = tuple[str, int | None]
NAMES = frozenset({"mo_dec_round", "mo_dec_floor", "mo_dec_ceil", "mo_dec_trunc", "mo_dec_abs",
                   "mo_dec_dsum", "mo_dec_davg"})
_MODES = {exp.Round: ("mo_dec_round", ROUND_HALF_UP), exp.Floor: ("mo_dec_floor", ROUND_FLOOR),
          exp.Ceil: ("mo_dec_ceil", ROUND_CEILING), exp.Trunc: ("mo_dec_trunc", ROUND_DOWN)}
_ROUNDING = {name: mode for name, mode in _MODES.values()}


def avg_scale(s: int) -> int:
    """MatrixOne's AVG result scale for a DECIMAL of scale ``s`` (AvgReturnType)."""
    return max(s, min(12, s + 6))


def _at(d: Decimal, digits: int, rounding: str) -> Decimal:
    """``d`` rounded to ``digits`` fraction digits (negative: to 10^-digits) with ``rounding``."""
    return d.quantize(Decimal(1).scaleb(-digits), rounding=rounding, context=DEC_CONTEXT)


def _rounder(rounding: str) -> Callable[[Any, Any, Any], str | None]:
    def run(value: Any, digits: Any, scale: Any) -> str | None:
        d = parse_decimal(value)
        if d is None:
            return None
        n = max(-38, min(int(digits), 39))  # MatrixOne clamps the digits of a Decimal128 the same way
        return canonical(quantize(_at(d, n, rounding), int(scale)))

    return run


def _abs(value: Any, scale: Any) -> str | None:
    d = parse_decimal(value)
    return None if d is None else canonical(quantize(d.copy_abs(), int(scale)))  # abs() rounds to 28 digits


class _DistinctSum:
    """SUM/AVG over the distinct values (``1.5`` and ``1.50`` are one value, as in a DECIMAL column)."""

    def __init__(self) -> None:
        self.seen: set[Decimal] = set()
        self.scale = 0

    def step(self, value: Any, scale: Any) -> None:
        self.scale = int(scale)
        d = parse_decimal(value)
        if d is not None:
            self.seen.add(d)

    def total(self) -> Decimal:
        t = Decimal(0)
        for d in self.seen:
            t = DEC_CONTEXT.add(t, d)
        return t

    def finalize(self) -> str | None:
        return canonical(quantize(self.total(), self.scale)) if self.seen else None


class _DistinctAvg(_DistinctSum):
    def finalize(self) -> str | None:
        if not self.seen:
            return None
        return canonical(quantize(DEC_CONTEXT.divide(self.total(), Decimal(len(self.seen))), self.scale))


def register(conn: sqlite3.Connection) -> None:
    for name, rounding in _ROUNDING.items():
        conn.create_function(name, 3, _rounder(rounding), deterministic=True)
    conn.create_function("mo_dec_abs", 2, _abs, deterministic=True)
    conn.create_aggregate("mo_dec_dsum", 2, _DistinctSum)  # type: ignore[arg-type]
    conn.create_aggregate("mo_dec_davg", 2, _DistinctAvg)  # type: ignore[arg-type]


def _int_literal(node: exp.Expression | None) -> int | None:
    neg = isinstance(node, exp.Neg)
    lit = node.this if isinstance(node, exp.Neg) else node
    if isinstance(lit, exp.Literal) and not lit.is_string and lit.this.isdigit():
        return -int(lit.this) if neg else int(lit.this)
    return None


def _fn(name: str, *args: exp.Expression) -> exp.Anonymous:
    return exp.Anonymous(this=name, expressions=list(args))


def _num(n: int) -> exp.Literal:
    return exp.Literal(this=str(n), is_string=False)


def rewrite(node: exp.Expression, infer: Callable[[exp.Expression], TypeInfo | None]) -> exp.Expression | None:
    """The exact form of ``node`` when it is one of these functions over a DECIMAL; None otherwise."""
    if isinstance(node, exp.Sum | exp.Avg) and isinstance(node.this, exp.Distinct):
        args = node.this.expressions
        t = infer(args[0]) if len(args) == 1 else None
        if t is None or t[0] != "DECIMAL" or t[1] is None:
            return None
        if isinstance(node, exp.Sum):
            return _fn("mo_dec_dsum", args[0], _num(t[1]))
        return _fn("mo_dec_davg", args[0], _num(avg_scale(t[1])))
    if not isinstance(node, exp.Abs | exp.Round | exp.Floor | exp.Ceil | exp.Trunc):
        return None
    t = infer(node.this)
    if t is None or t[0] != "DECIMAL" or t[1] is None:
        return None
    s = t[1]
    if isinstance(node, exp.Abs):
        return _fn("mo_dec_abs", node.this, _num(s))
    given = node.args.get("decimals")
    digits = 0 if given is None else _int_literal(given)
    if digits is None or (isinstance(node, exp.Trunc) and given is None):
        return None
    name, _ = _MODES[type(node)]
    if isinstance(node, exp.Trunc):
        scale = s  # TRUNCATE keeps the argument's type (no binder rule for it)
    else:
        scale = 0 if given is None else min(s, min(max(digits, 0), 38))
    return _fn(name, node.this, _num(digits), _num(scale))
