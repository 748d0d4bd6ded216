"""Fast path for one large multi-row ``INSERT ... VALUES (...), (...)`` of literal values.

Why: the general path parses the whole statement with sqlglot (a tree node per value: a 0.8 MB
INSERT took 194 s and 693 MiB) and binds every literal as an SQLite parameter, so a statement
of more than 32,766 values failed with ``too many SQL variables``. Loaders and dump files send
exactly such statements, up to the 16 MiB wire limit.

Here the statement is recognised by a regex head (``INSERT|REPLACE INTO [db.]t [(cols)]
VALUES``), a *one-row* template ``... VALUES (:mop0, ..., :mopK)`` is translated by the normal
path (so name resolution, permissions, the SQL guard, auto-increment and REPLACE behave
exactly as for a small statement, and the translation is cached), and the rows are streamed
from a single regex scan of the text into ``executemany`` inside a savepoint. Values are bound
exactly as the statement-shape cache binds them (``sql/params.py``), so a row stores the same
values whichever path it took. Memory is the statement text plus one row at a time.

Anything else in the VALUES list (expressions, functions, hex literals, ``ON DUPLICATE KEY``)
falls back to the general path; a fallback discovered mid-stream undoes the rows inserted so far.
"""

from __future__ import annotations

import functools
import re
import sqlite3
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from matrixone_lite.results import Result
from matrixone_lite.sql import foreign_keys
from matrixone_lite.sql.decimal import inexact, raw_bytes
from matrixone_lite.sql.params import _number, _unescape

if TYPE_CHECKING:
    from matrixone_lite.engine import EngineSession

BULK_MIN_CHARS = 32768  # smaller statements take the general path (and its shape cache)

_NAME = r"(?:`(?:[^`]|``)+`|[A-Za-z_$][\w$]*)"
_HEAD = re.compile(
    rf"\s*(?P<verb>INSERT|REPLACE)\s+INTO\s+(?P<table>{_NAME}(?:\s*\.\s*{_NAME})?)\s*"
    rf"(?:\((?P<cols>\s*{_NAME}(?:\s*,\s*{_NAME})*\s*)\))?\s*VALUES?\s*(?=\()",
    re.IGNORECASE,
)
_VALUE = re.compile(
    r"""\s*(?:(?P<str>'(?:[^'\\]|\\.|'')*'|"(?:[^"\\]|\\.|"")*")
         |(?P<num>[-+]?\d+(?:\.\d*)?(?:[eE][-+]?\d+)?|[-+]?\.\d+(?:[eE][-+]?\d+)?)(?![\w$.])
         |(?P<kw>NULL|TRUE|FALSE)(?![\w$]))\s*""",
    re.VERBOSE | re.IGNORECASE | re.DOTALL,
)
_OPEN = re.compile(r"\s*\(")
_SEP = re.compile(r"\s*([,)])")


class _NotPlain(Exception):
    """The VALUES list holds something other than literals: use the general path."""


def _literal(m: re.Match[str]) -> Any:
    s = m.group("str")
    if s is not None:
        return _unescape(s)
    num = m.group("num")
    if num is not None:
        # the shape cache binds the unsigned number and SQLite negates it: same value here
        v = _number(num.lstrip("+-"))
        return -v if num[0] == "-" else v
    kw = m.group("kw").upper()
    return None if kw == "NULL" else int(kw == "TRUE")


def _row(text: str, pos: int) -> tuple[list[Any], int]:
    """One ``(v, ...)`` tuple of literals at ``pos``: (values, end); _NotPlain otherwise."""
    m = _OPEN.match(text, pos)
    if m is None:
        raise _NotPlain
    pos = m.end()
    vals: list[Any] = []
    while True:
        v = _VALUE.match(text, pos)
        if v is None:
            raise _NotPlain
        vals.append(_literal(v))
        s = _SEP.match(text, v.end())
        if s is None:
            raise _NotPlain
        pos = s.end()
        if s.group(1) == ")":
            return vals, pos


_V = (r"('(?:[^'\\]|\\.|'')*'" r'|"(?:[^"\\]|\\.|"")*"'
      r"|[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?(?![\w$.])|(?:NULL|TRUE|FALSE)(?![\w$]))")


