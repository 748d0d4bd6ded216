"""Fast path for row-count statements: ``SELECT [literal AS a, ...] COUNT(*) FROM t [hint]``,
alone or as a ``UNION ALL`` of such branches (what restore verification sends, up to 1,000
branches per statement).

sqlglot costs milliseconds per branch; these statements need no translation at all: each branch
is one table's row count (now or at ``T``) plus constant columns, answered from covering indexes
(``physical.count_sql``). Anything else (WHERE, aliases without AS, other functions, UNION
without ALL, ...) returns None and takes the general path.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from matrixone_lite.sql.hints import HINT_RE, Hint, hint_from_match

_IDENT = r"`(?:[^`]|``)+`|[A-Za-z_$][\w$]*"
_SELECT = re.compile(r"\s*SELECT\s+", re.I)
_ITEM = re.compile(
    rf"""(?:(?P<str>'(?:[^'\\]|'')*')|(?P<int>-?\d+(?![\w.]))|(?P<count>COUNT\s*\(\s*\*\s*\)))
        (?:\s+AS\s+(?P<alias>{_IDENT}))?""",
    re.I | re.X,
)
_COMMA = re.compile(r"\s*,\s*")
_FROM = re.compile(rf"\s+FROM\s+(?P<a>{_IDENT})(?:\s*\.\s*(?P<b>{_IDENT}))?", re.I)
_HINT_START = re.compile(r"\s*(?=\{)")
_UNION_ALL = re.compile(r"\s+UNION\s+ALL(?=\s)", re.I)
_END = re.compile(r"\s*$")
_KEYWORDS = {"WHERE", "GROUP", "ORDER", "LIMIT", "HAVING", "UNION", "AS", "JOIN", "SELECT", "FROM", "WINDOW"}


@dataclass
class CountItem:
    """One projection: a constant (``value``) or the row count (``count`` True)."""

    name: str
    count: bool = False
    value: str | int | None = None


@dataclass
class CountBranch:
    items: list[CountItem]
    database: str | None
    table: str
    hint: Hint | None = None
    hint_text: str = ""  # the hint as written: identical hints resolve once per statement


def _ident(tok: str) -> str:
    return tok[1:-1].replace("``", "`") if tok.startswith("`") else tok


def _branch(sql: str, pos: int) -> tuple[CountBranch, int] | None:
    m = _SELECT.match(sql, pos)
    if not m:
        return None
    pos = m.end()
    items: list[CountItem] = []
    counts = 0
    while True:
        m = _ITEM.match(sql, pos)
        if not m:
            return None
        alias = m.group("alias")
        if m.group("count"):
            counts += 1
            items.append(CountItem(_ident(alias) if alias else m.group("count"), count=True))
        else:
            if alias is None:
                return None  # MySQL names an unaliased constant column in ways not worth copying here
            raw = m.group("str")
            value: str | int = raw[1:-1].replace("''", "'") if raw is not None else int(m.group("int"))
            items.append(CountItem(_ident(alias), value=value))
        pos = m.end()
        c = _COMMA.match(sql, pos)
        if not c:
            break
        pos = c.end()
    if counts == 0:
        return None
    m = _FROM.match(sql, pos)
    if not m:
        return None
    a, b = m.group("a"), m.group("b")
    if any(x is not None and not x.startswith("`") and x.upper() in _KEYWORDS for x in (a, b)):
        return None
    if b is None and a.upper() == "DUAL":
        return None  # FROM DUAL is no table (the general path drops it)
    database, table = (None, _ident(a)) if b is None else (_ident(a), _ident(b))
    pos = m.end()
    branch = CountBranch(items, database, table)
    h = _HINT_START.match(sql, pos)
    if h:
        hm = HINT_RE.match(sql, h.end())
        if not hm:
            return None
        branch.hint = hint_from_match(hm, table)
        branch.hint.database = database
        branch.hint_text = hm.group(0)
        pos = hm.end()
    return branch, pos


def parse_count_union(sql: str) -> list[CountBranch] | None:
    """The branches of a row-count statement, or None when ``sql`` has any other shape."""
    branches: list[CountBranch] = []
    pos = 0
    while True:
        got = _branch(sql, pos)
        if got is None:
            return None
        branch, pos = got
        if branches and len(branch.items) != len(branches[0].items):
            return None  # MySQL's column-count error comes from the general path
        branches.append(branch)
        if _END.match(sql, pos):
            return branches
        u = _UNION_ALL.match(sql, pos)
        if not u:
            return None
        pos = u.end()
