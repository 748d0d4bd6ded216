"""A small MySQL-flavoured tokenizer.

Used twice: by the wire layer to split a COM_QUERY into statements (quotes, back-quotes and
comments must not split) and by the MatrixOne statement parser. Tokens keep their source
offsets so the original text of a statement or sub-expression can be recovered exactly.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from dataclasses import dataclass
from enum import Enum


class Kind(Enum):
    IDENT = "ident"  # bare word (keywords included)
    QIDENT = "qident"  # `back-quoted`
    STRING = "string"  # 'single' or "double" quoted
    NUMBER = "number"
    OP = "op"  # punctuation / operator
    VAR = "var"  # @@name, @@session.name, @name
    EOF = "eof"


@dataclass(frozen=True)
class Token:
    kind: Kind
    value: str  # decoded value (unquoted strings/identifiers), operator text otherwise
    start: int
    end: int
    terminated: bool = True  # False for a string/identifier/comment that never closes

    def is_word(self, *words: str) -> bool:
        """True when this is a bare word equal (case-insensitively) to one of ``words``."""
        return self.kind is Kind.IDENT and self.value.upper() in words


_TWO_CHAR_OPS = {"<>", "!=", "<=", ">=", "||", "&&", ":=", "<<", ">>"}
_ESCAPES = {"0": "\0", "b": "\b", "n": "\n", "r": "\r", "t": "\t", "Z": "\x1a"}


class LexError(Exception):
    """Raised for input the tokenizer cannot read (only in strict mode)."""

    def __init__(self, message: str, pos: int) -> None:
        super().__init__(message)
        self.pos = pos


def tokenize(sql: str, *, strict: bool = False) -> list[Token]:
    """Tokenize ``sql``; comments and whitespace are dropped. Always ends with an EOF token.

    Cached: routing, splitting, parameter and static-select checks each look at the same
    statement, and tokenizing in Python was the largest cost of a point query on the wire.
    Long statements (a multi-row INSERT of megabytes) are not cached: their token tuples would
    stay in memory (hundreds of bytes per token) long after the statement ran.
    """
    if len(sql) > UNCACHED_CHARS:
        return _tokenize(sql, strict=strict)
    return list(_tokenize_cached(sql, strict))


UNCACHED_CHARS = 2048  # point queries and routing; 2,048 cached token lists stay small


@functools.lru_cache(maxsize=2048)
def _tokenize_cached(sql: str, strict: bool) -> tuple[Token, ...]:
    return tuple(_tokenize(sql, strict=strict))


def _tokenize(sql: str, *, strict: bool = False) -> list[Token]:
    return list(iter_tokens(sql, strict=strict))


def iter_tokens(sql: str, *, strict: bool = False) -> Iterator[Token]:
    """Tokens one at a time (routing needs the first few words, not a list of millions)."""
    i, n = 0, len(sql)
    while i < n:
        c = sql[i]
        if c.isspace():
            i += 1
            continue
        # comments: -- (followed by space/control/end), #, /* */
        if c == "#" or (sql.startswith("--", i) and (i + 2 >= n or sql[i + 2].isspace())):
            j = sql.find("\n", i)
            i = n if j < 0 else j + 1
            continue
        if sql.startswith("/*", i):
            j = sql.find("*/", i + 2)
            if j < 0:
                if strict:
                    raise LexError("unterminated comment", i)
                i = n
            else:
                i = j + 2
            continue
        if c in ("'", '"'):
            value, j, ok = _read_quoted(sql, i, c, backslash=True)
            if not ok and strict:
                raise LexError("unterminated string", i)
            yield Token(Kind.STRING, value, i, j, ok)
            i = j
            continue
        if c == "`":
            value, j, ok = _read_quoted(sql, i, "`", backslash=False)
            if not ok and strict:
                raise LexError("unterminated identifier", i)
            yield Token(Kind.QIDENT, value, i, j, ok)
            i = j
            continue
        if c == "@":
            j = i + 1
            if j < n and sql[j] == "@":
                j += 1
            k = j
            while k < n and (sql[k].isalnum() or sql[k] in "_$."):
                k += 1
            if k == j and k < n and sql[k] in "`'\"":
                value, k, _ok = _read_quoted(sql, k, sql[k], backslash=sql[k] != "`")
                yield Token(Kind.VAR, sql[i:j] + value, i, k)
            else:
                yield Token(Kind.VAR, sql[i:k], i, k)
            i = k
            continue
        if c.isdigit() or (c == "." and i + 1 < n and sql[i + 1].isdigit()):
            j = i
            while j < n and (sql[j].isdigit() or sql[j] == "."):
                j += 1
            if j < n and sql[j] in "eE" and j + 1 < n and (sql[j + 1].isdigit() or sql[j + 1] in "+-"):
                j += 2
                while j < n and sql[j].isdigit():
                    j += 1
            # identifiers may start with digits in MySQL (e.g. 1abc)
            if j < n and (sql[j].isalpha() or sql[j] in "_$"):
                while j < n and (sql[j].isalnum() or sql[j] in "_$"):
                    j += 1
                yield Token(Kind.IDENT, sql[i:j], i, j)
            else:
                yield Token(Kind.NUMBER, sql[i:j], i, j)
            i = j
            continue
        if c.isalpha() or c in "_$" or ord(c) > 127:
            j = i
            while j < n and (sql[j].isalnum() or sql[j] in "_$" or ord(sql[j]) > 127):
                j += 1
            yield Token(Kind.IDENT, sql[i:j], i, j)
            i = j
            continue
        two = sql[i : i + 2]
        if two in _TWO_CHAR_OPS:
            yield Token(Kind.OP, two, i, i + 2)
            i += 2
            continue
        yield Token(Kind.OP, c, i, i + 1)
        i += 1
    yield Token(Kind.EOF, "", n, n)


def _read_quoted(sql: str, i: int, q: str, *, backslash: bool) -> tuple[str, int, bool]:
    """Read a quoted literal starting at ``sql[i] == q``; returns (value, end, terminated)."""
    buf: list[str] = []
    j, n = i + 1, len(sql)
    while j < n:
        c = sql[j]
        if backslash and c == "\\" and j + 1 < n:
            nxt = sql[j + 1]
            buf.append(_ESCAPES.get(nxt, nxt))
            j += 2
            continue
        if c == q:
            if j + 1 < n and sql[j + 1] == q:
                buf.append(q)
                j += 2
                continue
            return "".join(buf), j + 1, True
        buf.append(c)
        j += 1
    return "".join(buf), n, False


def split_statements(sql: str) -> list[str]:
    """Split a COM_QUERY text on top-level ``;`` into non-empty statements (original text)."""
    plain = not sql.lstrip().startswith(("-", "#", "/"))
    if plain and sql.count(";") == 1 and sql.rstrip().endswith(";"):
        sql = sql.rstrip()[:-1]  # one statement with its terminator: no need to tokenize it all
    if ";" not in sql and plain:
        stripped = sql.strip()  # one statement and no leading comment: nothing to tokenize
        return [stripped] if stripped else []
    parts: list[str] = []
    start = 0
    for tok in iter_tokens(sql):
        if tok.kind is Kind.OP and tok.value == ";":
            parts.append(sql[start : tok.start])
            start = tok.end
    parts.append(sql[start:])
    return [p.strip() for p in parts if _has_content(p)]


def _has_content(text: str) -> bool:
    return next(iter_tokens(text)).kind is not Kind.EOF


def first_words(sql: str, count: int = 3) -> list[str]:
    """The first ``count`` bare words of a statement, upper-cased (for routing)."""
    words: list[str] = []
    for tok in iter_tokens(sql) if len(sql) > UNCACHED_CHARS else tokenize(sql):
        if tok.kind is not Kind.IDENT:
            break
        words.append(tok.value.upper())
        if len(words) >= count:
            break
    return words
