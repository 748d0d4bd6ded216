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
derived update in the same transaction. The engine keeps only dispatch lines.
"""

from __future__ import annotations

import re
import weakref
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import sqlglot

from matrixone_lite.errors import (
    MOError,
    internal_error,
    invalid_input,
    no_such_table,
    not_supported,
    syntax_error,
    table_exists,
)
from matrixone_lite.sql.ddl import schema_from_create
from matrixone_lite.sql.show import unquote_ident, values_select
from matrixone_lite.storage import catalog as cat
from matrixone_lite.storage.catalog import TableRow
from matrixone_lite.storage.physical import qi, table_names
from matrixone_lite.storage.sequences import SEQUENCE_COLUMNS, SEQUENCE_DDL_PREFIX, is_sequence

if TYPE_CHECKING:
    from matrixone_lite.engine import EngineSession, Result
    from matrixone_lite.storage.storage import Tx

_ID = r"(?:`(?:[^`]|``)+`|[^\s`.;(),]+)"
RE_CREATE = re.compile(r"^CREATE\s+SEQUENCE\b", re.I)
RE_DROP = re.compile(rf"^DROP\s+SEQUENCE\s+(?P<ie>IF\s+EXISTS\s+)?(?P<names>{_ID}(?:\s*\.\s*{_ID})?"
                     rf"(?:\s*,\s*{_ID}(?:\s*\.\s*{_ID})?)*)$", re.I)
RE_SHOW = re.compile(rf"^SHOW\s+SEQUENCES(?:\s+(?:FROM|IN)\s+(?P<db>{_ID}))?(?:\s+WHERE\s+(?P<where>.+))?$",
                     re.I | re.S)
RE_FUNC = re.compile(r"\b(nextval|setval|currval|lastval)\s*\(", re.I)
_NUM = r"(?P<minus>-\s*)?(?P<num>\d+)"
# (bits, signed) of the integer types a sequence may have (makeSequenceInitBatch); others: not supported
_TYPES = {"smallint": (16, True), "int": (32, True), "integer": (32, True), "bigint": (64, True)}
_INT_WORDS = ("tinyint", "smallint", "mediumint", "int", "integer", "bigint")


@dataclass
class _SeqSession:
    """MatrixOne's per-session ``SeqCurValues``/``SeqAddValues`` (by table id) and ``SeqLastValue``."""

    cur: dict[int, str] = field(default_factory=dict)
    last: str = ""


_sessions: weakref.WeakKeyDictionary[EngineSession, _SeqSession] = weakref.WeakKeyDictionary()
_in_write: weakref.WeakSet[EngineSession] = weakref.WeakSet()


def _state(s: EngineSession) -> _SeqSession:
    st = _sessions.get(s)
    if st is None:
        st = _sessions[s] = _SeqSession()
    return st


def _wrap(v: int, bits: int, signed: bool) -> int:
    """Go's integer conversion ``T(v)``: keep the low ``bits`` bits."""
    v &= (1 << bits) - 1
    if signed and v >= 1 << (bits - 1):
        v -= 1 << bits
    return v


def _limits(bits: int, signed: bool) -> tuple[int, int]:
    return (-(1 << (bits - 1)), (1 << (bits - 1)) - 1) if signed else (0, (1 << bits) - 1)


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
        if word not in _TYPES:
            raise not_supported("Unsupported type for sequence")
        bits, signed = _TYPES[word][0], t.group("u") is None
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
        return _wrap(-v[1] if v[0] else v[1], bits, signed)

    lo, hi = _limits(bits, signed)
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
    from matrixone_lite.engine import Result

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
    from matrixone_lite.engine import Result

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


# ---- nextval / setval / currval / lastval ---------------------------------------------------------
@dataclass
class _Call:
    start: int
    end: int
    fn: str
    args: list[str | None]  # string/number arguments as text; None for NULL


def _find_calls(text: str) -> list[_Call]:
    """Sequence function calls outside string literals, quoted names and comments."""
    calls: list[_Call] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch in "'\"`":
            j = i + 1
            while j < n:
                if text[j] == "\\" and ch != "`":
                    j += 2
                    continue
                if text[j] == ch:
                    if j + 1 < n and text[j + 1] == ch:
                        j += 2
                        continue
                    break
                j += 1
            i = j + 1
            continue
        m = RE_FUNC.match(text, i)
        if m is not None and (i == 0 or not (text[i - 1].isalnum() or text[i - 1] in "_.")):
            args, end = _args(text, m.end())
            calls.append(_Call(i, end, m.group(1).lower(), args))
            i = end
            continue
        i += 1
    return calls


_ARG = re.compile(r"\s*(?:'(?P<s1>(?:[^'\\]|\\.|'')*)'|\"(?P<s2>(?:[^\"\\]|\\.|\"\")*)\"|`(?P<q>(?:[^`]|``)+)`"
                  r"|(?P<w>-?[\w.@$]+))\s*(?P<sep>[,)])", re.S)


def _args(text: str, pos: int) -> tuple[list[str | None], int]:
    args: list[str | None] = []
    if (m0 := re.compile(r"\s*\)").match(text, pos)) is not None:
        return args, m0.end()
    while True:
        m = _ARG.match(text, pos)
        if m is None:
            raise not_supported("sequence function argument that is not a literal")
        raw = m.group("s1") if m.group("s1") is not None else m.group("s2")
        if raw is not None:
            args.append(raw.replace("''", "'").replace('""', '"'))
        elif m.group("q") is not None:
            args.append(m.group("q").replace("``", "`"))
        else:
            w = m.group("w")
            args.append(None if w.upper() == "NULL" else w)
        pos = m.end()
        if m.group("sep") == ")":
            return args, pos


