"""Literal extraction for the statement-shape cache.

Drivers inline parameters, so most statements differ only in literals. Replacing eligible literals
with named placeholders (``:mop0`` ...) gives a *shape*; its translation is cached and executed with
the literals bound as parameters, so sqlglot runs once per shape instead of once per statement.
A literal is only parameterised where its value cannot change the translation: not in a SELECT's
projections (they name and type result columns), not inside function calls or type parameters,
and not after keywords such as INTERVAL or DATE.
"""

from __future__ import annotations

import re
from typing import Any

from matrixone_lite.sql.decimal import inexact, raw_bytes

_TOKEN = re.compile(
    r"""(?P<str>'(?:[^'\\]|\\.|'')*'|"(?:[^"\\]|\\.|"")*")
      |(?P<bq>`(?:[^`]|``)*`)
      |(?P<comment>--[^\n]*|\#[^\n]*|/\*.*?\*/)
      |(?P<num>(?<![\w$.])\d+(?:\.\d+)?(?:[eE][-+]?\d+)?(?![\w$.]))
      |(?P<word>[A-Za-z_$][\w$]*)
      |(?P<op><=|>=|<>|!=|:=|\S)
      |(?P<ws>\s+)""",
    re.VERBOSE | re.DOTALL,
)

_PREV_OK_WORDS = {
    "VALUES", "VALUE", "IN", "AND", "OR", "NOT", "LIKE", "THEN", "ELSE", "WHEN", "BETWEEN", "WHERE", "SET",
    "LIMIT", "OFFSET", "HAVING",
}
_PREV_OK_OPS = {"(", ",", "=", "<", ">", "<=", ">=", "!=", "<>", "+", "-", "*", "/", "%"}
_PLAIN_PAREN_WORDS = {"VALUES", "VALUE", "IN", "AND", "OR", "NOT", "WHERE", "SET", "ON", "HAVING", "THEN", "ELSE", "WHEN"}
_ESC = {"n": "\n", "t": "\t", "r": "\r", "0": "\0", "Z": "\x1a", "b": "\b"}


def _unescape(tok: str) -> str:
    q = tok[0]
    body = tok[1:-1].replace(q + q, q)
    if "\\" not in body:
        return body
    out = []
    i = 0
    while i < len(body):
        ch = body[i]
        if ch == "\\" and i + 1 < len(body):
            nxt = body[i + 1]
            if nxt in "%_":
                out.append("\\" + nxt)
            else:
                out.append(_ESC.get(nxt, nxt))
            i += 2
            continue
        out.append(ch)
        i += 1
    return "".join(out)


def _number(tok: str) -> Any:
    if "." not in tok and "e" not in tok.lower():
        n = int(tok)
        return n if n < 2**63 else float(n)  # SQLite reads such a literal as REAL too
    return float(tok)


def shape(sql: str) -> tuple[str, dict[str, Any]] | None:
    """``(shape, params)`` or None when the statement is not worth or safe to parameterise."""
    if "{" in sql or ":mop" in sql or "?" in sql or "\\0" in sql or raw_bytes(sql):
        return None  # raw bytes / NUL in a literal: translation turns them into a blob literal
    head = sql.lstrip()[:7].upper()
    is_select = head.startswith("SELECT")
    if not (is_select or head.startswith(("INSERT", "UPDATE", "DELETE", "REPLACE"))):
        return None
    out: list[str] = []
    params: dict[str, Any] = {}
    prev = ""  # previous significant token, upper-cased
    stack: list[bool] = []  # per open paren: literals allowed inside?
    seen_where = not is_select
    pos = 0
    for m in _TOKEN.finditer(sql):
        if m.start() != pos:
            return None
        pos = m.end()
        kind = m.lastgroup
        tok = m.group()
        if kind in ("ws", "comment"):
            out.append(tok)
            continue
        if kind in ("str", "num"):
            allowed = (
                seen_where
                and (not stack or stack[-1])
                and (prev in _PREV_OK_OPS or prev in _PREV_OK_WORDS)
            )
            if allowed and kind == "num" and inexact(tok):
                return None  # a double would round it: leave it to the exact-literal translation
            if allowed:
                name = f"mop{len(params)}"
                params[name] = _unescape(tok) if kind == "str" else _number(tok)
                out.append(":" + name)
            else:
                out.append(tok)
            prev = "LIT"
            continue
        up = tok.upper()
        if kind == "word" and up == "WHERE":
            seen_where = True
        if tok == "(":
            plain = prev in _PREV_OK_OPS or prev in _PLAIN_PAREN_WORDS or prev == ""
            stack.append(plain and (not stack or stack[-1]))
        elif tok == ")":
            if stack:
                stack.pop()
        out.append(tok)
        prev = up if kind in ("word", "op") else "ID"
    if pos != len(sql) or not params:
        return None
    return "".join(out), params
