"""What kind of statement a text is, decided once at the wire entry and passed down.

Before this module a statement was classified four times on its way through: the wire layer
(``first_words``), the MatrixOne parser (``is_mo_statement``), the engine's dispatch (prefix
strings and regexes) and the translator. Each had its own idea of the "head" (a tokenized first
word on the wire, the first 16 characters in the engine), so a leading comment could route a
write around the write lock. :func:`classify` reads the first words with the tokenizer (comments
and quotes skipped) and returns a frozen :class:`Statement` that the wire, the MatrixOne
executor and every engine layer read instead of looking at the text again.

Classification only routes: the grammar of each statement is still checked by the module that
runs it (``mo/parser.py``, the engine's SHOW regexes, sqlglot), with MatrixOne's error texts.
"""

from __future__ import annotations

import functools
import re
from enum import Enum
from typing import NamedTuple

from matrixone_lite.mo.lexer import UNCACHED_CHARS, iter_tokens
from matrixone_lite.mo.lexer import Kind as TokenKind

# MatrixOne-only statements (run by mo/): (first word, second word); RESTORE alone is enough
MO_PREFIXES = frozenset({
    ("CREATE", "ACCOUNT"), ("DROP", "ACCOUNT"), ("SHOW", "ACCOUNTS"), ("CREATE", "USER"), ("DROP", "USER"),
    ("CREATE", "PITR"), ("ALTER", "PITR"), ("DROP", "PITR"), ("SHOW", "PITR"),
    ("CREATE", "SNAPSHOT"), ("DROP", "SNAPSHOT"), ("SHOW", "SNAPSHOTS"),
    ("SHOW", "RECOVERY_WINDOW"),
})
DML_HEADS = frozenset({"INSERT", "UPDATE", "DELETE", "REPLACE"})
DDL_HEADS = frozenset({"CREATE", "DROP", "ALTER", "TRUNCATE"})
QUERY_HEADS = frozenset({"SELECT", "WITH", "VALUES", "TABLE"})
DESCRIBE_HEADS = frozenset({"DESCRIBE", "DESC", "EXPLAIN"})
WORDS = 3  # first bare words kept: enough for every routing decision (``SHOW FULL PROCESSLIST``)


class StatementKind(Enum):
    """Where a statement is routed."""

    EMPTY = "empty"  # only whitespace, comments or ';'
    QUERY = "query"  # SELECT / WITH / VALUES / TABLE / '(' ...
    DML = "dml"  # INSERT / UPDATE / DELETE / REPLACE
    DDL = "ddl"  # CREATE / DROP / ALTER / TRUNCATE (not the MatrixOne-only ones)
    MO = "mo"  # PITR, snapshots, RESTORE, accounts, users (mo/)
    ROLE = "role"  # GRANT / REVOKE / CREATE|DROP|SET ROLE / SHOW GRANTS (mo/privileges.py)
    SHOW = "show"
    DESCRIBE = "describe"  # DESCRIBE / DESC / EXPLAIN
    SET = "set"
    USE = "use"
    TRANSACTION = "transaction"  # BEGIN / START TRANSACTION / COMMIT / ROLLBACK (not ROLLBACK TO)
    KILL = "kill"
    OTHER = "other"  # anything else: the engine's general path reports it


class Statement(NamedTuple):
    """One statement as classified at the wire entry (immutable; a NamedTuple because it is built
    for every statement and a frozen dataclass costs five times as much to construct).

    ``sql`` is the text as received (statement log, error messages); ``text`` is the same without
    surrounding whitespace and trailing ``;`` (what the engine runs). ``words`` are the first bare
    words, upper-cased; ``head`` is the first of them ('' when the statement starts with a
    non-word such as ``(``); ``obj`` is the second word of a DDL statement (``TABLE``,
    ``DATABASE``...), '' otherwise.
    """

    sql: str
    text: str
    kind: StatementKind
    head: str
    words: tuple[str, ...]
    obj: str = ""
    start: int = 0  # offset in ``text`` of the first token (after leading comments)

    @property
    def body(self) -> str:
        """``text`` without leading comments: what the engine's regex grammars (SHOW, USE, SET,
        CREATE DATABASE, TRUNCATE...) match with ``^``."""
        return self.text[self.start :] if self.start else self.text

    @property
    def writes(self) -> bool:
        """Takes the write path (physical lock, logical locks, retries): DML and DDL."""
        return self.kind is StatementKind.DML or self.kind is StatementKind.DDL

    @property
    def ddl(self) -> bool:
        return self.kind is StatementKind.DDL

    def with_text(self, text: str) -> Statement:
        """The same classification over a rewritten text (sequence calls replaced by literals)."""
        return self._replace(text=text)

    def __str__(self) -> str:
        return self.sql


def classify(sql: str) -> Statement:
    """Classify one statement (already split); cached by text like the tokenizer.

    A megabyte INSERT is classified from its first tokens only and not cached (the cache would
    keep the text alive).
    """
    if len(sql) > UNCACHED_CHARS:
        return _classify(sql)
    return _classify_cached(sql)


@functools.lru_cache(maxsize=2048)
def _classify_cached(sql: str) -> Statement:
    return _classify(sql)


