"""Naming and errors of parsed statements: MySQL names an unaliased projection by its original
text (``SELECT a+1`` -> column ``a+1``), and a sqlglot parse error becomes MatrixOne's 1064.

Split from ``translate.py``: both work on the statement text and sqlglot's tokens, not on the
catalog.
"""

from __future__ import annotations

from typing import Any

from sqlglot import exp
from sqlglot.dialects.mysql import MySQL
from sqlglot.tokens import TokenType

from matrixone_lite.errors import MOError, syntax_error

_MYSQL = MySQL()

_STOP = {
    TokenType.FROM,
    TokenType.WHERE,
    TokenType.GROUP_BY,
    TokenType.ORDER_BY,
    TokenType.LIMIT,
    TokenType.UNION,
    TokenType.HAVING,
    TokenType.INTO,
    TokenType.SEMICOLON,
    TokenType.EXCEPT,
    TokenType.INTERSECT,
    TokenType.WINDOW,
}


def projection_texts(sql: str) -> list[str] | None:
    """Original text of each top-level projection of the first SELECT (MySQL names columns by it)."""
    try:
        toks = _MYSQL.tokenize(sql)
    except Exception:  # noqa: BLE001 - naming is best effort
        return None
    i = 0
    while i < len(toks) and toks[i].token_type != TokenType.SELECT:
        if toks[i].token_type == TokenType.L_PAREN:
            i += 1
            continue
        return None
    i += 1
    while i < len(toks) and toks[i].token_type in (TokenType.DISTINCT, TokenType.ALL):
        i += 1
    depth = 0
    pieces: list[str] = []
    start: int | None = None
    end = 0
    while i < len(toks):
        tk = toks[i]
        tt = tk.token_type
        if depth == 0 and (tt in _STOP or tt == TokenType.COMMA):
            if start is not None:
                pieces.append(sql[start : end + 1])
            start = None
            if tt != TokenType.COMMA:
                break
            i += 1
            continue
        if tt in (TokenType.L_PAREN, TokenType.L_BRACKET):
            depth += 1
        elif tt in (TokenType.R_PAREN, TokenType.R_BRACKET):
            depth -= 1
            if depth < 0:
                break
        if start is None:
            start = tk.start
        end = tk.end
        i += 1
    else:
        if start is not None:
            pieces.append(sql[start : end + 1])
    return pieces


def alias_projections(tree: exp.Expression, sql: str) -> None:
    """Alias unaliased computed projections with their original text, as MySQL names them."""
    if not isinstance(tree, exp.Select):
        return
    texts = projection_texts(sql)
    if texts is None or len(texts) != len(tree.expressions):
        return
    new: list[Any] = []
    for p, text in zip(tree.expressions, texts, strict=True):
        if isinstance(p, exp.Alias | exp.Star) or (isinstance(p, exp.Column) and isinstance(p.this, exp.Star)):
            new.append(p)
        elif isinstance(p, exp.Column):
            new.append(exp.alias_(p, p.name, quoted=True))
        else:
            new.append(exp.alias_(p, text.strip(), quoted=True))
    tree.set("expressions", new)


def parse_error(sql: str, err: Exception) -> MOError:
    """A sqlglot ParseError as MatrixOne's 1064 (position from the error when available)."""
    col = 0
    near = sql.strip()[:40]
    errors = getattr(err, "errors", None)
    if errors:
        e0 = errors[0]
        col = int(e0.get("col") or 0)
        hl = e0.get("highlight") or ""
        if hl:
            near = sql[max(0, col - len(hl)) :][:40] or hl
    return syntax_error(near, col)
