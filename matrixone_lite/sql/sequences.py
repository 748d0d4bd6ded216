"""Sequences: CREATE/DROP SEQUENCE, SHOW SEQUENCES and nextval/setval/currval/lastval.

A sequence is a one-row user table (``storage/sequences.py``), as in MatrixOne, so its value is
versioned like any row: time travel and restores see the value it had at ``T``. Semantics follow
MatrixOne's source: the grammar (``mysql_sql.y`` ``create_sequence_stmt``: options in the fixed order
``AS type, INCREMENT [BY], MINVALUE, MAXVALUE, START [WITH], [NO] CYCLE``), the defaults and checks
of ``compile/ddl.go`` ``makeSequenceInitBatch`` (values are converted to the sequence's type with Go's
wrap-around, so ``AS smallint MAXVALUE 9999999`` reports ``-27009``) and ``function/seqfunc.go``.

The functions are evaluated before the statement runs: each call is replaced by the string literal
of its value (MatrixOne returns them as VARCHAR) and the result column is renamed to the call as
MatrixOne prints it (``nextval(s1)``). ``nextval``/``setval`` update the sequence row inside the
session's write transaction (logged, so a detached transaction replays them), like MatrixOne's
derived update in the same transaction (``sql/sequence_functions.py``). The engine keeps only
dispatch lines.
"""

from __future__ import annotations

import re
import weakref
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import sqlglot

from matrixone_lite.errors import (
    MOError,
    internal_error,
    invalid_input,
    not_supported,
    syntax_error,
    table_exists,
)
from matrixone_lite.results import Result
from matrixone_lite.sql.ddl import schema_from_create
from matrixone_lite.sql.sequence_functions import (
    RE_FUNC,
    TYPES,
    evaluate,
    find_calls,
    is_describing,
    limits,
    literal,
    wrap,
)
from matrixone_lite.sql.show import unquote_ident, values_select
from matrixone_lite.statements import Statement, StatementKind
from matrixone_lite.storage import catalog as cat
from matrixone_lite.storage.catalog import TableRow
from matrixone_lite.storage.physical import qi, table_names
from matrixone_lite.storage.sequences import SEQUENCE_COLUMNS, SEQUENCE_DDL_PREFIX, is_sequence

if TYPE_CHECKING:
    from matrixone_lite.engine import EngineSession
    from matrixone_lite.storage.storage import Tx

_ID = r"(?:`(?:[^`]|``)+`|[^\s`.;(),]+)"
RE_CREATE = re.compile(r"^CREATE\s+SEQUENCE\b", re.I)
RE_DROP = re.compile(rf"^DROP\s+SEQUENCE\s+(?P<ie>IF\s+EXISTS\s+)?(?P<names>{_ID}(?:\s*\.\s*{_ID})?"
                     rf"(?:\s*,\s*{_ID}(?:\s*\.\s*{_ID})?)*)$", re.I)
RE_SHOW = re.compile(rf"^SHOW\s+SEQUENCES(?:\s+(?:FROM|IN)\s+(?P<db>{_ID}))?(?:\s+WHERE\s+(?P<where>.+))?$",
                     re.I | re.S)
_NUM = r"(?P<minus>-\s*)?(?P<num>\d+)"
_INT_WORDS = ("tinyint", "smallint", "mediumint", "int", "integer", "bigint")


# sessions running a SELECT that calls nextval/setval through the write path (see ``dispatch``)
_in_write: weakref.WeakSet[EngineSession] = weakref.WeakSet()


# ---- CREATE / DROP / SHOW -----------------------------------------------------------------------
@dataclass
class _Spec:
    name: str
    db: str | None
    if_not_exists: bool
    type_text: str  # as MatrixOne shows it in SHOW SEQUENCES: BIGINT, INT UNSIGNED ...
    bits: int
    signed: bool
    incr: int
    min_v: int
    max_v: int
    start: int
    cycle: bool