@functools.lru_cache(maxsize=64)
def _row_re(width: int) -> re.Pattern[str]:
    """One regex per row width: a row is matched by one call, not one call per value."""
    body = r"\s*,\s*".join([_V] * width)
    return re.compile(rf"\s*\(\s*{body}\s*\)\s*(,\s*(?=\()|$)", re.IGNORECASE | re.DOTALL)


def _convert(tok: str) -> Any:
    c = tok[0]
    if c in "'\"":
        v = _unescape(tok)
        return v.encode("utf-8", "surrogateescape") if raw_bytes(v) else v  # X'FF', NUL: exact bytes
    if c in "nN":
        return None
    if c in "tT":
        return 1
    if c in "fF":
        return 0
    if inexact(tok.lstrip("+-")):
        return tok  # a double would round it: exact text for mo_dec_in / mo_ubig_in (sql/decimal.py)
    if c in "+-":
        v = _number(tok[1:])  # bound unsigned and negated, as the shape cache and SQLite do
        return -v if c == "-" else v
    return _number(tok)


def _rows(text: str, pos: int, names: list[str]) -> Iterator[dict[str, Any]]:
    """Each row as a parameter dict, one at a time; _NotPlain at the first non-literal."""
    match = _row_re(len(names)).match
    n = len(text)
    while True:
        m = match(text, pos)
        if m is None:
            raise _NotPlain  # an expression, another width, ON DUPLICATE KEY UPDATE, garbage
        vals = m.groups()
        yield dict(zip(names, map(_convert, vals[:-1]), strict=True))
        pos = m.end()
        if not vals[-1]:
            if pos < n:
                raise _NotPlain
            return


def run_bulk_insert(es: EngineSession, text: str, head: str) -> Result | None:
    """Execute ``text`` through the fast path; None: not a plain literal multi-row INSERT.

    Called with the session's write lock already held (``_under_write_lock``).
    """

    m = _HEAD.match(text)
    if m is None:
        return None
    try:
        width = len(_row(text, m.end())[0])
    except _NotPlain:
        return None
    cols = f" ({m.group('cols')})" if m.group("cols") else ""
    placeholders = ", ".join(f":mop{k}" for k in range(width))
    template = f"{m.group('verb')} INTO {m.group('table')}{cols} VALUES ({placeholders})"
    key = (template, es.database, es.storage.catalog_version)
    tr = es._cache.get(key)  # noqa: SLF001 - the session's shape cache, shared on purpose
    if tr is None:
        tr = es._translate(template, head)  # noqa: SLF001
        if tr is None:
            return None
        es._remember(key, tr)  # noqa: SLF001
    if tr.kind != "insert" or tr.target is None or tr.upsert:
        return None
    conn = es.conn
    tx = es._write_tx()  # noqa: SLF001
    tx.touch(tr.target.id)
    last: dict[str, Any] = {}
    names = [f"mop{k}" for k in range(width)]

    def rows() -> Iterator[dict[str, Any]]:
        for r in _rows(text, m.end(), names):
            last["row"] = r  # executemany stops at a failing row: this is the culprit
            yield r

    conn.execute("SAVEPOINT mo_bulk_insert")
    ok = fallback = False
    try:
        try:
            cur = conn.executemany(tr.sql, rows())
            foreign_keys.check_after(es, tx, tr)  # a violation is undone by the ROLLBACK TO below
        except _NotPlain:
            conn.execute("ROLLBACK TO mo_bulk_insert")
            fallback = True
            return None
        except sqlite3.IntegrityError as e:
            err = es._duplicate(e, tr, last.get("row", {}))  # noqa: SLF001 - names the value
            conn.execute("ROLLBACK TO mo_bulk_insert")
            raise err from None
        except BaseException:
            conn.execute("ROLLBACK TO mo_bulk_insert")  # no row of a failed statement survives
            raise
        n = max(cur.rowcount, 0)
        first = 0
        if tr.insert_auto and n > 0:
            rowid = conn.execute("SELECT last_insert_rowid()").fetchone()[0]
            if rowid:
                first = int(rowid) - n + 1
                es.last_insert_id = first
        ok = True
    finally:
        conn.execute("RELEASE mo_bulk_insert")
        if not fallback:
            es._after_statement(ok)  # noqa: SLF001 - autocommit ends the statement's transaction
    return Result(None, [], n, first)
