"""Evaluate a SHOW PITR / SHOW SNAPSHOTS ``WHERE`` over output rows.

MatrixOne applies the WHERE to ``SELECT * FROM (<show query>)``, so names refer to the output
columns, case-insensitively (matrixone-pitr.md §2.4). Comparison follows MySQL: numbers compare
numerically (a numeric string next to a number is converted), strings compare as strings.
"""

from __future__ import annotations

import re
from typing import Any

from matrixone_lite.errors import MOError, invalid_input
from matrixone_lite.mo import ast

_HOURS_PER_UNIT = {"h": 1, "d": 24, "mo": 30 * 24, "y": 365 * 24}


def matches(expr: ast.Expr, row: dict[str, Any]) -> bool:
    """True when ``expr`` is true for ``row`` (keys lower-case); NULL counts as false."""
    value = evaluate(expr, row)
    return _truthy(value)


def _truthy(value: Any) -> bool:
    if value is None:
        return False
    if isinstance(value, str):
        try:
            return float(value) != 0
        except ValueError:
            return False
    return bool(value)


def evaluate(expr: ast.Expr, row: dict[str, Any]) -> Any:
    if isinstance(expr, ast.Literal):
        return expr.value
    if isinstance(expr, ast.Column):
        if expr.name not in row:
            raise invalid_input(f"column {expr.name} does not exist")
        return row[expr.name]
    if isinstance(expr, ast.Unary):
        v = evaluate(expr.operand, row)
        if v is None:
            return None
        if expr.op == "NOT":
            return 0 if _truthy(v) else 1
        return -_number(v)
    if isinstance(expr, ast.IsNull):
        is_null = evaluate(expr.operand, row) is None
        return int(is_null != expr.negated)
    if isinstance(expr, ast.InList):
        v = evaluate(expr.operand, row)
        if v is None:
            return None
        hit = any(_compare("=", v, evaluate(i, row)) for i in expr.items)
        return int(hit != expr.negated)
    if isinstance(expr, ast.Func):
        return _call(expr, row)
    assert isinstance(expr, ast.Binary)
    op = expr.op
    if op in ("AND", "OR"):
        left = evaluate(expr.left, row)
        right = evaluate(expr.right, row)
        lt = None if left is None else _truthy(left)
        rt = None if right is None else _truthy(right)
        if op == "AND":
            if lt is False or rt is False:
                return 0
            return None if lt is None or rt is None else 1
        if lt or rt:
            return 1
        return None if lt is None or rt is None else 0
    left = evaluate(expr.left, row)
    right = evaluate(expr.right, row)
    if left is None or right is None:
        return None
    if op in ("LIKE", "NOT LIKE"):
        hit = _like(str(right)).fullmatch(str(left)) is not None
        return int(hit != (op == "NOT LIKE"))
    if op in ("+", "-", "*", "/"):
        a, b = _number(left), _number(right)
        if op == "+":
            return a + b
        if op == "-":
            return a - b
        if op == "*":
            return a * b
        return None if b == 0 else a / b
    return int(_compare(op, left, right))


def _number(v: Any) -> float | int:
    if isinstance(v, (int, float)):
        return v
    m = re.match(r"\s*[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?", str(v))
    if not m:
        return 0
    text = m.group(0)
    try:
        return int(text)
    except ValueError:
        return float(text)


def _compare(op: str, a: Any, b: Any) -> bool:
    if isinstance(a, (int, float)) or isinstance(b, (int, float)):
        x: Any = _number(a)
        y: Any = _number(b)
    else:
        x, y = str(a), str(b)
    if op == "=":
        return bool(x == y)
    if op == "!=":
        return bool(x != y)
    if op == "<":
        return bool(x < y)
    if op == ">":
        return bool(x > y)
    if op == "<=":
        return bool(x <= y)
    return bool(x >= y)


def _like(pattern: str) -> re.Pattern[str]:
    out: list[str] = []
    i = 0
    while i < len(pattern):
        c = pattern[i]
        if c == "\\" and i + 1 < len(pattern):
            out.append(re.escape(pattern[i + 1]))
            i += 2
            continue
        out.append(".*" if c == "%" else "." if c == "_" else re.escape(c))
        i += 1
    return re.compile("".join(out), re.DOTALL)


def _call(f: ast.Func, row: dict[str, Any]) -> Any:
    args = [evaluate(a, row) for a in f.args]
    if f.name == "CAST_RANGE_VALUE_UNIT":
        if len(args) != 2:
            raise MOError(20203, f"invalid argument function {f.name.lower()}, bad value {len(args)} args")
        if args[0] is None or args[1] is None:
            return None
        unit = str(args[1])
        if unit not in _HOURS_PER_UNIT:
            raise invalid_input(f"invalid pitr unit {unit}")
        return int(_number(args[0])) * _HOURS_PER_UNIT[unit]
    if f.name in ("LOWER", "LCASE") and len(args) == 1:
        return None if args[0] is None else str(args[0]).lower()
    if f.name in ("UPPER", "UCASE") and len(args) == 1:
        return None if args[0] is None else str(args[0]).upper()
    raise MOError(20203, f"invalid argument function name, bad value {f.name.lower()}")