class _Cursor:
    """Consumes the CREATE SEQUENCE text left to right (the grammar's fixed option order)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def take(self, pattern: str) -> re.Match[str] | None:
        m = re.compile(r"\s*" + pattern, re.I | re.S).match(self.text, self.pos)
        if m is not None:
            self.pos = m.end()
        return m

    def fail(self) -> MOError:
        return syntax_error(self.text[self.pos :], self.pos)


def _parse_create(text: str) -> _Spec:
    c = _Cursor(text)
    c.take(r"CREATE\s+SEQUENCE\b")
    ine = c.take(r"IF\s+NOT\s+EXISTS\b") is not None
    m = c.take(rf"(?P<a>{_ID})(?:\s*\.\s*(?P<b>{_ID}))?")
    if m is None or m.group("a").upper() in ("TABLE", "AS", "IF"):
        raise c.fail()
    db, name = (None, m.group("a")) if m.group("b") is None else (m.group("a"), m.group("b"))
    name = unquote_ident(name).lower()
    db = unquote_ident(db).lower() if db is not None else None
    bits, signed, type_text = 64, True, "BIGINT"
    if c.take(r"AS\b"):
        t = c.take(r"(?P<t>[a-z]+)(?:\s*\(\s*\d+\s*\))?(?P<u>\s+unsigned)?(?:\s+signed)?\b")
        if t is None:
            raise c.fail()
        word = t.group("t").lower()
        if word not in TYPES:
            raise not_supported("Unsupported type for sequence")
        bits, signed = TYPES[word][0], t.group("u") is None
        type_text = ("INT" if word == "integer" else word.upper()) + ("" if signed else " UNSIGNED")

    def value(kw: str) -> tuple[bool, int] | None:
        got = c.take(kw + r"\s*" + _NUM)
        if got is None:
            return None
        return got.group("minus") is not None, int(got.group("num"))

    inc = value(r"INCREMENT(?:\s+BY)?")
    mn, mx = value(r"MINVALUE"), value(r"MAXVALUE")
    st = value(r"START(?:\s+WITH)?")
    cycle = False
    if c.take(r"NO\s+CYCLE\b"):
        cycle = False
    elif c.take(r"CYCLE\b"):
        cycle = True
    if c.take(r"$") is None:
        raise c.fail()
    incr = 1
    if inc is not None:
        if inc[1] > (1 << 63) - 1:
            raise invalid_input("incr value's data type is int64")
        incr = -inc[1] if inc[0] else inc[1]
    if incr == 0:
        raise invalid_input("Incr value for sequence must not be 0")

    def conv(v: tuple[bool, int]) -> int:
        return wrap(-v[1] if v[0] else v[1], bits, signed)

    lo, hi = limits(bits, signed)
    min_v = conv(mn) if mn is not None else (1 if incr > 0 else 0)
    if mx is not None:
        max_v = conv(mx)
    else:
        max_v = hi if (incr > 0 or not signed) else -1
    if mn is None and incr < 0:
        min_v = lo
    start = conv(st) if st is not None else (min_v if incr > 0 else max_v)
    if max_v <= min_v:
        raise invalid_input(f"MAXVALUE ({max_v}) of sequence must be bigger than MINVALUE ({min_v}) of it")
    if start < min_v or start > max_v:
        raise invalid_input(
            f"STARTVALUE ({start}) for sequence must between MINVALUE ({min_v}) and MAXVALUE ({max_v})"
        )
    return _Spec(name, db, ine, type_text, bits, signed, incr, min_v, max_v, start, cycle)


def _ddl_text(sp: _Spec) -> str:
    return (
        f"{SEQUENCE_DDL_PREFIX} `{sp.name}` AS {sp.type_text.lower()} INCREMENT BY {sp.incr} MINVALUE {sp.min_v} "
        f"MAXVALUE {sp.max_v} START WITH {sp.start} {'CYCLE' if sp.cycle else 'NO CYCLE'}"
    )


def create(s: EngineSession, text: str) -> Result:

    sp = _parse_create(text)
    d = s._db(sp.db)
    from matrixone_lite.sql import views

    if cat.get_tables(s.conn, d.id, sp.name) or views.find(s, d.name, sp.name):
        if sp.if_not_exists:
            return Result()
        raise table_exists(sp.name)
    t = sp.type_text.lower()
    schema = schema_from_create(
        sqlglot.parse_one(  # type: ignore[arg-type]
            f"CREATE TABLE x (last_seq_num {t}, min_value {t}, max_value {t}, start_value {t}, "
            "increment_value bigint, cycle bool, is_called bool)",
            read="mysql",
        )
    )

    def run(tx: Tx) -> Result:
        new = s.storage.create_table(tx, d.id, sp.name, schema, _ddl_text(sp))
        tname, _ = table_names(new.id)
        vals: list[Any] = [sp.start, sp.min_v, sp.max_v, sp.start, sp.incr, int(sp.cycle), 0]
        if sp.bits == 64 and not sp.signed:  # BIGINT UNSIGNED is stored as exact text
            vals[:4] = [str(v) for v in vals[:4]]
        cols = ", ".join(qi(c) for c in SEQUENCE_COLUMNS)
        tx.execute(f"INSERT INTO {tname} ({cols}) VALUES (?, ?, ?, ?, ?, ?, ?)", vals)  # noqa: S608
        return Result()

    return s._ddl(run)


def _split_names(s: EngineSession, names: str) -> list[tuple[str | None, str]]:
    out: list[tuple[str | None, str]] = []
    for a, b in re.findall(rf"({_ID})(?:\s*\.\s*({_ID}))?", names):
        out.append((None, unquote_ident(a).lower()) if not b else (unquote_ident(a).lower(), unquote_ident(b).lower()))
    return out


def drop(s: EngineSession, text: str) -> Result:
    """DROP SEQUENCE [IF EXISTS] s[, …]: ``no such sequence db.s`` (1146) for a missing one."""

    m = RE_DROP.match(text)
    if m is None:
        raise syntax_error(text[:40], 0)
    targets: list[tuple[str, TableRow]] = []
    for db, name in _split_names(s, m.group("names")):
        d = s._db(db)
        rows = [t for t in cat.get_tables(s.conn, d.id, name) if is_sequence(t)]
        if not rows:
            if m.group("ie"):
                continue
            raise MOError(1146, f"no such sequence {d.name}.{name}", "42S02")
        targets.append((d.name, rows[-1]))

    def run(tx: Tx) -> Result:
        for dbname, t in targets:
            s.storage.drop_table(tx, t, s.account_id, dbname)
        return Result()

    return s._ddl(run)


def refuse_drop_table(tables: list[TableRow]) -> None:
    """DROP TABLE of a sequence (``build_ddl.go`` buildDropTable)."""
    if any(is_sequence(t) for t in tables):
        raise internal_error("Should use 'drop sequence' to drop a sequence")


def visible_tables(tables: list[TableRow]) -> list[TableRow]:
    """SHOW TABLES leaves sequences out (``build_show.go``: ``relkind != 'S'``)."""
    return [t for t in tables if not is_sequence(t)]


def show(s: EngineSession, sql: str, at: int | None) -> Result | None:
    """SHOW SEQUENCES [FROM db] [WHERE …]: ``Names``, ``Data Type`` in creation order."""
    m = RE_SHOW.match(sql)
    if m is None:
        return None
    d = s._db(unquote_ident(m.group("db")).lower() if m.group("db") else None, at)
    rows = []
    for t in sorted(cat.get_tables(s.conn, d.id, None, at), key=lambda r: r.id):
        if is_sequence(t):
            mt = re.search(r" AS (.+?) INCREMENT BY ", t.ddl)
            rows.append((t.name, mt.group(1).upper() if mt else "BIGINT"))
    columns = ["Names", "Data Type"]
    if m.group("where"):
        where = sqlglot.transpile(m.group("where"), read="mysql", write="sqlite")[0]
        inner = values_select(["names", "data type"], rows)
        got = s.conn.execute(f"SELECT * FROM ({inner}) WHERE {where}").fetchall()  # noqa: S608 - SHOW text
        rows = [tuple(r) for r in got]
    return s._finish_show(columns, rows)


def dispatch(s: EngineSession, st: Statement) -> Result | None:
    """CREATE/DROP SEQUENCE, or a statement calling sequence functions; None: not ours."""
    text, head = st.text, st.head
    if head == "CREATE" and RE_CREATE.match(text):
        return create(s, text)
    if head == "DROP" and re.match(r"^DROP\s+SEQUENCE\b", text, re.I):
        return drop(s, text)
    if head == "ALTER" and re.match(r"^ALTER\s+SEQUENCE\b", text, re.I):
        raise not_supported("ALTER SEQUENCE")
    if RE_FUNC.search(text) is None:
        return None
    calls = find_calls(text)
    if not calls:
        return None
    if head in ("CREATE", "ALTER"):  # a DEFAULT nextval(...) must not be evaluated once, now
        raise not_supported(f"{calls[0].fn}() in a CREATE or ALTER statement")
    writes = any(c.fn in ("nextval", "setval") for c in calls) and not is_describing(s)
    if writes and st.kind is not StatementKind.DML and s not in _in_write:
        _in_write.add(s)  # a SELECT that writes: take the write path (physical lock, lock retries)
        try:
            return s._under_write_lock(st)
        finally:
            _in_write.discard(s)
    parts: list[str] = []
    headers: list[tuple[str, str]] = []
    pos = 0
    try:
        for c in calls:
            v = evaluate(s, c)
            lit = literal(v)
            parts += [text[pos : c.start], lit]
            pos = c.end
            shown = ", ".join("NULL" if a is None else a for a in c.args)
            headers.append((lit, f"{c.fn}({shown})"))
        parts.append(text[pos:])
        res = s._dispatch_sql(st.with_text("".join(parts)))
    except BaseException:
        if writes:
            s._after_statement(False)
        raise
    if res.columns:
        pending = list(headers)
        for col in res.columns:
            if pending and col.name in (pending[0][0], pending[0][0].strip("'")):
                col.name = pending.pop(0)[1]
    return res
