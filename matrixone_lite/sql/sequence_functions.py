"""nextval / setval / currval / lastval, evaluated before the statement that calls them runs.

Split from ``sql/sequences.py`` (DDL and SHOW) because the function semantics are their own job:
``pkg/sql/plan/function/seqfunc.go``. A call's value is computed on the session's connection and
``nextval``/``setval`` update the sequence's one row inside the session's write transaction
(logged like any DML, so a detached transaction replays them). Session state follows MatrixOne:
``currval`` per sequence (by table id) and ``lastval`` per session.
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from matrixone_lite.errors import internal_error, no_such_table, not_supported, syntax_error
from matrixone_lite.storage import catalog as cat
from matrixone_lite.storage.catalog import TableRow
from matrixone_lite.storage.physical import qi, table_names
from matrixone_lite.storage.sequences import SEQUENCE_COLUMNS, is_sequence

if TYPE_CHECKING:
    from matrixone_lite.engine import EngineSession

RE_FUNC = re.compile(r"\b(nextval|setval|currval|lastval)\s*\(", re.I)
# (bits, signed) of the integer types a sequence may have (makeSequenceInitBatch); others: not supported
TYPES = {"smallint": (16, True), "int": (32, True), "integer": (32, True), "bigint": (64, True)}


@dataclass
class _SeqSession:
    """MatrixOne's per-session ``SeqCurValues``/``SeqAddValues`` (by table id) and ``SeqLastValue``."""

    cur: dict[int, str] = field(default_factory=dict)
    last: str = ""


_sessions: weakref.WeakKeyDictionary[EngineSession, _SeqSession] = weakref.WeakKeyDictionary()
_describing: weakref.WeakSet[EngineSession] = weakref.WeakSet()


@contextmanager
def describing(s: EngineSession | None) -> Iterator[None]:
    """Run a statement only for its result columns (COM_STMT_PREPARE): calls have no side effects.

    Without this, preparing ``SELECT nextval('s')`` advanced the sequence once more than executing it.
    """
    if s is None:
        yield
        return
    _describing.add(s)
    try:
        yield
    finally:
        _describing.discard(s)


def is_describing(s: EngineSession) -> bool:
    return s in _describing


def _state(s: EngineSession) -> _SeqSession:
    st = _sessions.get(s)
    if st is None:
        st = _sessions[s] = _SeqSession()
    return st


def wrap(v: int, bits: int, signed: bool) -> int:
    """Go's integer conversion ``T(v)``: keep the low ``bits`` bits."""
    v &= (1 << bits) - 1
    if signed and v >= 1 << (bits - 1):
        v -= 1 << bits
    return v


def limits(bits: int, signed: bool) -> tuple[int, int]:
    return (-(1 << (bits - 1)), (1 << (bits - 1)) - 1) if signed else (0, (1 << bits) - 1)


@dataclass
class _Call:
    start: int
    end: int
    fn: str
    args: list[str | None]  # string/number arguments as text; None for NULL


def find_calls(text: str) -> list[_Call]:
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
    return TYPES.get(word, (64, True))[0], not (mt and mt.group(2))


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
    lo, hi = limits(bits, signed)
    if bits == 16 and (incr > hi or incr < lo if signed else incr > hi or -incr > hi):
        if not cycle:
            raise internal_error(f"Reached maximum value of sequence {name}")
        new = max_v if minus else min_v  # seqfunc.go's setEdge
    else:
        step = wrap(-incr if minus else incr, bits, signed)
        ad = wrap(lsn - step if minus else lsn + step, bits, signed)
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
        num = wrap(int(value), bits, signed)
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


def evaluate(s: EngineSession, c: _Call) -> str | None:
    if s in _describing:
        return "0"  # only the result columns are wanted: no read, no write, no session state
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


def literal(v: str | None) -> str:
    return "NULL" if v is None else "'" + v + "'"
