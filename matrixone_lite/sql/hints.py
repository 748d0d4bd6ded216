"""Pre-processing of MatrixOne time-travel hints (``{MO_TS = ...}``, ``{SNAPSHOT = s}``, ...).

sqlglot cannot parse ``{...}`` after a table name, so a small tokenizer (aware of quotes,
back-quotes and comments) removes each hint and renames the table token before it to the
placeholder `` `__mohint<nonce>_<i>` ``; the translator maps the placeholder back and reads the table
as of the hint's instant. A table named `__mohint0` once read another table's rows at T, so the
placeholder carries a random per-process part, and because a result column named after a hinted
subquery shows that text to the client, a client's own identifier beginning with `__mohint` is
refused in a statement with hints (``_refuse_placeholder_name``); translate.py maps a placeholder
only to a hint the statement has, and never fills a reference placeholder that appears twice. A hint after ``SHOW DATABASES`` / ``SHOW TABLES`` applies to the statement.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

from matrixone_lite.errors import not_supported, syntax_error

#: The engine's placeholders carry this per-process random part (see the module docstring for why that
#: alone is not enough, and what else keeps a client's text from being taken for one).
PLACEHOLDER_NONCE = secrets.token_hex(6)
HINT_PREFIX = f"__mohint{PLACEHOLDER_NONCE}_"


@dataclass
class Hint:
    kind: str  # "MO_TS", "TIMESTAMP", "AS_OF", "SNAPSHOT"
    value: str | int  # int ns, or a string literal / snapshot name
    table: str | None  # unquoted table name the hint follows (None: statement-level)
    quoted: bool = False  # value was a quoted string
    database: str | None = None  # the table's ``db.`` qualifier, if written (snapshot scope, #27134)


# no ``^``: ``HINT_RE.match(sql, pos)`` anchors at ``pos`` without copying the rest of ``sql``
HINT_RE = re.compile(
    r"""\{\s*(?:
        (?P<kw>MO_TS|TIMESTAMP|SNAPSHOT)\s*=\s*(?P<val>'(?:[^'\\]|\\.|'')*'|"(?:[^"\\]|\\.)*"|`[^`]*`|[-+]?[\w.:-]+)
      | AS\s+OF\s+TIMESTAMP\s+(?P<asof>'(?:[^'\\]|\\.|'')*'|"(?:[^"\\]|\\.)*")
    )\s*\}""",
    re.IGNORECASE | re.VERBOSE,
)


def _skip_quoted(sql: str, i: int) -> int:
    q = sql[i]
    j = i + 1
    n = len(sql)
    while j < n:
        ch = sql[j]
        if ch == "\\" and q != "`":
            j += 2
            continue
        if ch == q:
            if j + 1 < n and sql[j + 1] == q:
                j += 2
                continue
            return j + 1
        j += 1
    return n


def _refuse_placeholder_name(name: str) -> None:
    """A client's own identifier may not look like a hinted table's placeholder.

    The translator maps every table named like a placeholder to the statement's hints; the nonce
    keeps it unguessable, but a result column named after a hinted subquery shows the rewritten
    text (so the nonce) to the client. A name with the prefix in a statement that has hints is
    therefore refused outright; without hints there is nothing to map it to (translate.py).
    """
    if name.lower().startswith("__mohint"):
        raise not_supported(f"the name '{name}' (names beginning with __mohint are reserved by matrixone_lite)")


def _unquote(tok: str) -> tuple[str, bool]:
    if len(tok) >= 2 and tok[0] == tok[-1] and tok[0] in "'\"`":
        inner = tok[1:-1]
        if tok[0] == "`":
            return inner.replace("``", "`"), True
        return inner.replace(tok[0] * 2, tok[0]).replace("\\" + tok[0], tok[0]), True
    return tok, False


# the ``db .`` just before a table name (searched up to the name's start)
_QUALIFIER_RE = re.compile(r"(`(?:[^`]|``)+`|[A-Za-z0-9_$]+)\s*\.\s*$")


def hint_from_match(m: re.Match[str], table: str | None = None) -> Hint:
    """The :class:`Hint` of a ``HINT_RE`` match."""
    if m.group("asof"):
        val, _ = _unquote(m.group("asof"))
        return Hint("AS_OF", val, table, True)
    val, quoted = _unquote(m.group("val"))
    kind = m.group("kw").upper()
    value: str | int = val
    if kind != "SNAPSHOT" and not quoted:
        try:
            value = int(val)
        except ValueError:
            value = val
    return Hint(kind, value, table, quoted)


def extract_hints(sql: str, attach: bool = True) -> tuple[str, list[Hint]]:
    """Return ``sql`` with hints removed/placeholdered, and the hints in order of appearance.

    With ``attach`` False (SHOW statements) hints are only removed, never bound to a table.
    """
    if "{" not in sql:
        return sql, []
    out: list[str] = []
    hints: list[Hint] = []
    i, n = 0, len(sql)
    last_ident: tuple[int, int] | None = None  # span in `out`-joined text of last identifier token
    buf = ""
    while i < n:
        ch = sql[i]
        if ch in "'\"":
            j = _skip_quoted(sql, i)
            buf += sql[i:j]
            last_ident = None
            i = j
            continue
        if ch == "`":
            j = _skip_quoted(sql, i)
            _refuse_placeholder_name(_unquote(sql[i:j])[0])
            last_ident = (len(buf), len(buf) + (j - i))
            buf += sql[i:j]
            i = j
            continue
        if sql.startswith("--", i) or ch == "#":
            j = sql.find("\n", i)
            j = n if j < 0 else j
            buf += sql[i:j]
            i = j
            continue
        if sql.startswith("/*", i):
            j = sql.find("*/", i + 2)
            j = n if j < 0 else j + 2
            buf += sql[i:j]
            i = j
            continue
        if ch == "{":
            m = HINT_RE.match(sql, i)
            if not m:
                raise syntax_error(sql[i : i + 20], i + 1)
            hint = hint_from_match(m)
            if attach and last_ident is not None and buf[last_ident[1] :].strip() == "":
                s, e = last_ident
                name, _ = _unquote(buf[s:e])
                hint.table = name
                q = _QUALIFIER_RE.search(buf, max(0, s - 256), s)  # a bounded look-back
                hint.database = _unquote(q.group(1))[0] if q else None
                buf = buf[:s] + f"`{HINT_PREFIX}{len(hints)}`" + buf[e:]
            hints.append(hint)
            last_ident = None
            i = m.end()
            continue
        if ch.isalnum() or ch == "_" or ch == "$":
            j = i
            while j < n and (sql[j].isalnum() or sql[j] in "_$"):
                j += 1
            _refuse_placeholder_name(sql[i:j])
            last_ident = (len(buf), len(buf) + (j - i))
            buf += sql[i:j]
            i = j
            continue
        if not ch.isspace():
            last_ident = None
        buf += ch
        i += 1
    out.append(buf)
    return "".join(out), hints


PLACEHOLDER_RE = re.compile(rf"^{HINT_PREFIX}(\d+)$")
