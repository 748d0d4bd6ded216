"""Passwords out of every log: redaction by tokenizing the statement, not by pattern.

A regex for ``IDENTIFIED BY '...'`` missed ``IDENTIFIED /* x */ BY 'pw'``,
``IDENTIFIED BY /**/ 'pw'``, MySQL's executable comments ``/*! IDENTIFIED BY 'pw' */`` and
unterminated literals (issue 14 case 8). Here the statement is tokenized with the wire
layer's MySQL lexer (comments dropped, quotes and escapes understood) and the literal after
``IDENTIFIED [WITH <plugin>] BY|AS``, ``REPLACE`` (inside an IDENTIFIED clause) and
``PASSWORD [FOR <user>] =|(`` is replaced by ``'***'``. Comments in such a statement are
replaced by a space (a password written in a comment is still a password).

Fail closed: a statement that mentions IDENTIFIED or PASSWORD and cannot be tokenized strictly
(an unterminated literal or comment) is logged up to that keyword, with every literal before it
redacted, and ``<redacted>`` for the rest. :func:`scrub` removes the same secrets from any text
derived from the statement (error messages, exception texts) before it is logged or sent.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from matrixone_lite.mo.lexer import Kind, LexError, Token, tokenize

MASK = "'***'"
_TRIGGER = re.compile(r"identified|password", re.IGNORECASE)
_TRIGGER_WORD = re.compile(r"(?<![\w$])(identified|password)(?![\w$])", re.IGNORECASE)
# ``/*!50100 ... */`` and ``/*+ ... */`` run their content: lex it as ordinary text
_EXEC_COMMENT = re.compile(r"/\*[!+]\d*")
_MIN_PREFIX = 3  # an error's ``near "..."`` text may cut a password: scrub prefixes this long


@dataclass
class Redacted:
    text: str  # what may be logged
    secrets: list[str] = field(default_factory=list)  # raw literal texts and decoded values


def _open_exec_comments(sql: str) -> str:
    """Blank out the markers of executable comments (same length: offsets stay valid)."""
    if "/*" not in sql:
        return sql
    out = _EXEC_COMMENT.sub(lambda m: " " * len(m.group()), sql)
    # the matching ``*/`` of an opened comment: blank every ``*/`` outside literals is not
    # possible without lexing; a stray ``*/`` lexes as two operators, which is harmless here
    return out if out == sql else out.replace("*/", "  ")


def _secret_positions(toks: list[Token]) -> list[Token]:
    """The STRING tokens holding a password."""
    found: list[Token] = []
    i, n = 0, len(toks)
    in_identified = False

    def string_at(k: int) -> int | None:
        return k if k < n and toks[k].kind is Kind.STRING else None

    while i < n:
        t = toks[i]
        if t.kind is Kind.OP and t.value in (",", ";"):
            in_identified = False
        if t.is_word("IDENTIFIED"):
            in_identified = True
            j = i + 1
            if j < n and toks[j].is_word("WITH"):
                j += 2  # the plugin name (a word, back-quoted or quoted)
            if j < n and toks[j].is_word("BY", "AS"):
                k = string_at(j + 1)
                if k is not None:
                    found.append(toks[k])
                    i = k + 1
                    continue
            i = j
            continue
        if in_identified and t.is_word("REPLACE"):
            k = string_at(i + 1)
            if k is not None:
                found.append(toks[k])
        if t.is_word("PASSWORD"):
            j = i + 1
            if j < n and toks[j].is_word("FOR"):
                while j < n and not (toks[j].kind is Kind.OP and toks[j].value in ("=", ":=", ";")):
                    j += 1
            while j < n and toks[j].kind is Kind.OP and toks[j].value in ("=", ":=", "("):
                j += 1
            if j < n and toks[j].is_word("PASSWORD"):  # SET PASSWORD = PASSWORD('pw')
                j += 1
                while j < n and toks[j].kind is Kind.OP and toks[j].value == "(":
                    j += 1
            k = string_at(j)
            if k is not None:
                found.append(toks[k])
        i += 1
    return found


def _rebuild(sql: str, toks: list[Token], secret: set[int]) -> str:
    """The statement from its tokens: secrets masked, comments (non-blank gaps) as one space."""
    out: list[str] = []
    pos = 0
    for t in toks:
        gap = sql[pos : t.start]
        out.append(" " if gap.strip() else gap)
        out.append(MASK if t.start in secret else sql[t.start : t.end])
        pos = t.end
    tail = sql[pos:]
    out.append(" " if tail.strip() else tail)
    return "".join(out)


def analyse(sql: str) -> Redacted:
    """The loggable text of ``sql`` and the secrets it carries."""
    if _TRIGGER.search(sql) is None:  # the common case: no tokenizing
        return Redacted(sql)
    lexable = _open_exec_comments(sql)
    try:
        toks = tokenize(lexable, strict=True)
    except LexError:
        return _fail_closed(sql)
    hits = _secret_positions(toks)
    secrets: list[str] = []
    for t in hits:
        secrets.append(sql[t.start : t.end])
        if t.value:
            secrets.append(t.value)
    return Redacted(_rebuild(sql, toks, {t.start for t in hits}), secrets)


def _fail_closed(sql: str) -> Redacted:
    """Unlexable statement naming IDENTIFIED/PASSWORD: keep only what precedes the keyword."""
    m = _TRIGGER_WORD.search(sql) or _TRIGGER.search(sql)
    assert m is not None
    head = sql[: m.start()]
    toks = tokenize(head)  # lenient: an unterminated literal before the keyword is masked too
    masked = _rebuild(head, toks, {t.start for t in toks if t.kind is Kind.STRING})
    rest = sql[m.end() :]
    secrets = [rest.strip()] + [w for w in re.split(r"[\s'\"`]+", rest) if len(w) >= _MIN_PREFIX]
    secrets += [sql[t.start : t.end] for t in toks if t.kind is Kind.STRING]
    return Redacted(masked + sql[m.start() : m.end()] + " <redacted>", [s for s in secrets if s])


def redact(sql: str) -> str:
    """``sql`` with every password literal replaced by ``'***'`` (see the module docstring)."""
    return analyse(sql).text


def scrub(text: str, sql: str) -> str:
    """``text`` (an error message, an exception's text) without any secret of ``sql``.

    A message may quote the statement whole or cut (``near "... IDENTIFIED BY 'S3cr"``), so a
    secret's prefixes of at least three characters are removed as well.
    """
    if not text or _TRIGGER.search(sql) is None:
        return text
    r = analyse(sql)
    if sql in text:
        text = text.replace(sql, r.text)
    for s in sorted(r.secrets, key=len, reverse=True):
        quoted = s[:1] in ("'", '"') and len(s) >= 2
        if len(s) < _MIN_PREFIX and not quoted:
            continue  # a one- or two-letter password would mask every such letter of the message
        if s in text:
            text = text.replace(s, "***")
        for k in range(len(s) - 1, _MIN_PREFIX - 1, -1):
            if s[:k] in text:
                text = text.replace(s[:k], "***")
                break
    return text