def _sequence(s: EngineSession, name: str) -> TableRow:
    d = s._db(None)  # MatrixOne resolves the name in the session's database only
    rows = cat.get_tables(s.conn, d.id, name.lower())
    if not rows:
        raise no_such_table(d.name, name)
    if not is_sequence(rows[-1]):
        raise internal_error("Table input is not a sequence")
    return rows[-1]


def _type(t: TableRow) -> tuple[int, bool]:
    mt = re.search(r" AS (\w+)( unsigned)? INCREMENT BY ", t.ddl)
    word = mt.group(1) if mt else "bigint"
    return _TYPES.get(word, (64, True))[0], not (mt and mt.group(2))


def _read(s: EngineSession, t: TableRow) -> list[int]:
    tname, _ = table_names(t.id)
    cols = ", ".join(qi(c) for c in SEQUENCE_COLUMNS)
    row = s.conn.execute(f"SELECT {cols} FROM {tname}").fetchone()  # noqa: S608 - internal name
    if row is None:
        raise internal_error("Failed to get sequence meta data.")
    return [int(v) for v in row]


def _write(s: EngineSession, t: TableRow, value: int, called: bool | None) -> None:
    bits, signed = _type(t)
    stored: Any = str(value) if bits == 64 and not signed else value
    tx = s._write_tx()
    tx.touch(t.id)
    tname, _ = table_names(t.id)
    sets = "last_seq_num = ?" + (", is_called = 1" if called else "")
    s._logged(tx, f"UPDATE {tname} SET {sets}, __mo_ts = NULL", (stored,), False)  # noqa: S608


def _nextval(s: EngineSession, name: str) -> str:
    t = _sequence(s, name)
    lsn, min_v, max_v, _start, incr, cycle, called = _read(s, t)
    if not called:
        _write(s, t, lsn, True)
        return str(lsn)
    bits, signed = _type(t)
    minus = incr < 0
    lo, hi = _limits(bits, signed)
    if bits == 16 and (incr > hi or incr < lo if signed else incr > hi or -incr > hi):
        if not cycle:
            raise internal_error(f"Reached maximum value of sequence {name}")
        new = max_v if minus else min_v  # seqfunc.go's setEdge
    else:
        step = _wrap(-incr if minus else incr, bits, signed)
        ad = _wrap(lsn - step if minus else lsn + step, bits, signed)
        if (minus and (ad < min_v or ad > lsn)) or (not minus and (ad > max_v or ad < lsn)):
            if not cycle:
                raise internal_error(f"Reached maximum value of sequence {name}")
            ad = max_v if minus else min_v
        new = ad
    _write(s, t, new, None)
    return str(new)


def _setval(s: EngineSession, name: str, value: str, called: bool) -> str:
    t = _sequence(s, name)
    _lsn, min_v, max_v, *_ = _read(s, t)
    bits, signed = _type(t)
    try:
        num = _wrap(int(value), bits, signed)
    except ValueError:
        raise internal_error(f'strconv.ParseInt: parsing "{value}": invalid syntax') from None
    if num < min_v or num > max_v:
        raise internal_error("Set value is not in range (minvalue, maxvlue).")
    _write(s, t, num, None)
    res = str(num)
    if called:
        st = _state(s)
        st.cur[t.id] = res
        if st.last:
            st.last = res
    return res


def _evaluate(s: EngineSession, c: _Call) -> str | None:
    st = _state(s)
    if c.fn == "lastval":
        if not st.last:
            raise internal_error("Last value of current session is not initialized.")
        return st.last
    if not c.args or any(a is None for a in c.args):
        return None
    name = c.args[0] or ""
    if c.fn == "nextval":
        v = _nextval(s, name)
        st.cur[_sequence(s, name).id] = v
        st.last = v
        return v
    if c.fn == "setval":
        if len(c.args) < 2:
            raise syntax_error(f"{c.fn}(", 0)
        called = len(c.args) < 3 or str(c.args[2]).lower() not in ("false", "0")
        return _setval(s, name, str(c.args[1]), called)
    t = _sequence(s, name) if c.fn == "currval" else None
    if t is None or t.id not in st.cur:
        raise internal_error(f"Currvalue of {name} in current session is not initialized")
    return st.cur[t.id]


def _literal(v: str | None) -> str:
    return "NULL" if v is None else "'" + v + "'"


def dispatch(s: EngineSession, text: str, head: str) -> Result | None:
    """CREATE/DROP SEQUENCE, or a statement calling sequence functions; None: not ours."""
    if head.startswith("CREATE") and RE_CREATE.match(text):
        return create(s, text)
    if head.startswith("DROP") and re.match(r"^DROP\s+SEQUENCE\b", text, re.I):
        return drop(s, text)
    if RE_FUNC.search(text) is None:
        return None
    calls = _find_calls(text)
    if not calls:
        return None
    writes = any(c.fn in ("nextval", "setval") for c in calls)
    if writes and not head.startswith(("INSERT", "UPDATE", "DELETE", "REPLACE")) and s not in _in_write:
        _in_write.add(s)  # a SELECT that writes: take the write path (physical lock, lock retries)
        try:
            return s._under_write_lock(text, head)
        finally:
            _in_write.discard(s)
    parts: list[str] = []
    headers: list[tuple[str, str]] = []
    pos = 0
    try:
        for c in calls:
            v = _evaluate(s, c)
            lit = _literal(v)
            parts += [text[pos : c.start], lit]
            pos = c.end
            shown = ", ".join("NULL" if a is None else a for a in c.args)
            headers.append((lit, f"{c.fn}({shown})"))
        parts.append(text[pos:])
        res = s._dispatch_sql("".join(parts), head)
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
