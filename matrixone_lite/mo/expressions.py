"""Expressions of ``SHOW ... WHERE`` (and ``SHOW VARIABLES WHERE``): OR/AND/NOT, comparisons,
LIKE, IN, IS [NOT] NULL, arithmetic, literals, function calls and column names.

A mixin over :class:`TokenCursor`, so the statement parser (``mo/parser.py``) and the wire's
``SHOW VARIABLES WHERE`` share one grammar.
"""

from __future__ import annotations

from matrixone_lite.mo import ast
from matrixone_lite.mo.cursor import RESERVED, TokenCursor
from matrixone_lite.mo.lexer import Kind


class ExpressionParser(TokenCursor):
    """Recursive descent over boolean and arithmetic expressions."""

    def expr(self) -> ast.Expr:
        left = self.and_expr()
        while self.accept_word("OR") or self.accept_op("||"):
            left = ast.Binary("OR", left, self.and_expr())
        return left

    def and_expr(self) -> ast.Expr:
        left = self.not_expr()
        while self.accept_word("AND") or self.accept_op("&&"):
            left = ast.Binary("AND", left, self.not_expr())
        return left

    def not_expr(self) -> ast.Expr:
        if self.accept_word("NOT") or self.accept_op("!"):
            return ast.Unary("NOT", self.not_expr())
        return self.comparison()

    def comparison(self) -> ast.Expr:
        left = self.additive()
        while True:
            t = self.tok
            if t.kind is Kind.OP and t.value in ("=", "!=", "<>", "<", ">", "<=", ">="):
                self.advance()
                op = "!=" if t.value == "<>" else t.value
                left = ast.Binary(op, left, self.additive())
                continue
            if self.at_word("IS"):
                self.advance()
                neg = self.accept_word("NOT")
                self.expect_word("NULL")
                left = ast.IsNull(left, neg)
                continue
            neg = False
            if self.at_word("NOT") and self.peek().is_word("LIKE", "IN"):
                self.advance()
                neg = True
            if self.accept_word("LIKE"):
                left = ast.Binary("NOT LIKE" if neg else "LIKE", left, self.additive())
                continue
            if self.accept_word("IN"):
                self.expect_op("(")
                items = [self.expr()]
                while self.accept_op(","):
                    items.append(self.expr())
                self.expect_op(")")
                left = ast.InList(left, tuple(items), neg)
                continue
            return left

    def additive(self) -> ast.Expr:
        left = self.term()
        while self.tok.kind is Kind.OP and self.tok.value in ("+", "-"):
            op = self.advance().value
            left = ast.Binary(op, left, self.term())
        return left

    def term(self) -> ast.Expr:
        left = self.unary()
        while self.tok.kind is Kind.OP and self.tok.value in ("*", "/"):
            op = self.advance().value
            left = ast.Binary(op, left, self.unary())
        return left

    def unary(self) -> ast.Expr:
        if self.accept_op("-"):
            return ast.Unary("-", self.unary())
        return self.primary()

    def primary(self) -> ast.Expr:
        t = self.tok
        if self.accept_op("("):
            e = self.expr()
            self.expect_op(")")
            return e
        if t.kind is Kind.STRING and t.terminated:
            self.advance()
            return ast.Literal(t.value)
        if t.kind is Kind.NUMBER:
            self.advance()
            try:
                return ast.Literal(int(t.value))
            except ValueError:
                return ast.Literal(float(t.value))
        if t.is_word("NULL"):
            self.advance()
            return ast.Literal(None)
        if t.is_word("TRUE", "FALSE"):
            self.advance()
            return ast.Literal(1 if t.value.upper() == "TRUE" else 0)
        if t.kind is Kind.IDENT and self.peek().kind is Kind.OP and self.peek().value == "(":
            self.advance()
            self.advance()
            args: list[ast.Expr] = []
            if not self.accept_op(")"):
                args.append(self.expr())
                while self.accept_op(","):
                    args.append(self.expr())
                self.expect_op(")")
            return ast.Func(t.value.upper(), tuple(args))
        if (t.kind is Kind.IDENT and t.value.upper() not in RESERVED) or (
            t.kind is Kind.QIDENT and t.terminated
        ):
            self.advance()
            name = t.value
            if self.accept_op("."):  # tbl.col
                name = self.advance().value
            return ast.Column(name.lower())
        raise self.error()
