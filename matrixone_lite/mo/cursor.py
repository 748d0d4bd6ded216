"""Token cursor shared by the MatrixOne statement parser and its expression grammar.

Holds the position in a statement's tokens and MatrixOne's syntax-error convention (column = end
of the offending token, ``near`` = text after the last good token), so every grammar rule raises
the same error.
"""

from __future__ import annotations

from matrixone_lite.mo.lexer import Kind, Token, tokenize

# bare words that can never be a name in these statements
RESERVED = {
    "FOR", "RANGE", "FROM", "TO", "WHERE", "IF", "NOT", "TABLE", "DATABASE", "SELECT", "AND", "OR",
    "AS", "CREATE", "DROP", "ALTER", "SHOW", "RESTORE", "LIKE", "IDENTIFIED", "BY", "ADMIN_NAME",
    "INTERNAL", "COMMENT", "PUBLICATION", "IN", "IS", "NULL",
}


class MOSyntaxError(Exception):
    """A 1064 syntax error with MatrixOne's column/near convention."""

    def __init__(self, near: str, column: int) -> None:
        super().__init__(f"syntax error at column {column} near {near!r}")
        self.near = near
        self.column = column


class TokenCursor:
    """A statement's tokens and the position of the parser in them."""

    def __init__(self, sql: str, version: tuple[int, int, int]) -> None:
        self.sql = sql
        self.version = version
        self.toks = tokenize(sql)
        self.pos = 0

    # ---- token helpers ----
    @property
    def tok(self) -> Token:
        return self.toks[self.pos]

    def peek(self, k: int = 1) -> Token:
        return self.toks[min(self.pos + k, len(self.toks) - 1)]

    def error(self) -> MOSyntaxError:
        prev_end = self.toks[self.pos - 1].end if self.pos > 0 else 0
        return MOSyntaxError(self.sql[prev_end:], self.tok.end)

    def advance(self) -> Token:
        t = self.tok
        if t.kind is not Kind.EOF:
            self.pos += 1
        return t

    def at_word(self, *words: str) -> bool:
        return self.tok.is_word(*words)

    def accept_word(self, *words: str) -> bool:
        if self.at_word(*words):
            self.advance()
            return True
        return False

    def expect_word(self, *words: str) -> str:
        if not self.at_word(*words):
            raise self.error()
        return self.advance().value.upper()

    def at_op(self, op: str) -> bool:
        return self.tok.kind is Kind.OP and self.tok.value == op

    def accept_op(self, op: str) -> bool:
        if self.at_op(op):
            self.advance()
            return True
        return False

    def expect_op(self, op: str) -> None:
        if not self.accept_op(op):
            raise self.error()

    def at_name(self) -> bool:
        t = self.tok
        if t.kind is Kind.QIDENT:
            return t.terminated
        return t.kind is Kind.IDENT and t.value.upper() not in RESERVED

    def name(self) -> str:
        if not self.at_name():
            raise self.error()
        return self.advance().value.lower()

    def string(self) -> str:
        t = self.tok
        if t.kind is not Kind.STRING or not t.terminated:
            raise self.error()
        self.advance()
        return t.value

    def uint(self) -> int:
        t = self.tok
        if t.kind is not Kind.NUMBER or not t.value.isdigit():
            raise self.error()
        self.advance()
        return int(t.value)

    def end(self) -> None:
        self.accept_op(";")
        if self.tok.kind is not Kind.EOF:
            raise self.error()
