"""What a client sees of a statement sqlglot accepts but MatrixOne's parser does not.

sqlglot parses any expression as a "statement" (``FOOBAR baz`` is the column ``FOOBAR`` aliased
``baz``); MatrixOne's grammar only has statements, so such text is its 1064 syntax error, not a
20105 ``not supported``.
"""

from __future__ import annotations

from sqlglot import exp

_EXPRESSIONS = (
    exp.Alias, exp.Column, exp.Identifier, exp.Literal, exp.Paren, exp.Binary, exp.Func, exp.Neg, exp.Not,
    exp.Var, exp.Tuple, exp.Star,
)


def is_statement(tree: object) -> bool:
    """False for a bare expression (which MatrixOne cannot parse as a statement)."""
    return not isinstance(tree, _EXPRESSIONS)
