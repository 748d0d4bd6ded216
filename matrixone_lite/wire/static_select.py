"""Answer ``SELECT @@var, version(), database() … [LIMIT n]`` in the wire layer.

Drivers and CLIs send these on every connect; they need session state (variables, the current
database, the login) that only the wire layer has. Anything with FROM, literals or expressions is
not static and goes to the engine.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from matrixone_lite.mo.lexer import Kind, Token, tokenize

STATIC_FUNCTIONS = {
    "VERSION", "DATABASE", "SCHEMA", "USER", "CURRENT_USER", "SESSION_USER", "SYSTEM_USER", "CONNECTION_ID",
    "CURRENT_ROLE", "LAST_INSERT_ID", "CURRENT_ACCOUNT_NAME", "CURRENT_ACCOUNT_ID", "CURRENT_USER_NAME",
    "CURRENT_USER_ID", "CURRENT_ROLE_NAME",
}


@dataclass(frozen=True)
class StaticItem:
    kind: str  # "sysvar", "uservar", "func"
    name: str  # variable name (lower-case, scope stripped) or function name (upper-case)
    label: str  # column name


_FROM = re.compile(r"\bFROM\b", re.IGNORECASE)


def parse_static_select(sql: str) -> list[StaticItem] | None:
    """The items of a static SELECT, or None when the statement is not one."""
    if _FROM.search(sql):  # a static SELECT reads no table: skip tokenizing big queries
        return None
    toks = [t for t in tokenize(sql) if not (t.kind is Kind.OP and t.value == ";")]
    if not toks or not toks[0].is_word("SELECT"):
        return None
    i = 1
    items: list[StaticItem] = []
    while True:
        t = toks[i]
        start = t.start
        if t.kind is Kind.VAR:
            if t.value.startswith("@@"):
                name = t.value[2:].lower()
                for scope in ("global.", "session.", "local."):
                    if name.startswith(scope):
                        name = name[len(scope):]
                item_kind = "sysvar"
            else:
                name, item_kind = t.value[1:], "uservar"
            i += 1
        elif (t.kind is Kind.IDENT and t.value.upper() in STATIC_FUNCTIONS and toks[i + 1].value == "("
              and toks[i + 1].kind is Kind.OP and toks[i + 2].kind is Kind.OP and toks[i + 2].value == ")"):
            name, item_kind = t.value.upper(), "func"
            i += 3
        else:
            return None
        label = sql[start:toks[i - 1].end]
        alias_tok: Token | None = None
        if toks[i].is_word("AS"):
            alias_tok = toks[i + 1]
            i += 2
        elif toks[i].kind in (Kind.IDENT, Kind.QIDENT, Kind.STRING) and not toks[i].is_word("LIMIT", "FROM"):
            alias_tok = toks[i]
            i += 1
        if alias_tok is not None:
            if alias_tok.kind not in (Kind.IDENT, Kind.QIDENT, Kind.STRING):
                return None
            label = alias_tok.value
        items.append(StaticItem(item_kind, name, label))
        if toks[i].kind is Kind.OP and toks[i].value == ",":
            i += 1
            continue
        break
    if toks[i].is_word("LIMIT"):
        if toks[i + 1].kind is not Kind.NUMBER:
            return None
        i += 2
    if toks[i].kind is not Kind.EOF:
        return None
    return items


def evaluate(items: list[StaticItem], sysvar: Callable[[str], Any], uservar: Callable[[str], Any],
             func: Callable[[str], Any]) -> tuple[list[str], list[tuple[Any, ...]]]:
    """Evaluate the items into (column labels, one row)."""
    row = []
    for it in items:
        if it.kind == "sysvar":
            row.append(sysvar(it.name))
        elif it.kind == "uservar":
            row.append(uservar(it.name))
        else:
            row.append(func(it.name))
    return [it.label for it in items], [tuple(row)]
