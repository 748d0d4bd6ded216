"""Recognises the provider's content-fingerprint statement by its exact text (no sqlglot).

The restore proof sends, per table or primary-key chunk, the statement
``airflow_provider_matrixone.pitr.fingerprint.fingerprint_select`` emits, alone or as a
``UNION ALL`` of up to 50 such branches. sqlglot costs ~2.5 ms per branch and the general
translation evaluates ~10 SQL functions per row; ``execution/fingerprints.py`` answers it with one
native aggregate per table arm instead. That is only sound for exactly this shape, so this parser
accepts the emitted text token for token (spacing, case, back-quoted names, the four column
encodings, the optional ``{MO_TS = n}`` hint and chunk ``WHERE``) and returns None for anything
else, which then takes the general path unchanged. lite does not import the provider: the tests
generate statements with it and check both agree.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_BQ = r"`(?:[^`]|``)+`"
_LIT = r"'(?:[^'\\]|'')*'"  # no backslash escapes: a literal with one takes the general path
_VAL = rf"(?:-?\d+(?![\w.])|{_LIT}|X'[0-9a-fA-F]*')"
_ALL = "9223372036854775807"

_HEAD = re.compile(  # a pattern, not a query
    rf"SELECT (?P<dl>{_LIT}) AS db_name, (?P<tl>{_LIT}) AS table_name, (?P<cl>{_LIT}) AS chunk, "  # noqa: S608
    r"COUNT\(\*\) AS n, SUM\(a\) AS sa, SUM\(b\) AS sb, BIT_XOR\(a\) AS xa, BIT_XOR\(b\) AS xb "
    r"FROM \(SELECT CRC32\(SUBSTRING\(h, 1, 16\)\) AS a, CRC32\(SUBSTRING\(h, 17, 16\)\) AS b "
    r"FROM \(SELECT MD5\(CONCAT_WS\(',', "
)
#: The provider's four column encodings (``fingerprint.encode_column``), by form name; ``{c}`` is
#: the back-quoted column. The recogniser and the general-path translation both use these texts.
FORMS = {
    "cast": "IFNULL(CAST({c} AS CHAR), 'N')",
    "hex": "IFNULL(HEX({c}), 'N')",
    "double": "IFNULL(CONCAT(CAST({c} AS CHAR), '~', CAST({c} - CAST(CAST({c} AS CHAR) AS DOUBLE) AS CHAR)), 'N')",
    "hexcast": "IFNULL(HEX(CAST({c} AS CHAR)), 'N')",
}
_ENC = [(form, re.compile(re.escape(text).replace(re.escape("{c}"), f"({_BQ})"))) for form, text in FORMS.items()]
_SOURCE = re.compile(rf"\)\) AS h FROM (?P<db>{_BQ})\.(?P<t>{_BQ})(?: \{{MO_TS = (?P<ts>\d+)\}})?")
_WHERE = re.compile(rf" WHERE (?P<k1>{_BQ}) (?P<op>>=|<) (?P<v1>{_VAL})(?: AND (?P<k2>{_BQ}) < (?P<v2>{_VAL}))?")
_TAIL = re.compile(rf" LIMIT {_ALL}\) AS fp_digest LIMIT {_ALL}\) AS fp_rows")
_UNION = " UNION ALL "


@dataclass(frozen=True)
class FpBranch:
    """One table or chunk of a fingerprint statement, as written."""

    db_label: str  # the constant columns' values
    table_label: str
    chunk_label: str
    database: str  # the table read (unquoted)
    table: str
    encodings: tuple[tuple[str, str], ...]  # (form, column name) in order
    at: int | None  # the {MO_TS = n} instant as written
    key: str | None = None  # the chunk WHERE's column (unquoted) and its bounds: ((op, literal), ...)
    bounds: tuple[tuple[str, str], ...] = ()


def _ident(tok: str) -> str:
    return tok[1:-1].replace("``", "`")


def _lit(tok: str) -> str:
    return tok[1:-1].replace("''", "'")


def _encodings(sql: str, pos: int) -> tuple[list[tuple[str, str]], int] | None:
    out: list[tuple[str, str]] = []
    while True:
        for form, rx in _ENC:
            m = rx.match(sql, pos)
            if m is not None:
                if len(set(m.groups())) != 1:
                    return None  # the DOUBLE form names one column three times
                out.append((form, _ident(m.group(1))))
                pos = m.end()
                break
        else:
            return None
        if sql.startswith(", ", pos):
            pos += 2
            continue
        return out, pos


def _branch(sql: str, pos: int) -> tuple[FpBranch, int] | None:
    m = _HEAD.match(sql, pos)
    if m is None:
        return None
    labels = (_lit(m.group("dl")), _lit(m.group("tl")), _lit(m.group("cl")))
    got = _encodings(sql, m.end())
    if got is None:
        return None
    encodings, pos = got
    s = _SOURCE.match(sql, pos)
    if s is None:
        return None
    pos = s.end()
    key: str | None = None
    bounds: tuple[tuple[str, str], ...] = ()
    w = _WHERE.match(sql, pos)
    if w is not None:
        bounds = ((w.group("op"), w.group("v1")),)
        if w.group("k2") is not None:
            if w.group("op") != ">=" or w.group("k2") != w.group("k1"):
                return None  # chunk_where writes ``k >= lo AND k < hi`` on one key
            bounds += (("<", w.group("v2")),)
        key = _ident(w.group("k1"))
        pos = w.end()
    t = _TAIL.match(sql, pos)
    if t is None:
        return None
    at = int(s.group("ts")) if s.group("ts") is not None else None
    return FpBranch(*labels, _ident(s.group("db")), _ident(s.group("t")), tuple(encodings), at, key, bounds), t.end()


def parse_fingerprint_union(sql: str) -> list[FpBranch] | None:
    """The branches of a fingerprint statement, or None when ``sql`` has any other shape."""
    branches: list[FpBranch] = []
    pos = 0
    while True:
        got = _branch(sql, pos)
        if got is None:
            return None
        branch, pos = got
        branches.append(branch)
        if pos == len(sql):
            return branches
        if not sql.startswith(_UNION, pos):
            return None
        pos += len(_UNION)


def looks_like_fingerprint(sql: str) -> bool:
    """A cheap pre-check before parsing (most statements are not fingerprints)."""
    return sql.startswith("SELECT '") and "AS fp_rows" in sql[-120:]