_WORD = r"[A-Za-z_$][A-Za-z0-9_$]*"
# ASCII blanks only: inside a word, U+00A0 and other non-ASCII characters are word characters to the tokenizer
_PLAIN = re.compile(rf"({_WORD})(?:[ \t\r\n]+({_WORD}))?(?:[ \t\r\n]+({_WORD}))?")
# after fewer than WORDS plain words, a token that cannot be a word or a comment: the tokenizer
# would stop there too (a digit may open a word, '-', '/', '#' a comment: those take the tokenizer)
_STOPS = frozenset("(),;=.*'\"`@<>!+:[]{}%&|^~?\\")


def _plain_words(text: str) -> tuple[str, ...] | None:
    """The first words by one regex when the text plainly starts with them (the usual statement);
    None when the tokenizer must decide (a leading comment, a non-ASCII word, a digit...)."""
    m = _PLAIN.match(text)
    if m is None:
        return None
    end = m.end()
    if end < len(text):
        c = text[end]
        if c.isalnum() or c in "_$" or ord(c) > 127:
            return None  # the word goes on beyond ASCII
        if m.lastindex is not None and m.lastindex < WORDS:
            rest = text[end:].lstrip()
            if rest and (rest[0].isdigit() or (rest[0] == "." and rest[1:2].isdigit())):
                # a number stops the words, unless it opens one (1abc, .5e)
                j = 1
                while j < len(rest) and (rest[j].isdigit() or rest[j] == "."):
                    j += 1
                if j < len(rest) and (rest[j].isalpha() or rest[j] in "_$"):
                    return None
            elif rest and rest[0] not in _STOPS:
                return None
    return tuple(map(str.upper, m.groups()[: m.lastindex]))  # the groups match in order


def _first_words(sql: str) -> tuple[tuple[str, ...], str, int]:
    """The first bare words, upper-cased, the first token when it is not a word ('' if none:
    only whitespace and comments) and the offset of the first token."""
    words: list[str] = []
    opener = ""
    start = 0
    # lazily: the first few tokens, never a whole INSERT (an in-process caller has not tokenized it)
    for i, tok in enumerate(iter_tokens(sql)):
        if i == 0:
            start = tok.start
        if tok.kind is not TokenKind.IDENT:
            if not words and tok.kind is not TokenKind.EOF:
                opener = tok.value or tok.kind.value
            break
        words.append(tok.value.upper())
        if len(words) >= WORDS:
            break
    return tuple(words), opener, start


def _normalise(sql: str) -> str:
    text = sql.strip()
    while text.endswith(";"):
        text = text[:-1].rstrip()
    return text


def _classify(sql: str) -> Statement:
    text = _normalise(sql)
    plain = _plain_words(text)
    words, opener, start = (plain, "", 0) if plain is not None else _first_words(text)
    head = words[0] if words else ""
    kind = _kind(words, opener)
    obj = words[1] if kind is StatementKind.DDL and len(words) > 1 else ""
    return Statement(sql, text, kind, head, words, obj, start if words else 0)


def _kind(words: tuple[str, ...], opener: str) -> StatementKind:  # noqa: PLR0911 - a routing table
    if not words:
        if opener == "(":
            return StatementKind.QUERY
        return StatementKind.OTHER if opener else StatementKind.EMPTY
    head = words[0]
    second = words[1] if len(words) > 1 else ""
    if head == "RESTORE" or (head, second) in MO_PREFIXES:
        return StatementKind.MO
    if head in ("GRANT", "REVOKE") or (second == "ROLE" and head in ("CREATE", "DROP", "SET")) or (
        head == "SHOW" and second == "GRANTS"
    ):
        return StatementKind.ROLE
    if head in QUERY_HEADS:
        return StatementKind.QUERY
    if head in DML_HEADS:
        return StatementKind.DML
    if head in DDL_HEADS:
        return StatementKind.DDL
    if head == "SHOW":
        return StatementKind.SHOW
    if head in DESCRIBE_HEADS:
        return StatementKind.DESCRIBE
    if head == "SET":
        return StatementKind.SET
    if head == "USE":
        return StatementKind.USE
    if head in ("BEGIN", "COMMIT") or (head == "START" and second == "TRANSACTION"):
        return StatementKind.TRANSACTION
    if head == "ROLLBACK" and "TO" not in words[1:]:
        return StatementKind.TRANSACTION
    if head == "KILL":
        return StatementKind.KILL
    return StatementKind.OTHER


def replace_as_insert(sql: str) -> str:
    """``REPLACE INTO ...`` as ``INSERT INTO ...`` (sqlglot and the translator know INSERT; the
    caller turns the translation into SQLite's ``INSERT OR REPLACE``, :func:`insert_or_replace`).
    The head is found by the tokenizer, so a leading comment is kept, not cut into."""
    return _swap_head(sql, "REPLACE", "INSERT")


def insert_or_replace(sql: str) -> str:
    """A translated ``INSERT ...`` as SQLite's ``INSERT OR REPLACE ...`` (comments kept)."""
    return _swap_head(sql, "INSERT", "INSERT OR REPLACE")


def _swap_head(sql: str, word: str, new: str) -> str:
    first = next(iter_tokens(sql), None)
    if first is None or not first.is_word(word):
        return sql
    return sql[: first.start] + new + sql[first.end :]


__all__ = ["MO_PREFIXES", "Statement", "StatementKind", "classify", "insert_or_replace", "replace_as_insert"]
