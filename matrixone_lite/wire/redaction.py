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

from matrixone_lite.mo.lexer import Kind, LexError, Token, iter_tokens

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


def _scan(sql: str, lexable: str) -> tuple[list[tuple[int, int, str]], list[Token]]:
    """One streaming pass over the tokens: (spans to replace, secret STRING tokens).

    A forward-only state machine, so a 16 MiB INSERT that happens to contain the word
    "password" costs one pass and memory for its comments and secrets, not a token list.
    Raises LexError (strict lexing) for an unterminated literal or comment.
    """
    spans: list[tuple[int, int, str]] = []
    found: list[Token] = []
    state = ""  # "", "with_or_by", "plugin", "by", "secret", "pw", "pw_for", "pw_eq"
    in_identified = False
    pos = 0
    for t in iter_tokens(lexable, strict=True):
        if sql[pos : t.start].strip():  # a comment (or an executable-comment marker)
            spans.append((pos, t.start, " "))
        pos = t.end
        if state == "plugin":
            state = "by"
            continue
        if state == "with_or_by" and t.is_word("WITH"):
            state = "plugin"
            continue
        if state in ("with_or_by", "by"):
            state = "secret" if t.is_word("BY", "AS") else ""
            if state:
                continue
        if state == "pw":
            state = "pw_for" if t.is_word("FOR") else "pw_eq"
            if state == "pw_for":
                continue
        if state == "pw_for":
            if t.kind is Kind.OP and t.value in ("=", ":="):
                state = "pw_eq"
            elif t.kind is Kind.OP and t.value == ";":
                state = ""
            continue
        if state == "pw_eq" and (
            (t.kind is Kind.OP and t.value in ("=", ":=", "(")) or t.is_word("PASSWORD")  # = PASSWORD('pw')
        ):
            continue
        if state in ("secret", "pw_eq"):
            state = ""
            if t.kind is Kind.STRING:
                found.append(t)
                spans.append((t.start, t.end, MASK))
                continue
        if t.kind is Kind.OP and t.value in (",", ";"):
            in_identified = False
        elif t.is_word("IDENTIFIED"):
            in_identified = True
            state = "with_or_by"
        elif in_identified and t.is_word("REPLACE"):
            state = "secret"
        elif t.is_word("PASSWORD"):
            state = "pw"
    if sql[pos:].strip():
        spans.append((pos, len(sql), " "))
    return spans, found


def _apply(sql: str, spans: list[tuple[int, int, str]]) -> str:
    if not spans:
        return sql
    out: list[str] = []
    pos = 0
    for a, b, text in sorted(spans):
        out.append(sql[pos:a])
        out.append(text)
        pos = b
    out.append(sql[pos:])
    return "".join(out)


def analyse(sql: str) -> Redacted:
    """The loggable text of ``sql`` and the secrets it carries."""
    if _TRIGGER.search(sql) is None:  # the common case: no tokenizing
        return Redacted(sql)
    try:
        spans, hits = _scan(sql, _open_exec_comments(sql))
    except LexError:
        return _fail_closed(sql)
    secrets: list[str] = []
    for t in hits:
        secrets.append(sql[t.start : t.end])
        if t.value:
            secrets.append(t.value)
    return Redacted(_apply(sql, spans), secrets)


def _fail_closed(sql: str) -> Redacted:
    """Unlexable statement naming IDENTIFIED/PASSWORD: keep only what precedes the keyword."""
    m = _TRIGGER_WORD.search(sql) or _TRIGGER.search(sql)
    assert m is not None
    head = sql[: m.start()]
    toks = list(iter_tokens(head))  # lenient: an unterminated literal before the keyword is masked too
    spans = [(t.start, t.end, MASK) for t in toks if t.kind is Kind.STRING]
    pos = 0
    for t in toks:  # comments before the keyword go too
        if head[pos : t.start].strip():
            spans.append((pos, t.start, " "))
        pos = t.end
    masked = _apply(head, spans)
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
