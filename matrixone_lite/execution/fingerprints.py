"""Fingerprint statements without sqlglot and with one native aggregate per table arm.

The restore proof's content fingerprint (``sql/fastfingerprint.py`` recognises its exact text)
costs, through the general path, sqlglot per branch (~2.5 ms per table) and ~3 us per row: each
column's encoding, MO_CONCAT_WS, MD5, two CRC32s, SUM and BIT_XOR through two derived tables and,
at ``T``, the co-routine of lite's history ``UNION ALL``. Here each branch's table is resolved as
the general path resolves it (now or at ``{MO_TS = n}``, which checks the instant is still
readable), and each *arm* of its rows (the live table now; at ``T`` the live arm and the two
history arms of ``physical.select_at``, with their filters and the chunk's) is aggregated by one
call per row of the native ``mo_fp_agg`` (``native/mo_fp.c``); the arms' counts, sums and XORs are
combined here exactly as SQL aggregates them over the union (sums add, NULL until a value; XORs
XOR, NULL for no row).

Identity with the general path is by construction: each column's encoding is either the general
translator's own SQLite text (``sql/fp_general.py``) computed by SQLite, or the raw value with the
name of that text, which the native code encodes only in cases it reproduces exactly and otherwise
hands, with the whole row, to the general path's per-row SQL. Anything unusual (another shape, a
view, a missing table or column, a refused instant, a non-INTEGER chunk key, the native library
off, ``MO_LITE_FASTFP=off``) returns None before anything runs, and the general path answers or
raises its own error.
"""

from __future__ import annotations

import os
import re
import sqlite3
from dataclasses import dataclass

from matrixone_lite import native
from matrixone_lite.errors import MOError
from matrixone_lite.execution.names import NameResolution
from matrixone_lite.results import Result, column_of
from matrixone_lite.sql import fp_general
from matrixone_lite.sql.fastfingerprint import FpBranch, parse_fingerprint_union
from matrixone_lite.sql.hints import Hint
from matrixone_lite.sql.result_types import TypeInfo
from matrixone_lite.storage.catalog import ColumnDef, TableRow
from matrixone_lite.storage.physical import is_unsigned_bigint, physical_type, qi, row_arms

NAMES = ("db_name", "table_name", "chunk", "n", "sa", "sb", "xa", "xb")
_INT64 = (-(2**63), 2**63 - 1)
_DEC = re.compile(rf"COALESCE\(MO_DEC_TEXT\({re.escape(fp_general.PH)}, (\d+)\), 'N'\)")
_KINDS = {f"COALESCE(CAST({fp_general.PH} AS TEXT), 'N')": "C", f"COALESCE(HEX({fp_general.PH}), 'N')": "H",
          f"COALESCE(HEX(CAST({fp_general.PH} AS TEXT)), 'N')": "J"}

#: The general path's own placeholders (``sql/hints.py`` renames a hinted table `__mohint<i>`,
#: ``execution/templates.py`` refills `__mo_ph_<k>_` by text): a statement holding one in a name
#: or label is answered differently there (another table's rows, or an error), so it goes there.
_PLACEHOLDERS = ("__mohint", "__mo_ph_")

#: How many statements the fast path answered, and history arms it read once for several chunks
#: (process-wide; tests check they ran).
stats = {"runs": 0, "bucketed": 0}


def enabled() -> bool:
    """``MO_LITE_FASTFP=off`` turns the fast path off; so does ``MO_LITE_NATIVE=off`` or no native library."""
    if os.environ.get("MO_LITE_FASTFP", "on").strip().lower() in ("off", "0", "false", "no"):
        return False
    return native.mode() != "off" and native.active()


_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def _fold(name: str) -> str:
    """A column name as SQLite compares identifiers: ASCII letters only are case-insensitive.

    Python's ``lower()`` also folds ``K`` (Kelvin sign) to ``k`` and ``ẞ`` to ``ß``, names SQLite
    does not resolve to those columns (the general path then reads them as string literals), so
    matching with it would fingerprint another column than the general path does.
    """
    return name.translate(_ASCII_LOWER)


def _utf8(text: str) -> bool:
    """Whether ``text`` is valid UTF-8 as received (the wire decodes with ``surrogateescape``).

    A label such as ``'\udcff'`` (the byte 0xFF) comes back from the general path as those bytes
    (SQLite hands them back as a BLOB); echoed by the fast path as a str, the result could not be
    encoded and the server dropped the client's connection.
    """
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _sql_string(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


@dataclass
class _Column:
    kind: str  # C H J Dk (native, argument is the column) or E (argument is the general expression)
    argument: str
    per_row: str  # the general encoding over ``?k`` (the native code's fallback)


def _column(col: ColumnDef, form: str, k: int) -> _Column | None:
    general = fp_general.encoding_sql(col, form)
    if general is None:
        return None
    kind = _KINDS.get(general)
    if kind is None and (m := _DEC.fullmatch(general)) is not None:
        kind = "D" + m.group(1)
    name = qi(col.name)
    return _Column(kind or "E", name if kind else general.replace(fp_general.PH, name),
                   general.replace(fp_general.PH, f"?{k}") if kind else f"?{k}")


def _bounds(table: TableRow, b: FpBranch) -> tuple[tuple[str, int], ...] | None:
    """The chunk bounds as integers over an INTEGER-stored key, else None (the general path)."""
    col = next((c for c in table.schema.columns if b.key is not None and _fold(c.name) == _fold(b.key)), None)
    if col is None or physical_type(col) != "INTEGER" or is_unsigned_bigint(col):
        return None
    out = []
    for op, lit in b.bounds:
        if not re.fullmatch(r"-?\d+", lit) or not _INT64[0] <= int(lit) <= _INT64[1]:
            return None
        out.append((op, int(lit)))
    return tuple(out)


@dataclass(frozen=True)
class _Plan:
    """One branch resolved: its table, instant, the aggregate's arguments and its chunk, if any."""

    table_id: int
    at: int | None
    spec: str  # ``mo_fp_agg``'s arguments as SQL text: the kinds, the per-row SQL, the columns
    per_row: str
    columns: str
    key: str | None  # the chunk key, quoted
    where: str
    lo: int | None = None  # the chunk as ``[lo, hi)`` when it is written that way (else: not bucketable)
    hi: int | None = None
    bucketable: bool = False

    def arm_sqls(self) -> list[str]:
        """One ``SELECT mo_fp_agg(...) FROM <arm> WHERE ...`` per arm."""
        out = []
        for phys, cond in row_arms(self.table_id, self.at):
            conds = [c for c in (cond, f"({self.where})" if self.where else "") if c]
            out.append(f"SELECT mo_fp_agg({self.arguments}) FROM {phys}"  # noqa: S608
                       + (f" WHERE {' AND '.join(conds)}" if conds else ""))
        return out

    @property
    def arguments(self) -> str:
        return f"{self.spec}, {self.per_row}, {self.columns}"


def _plan(self: NameResolution, b: FpBranch) -> _Plan | None:
    """Branch ``b`` resolved as the general path resolves it, or None (the general path answers)."""
    if b.at is not None and not _INT64[0] <= b.at <= _INT64[1]:
        return None  # beyond SQLite's integers: the general path reports it
    at = self._hint_at(Hint("MO_TS", b.at, b.table, database=b.database)) if b.at is not None else None
    res = self._resolve(b.database, b.table, at)
    if res.table is None or res.view or res.virtual_sql is not None or res.system_table is not None or res.at != at:
        return None
    by_name = {_fold(c.name): c for c in res.table.schema.columns}
    cols: list[_Column] = []
    for k, (form, name) in enumerate(b.encodings, start=1):
        col = by_name.get(_fold(name))
        got = _column(col, form, k) if col is not None else None
        if got is None:
            return None
        cols.append(got)
    spec = " ".join(c.kind for c in cols)
    per_row = fp_general.PER_ROW.format(e=", ".join(c.per_row for c in cols))
    args = (_sql_string(spec), _sql_string(per_row), ", ".join(c.argument for c in cols))
    if b.key is None:
        return _Plan(res.table.id, at, *args, None, "")
    bounds = _bounds(res.table, b)
    if bounds is None or _fold(b.key) not in by_name:
        return None
    key = by_name[_fold(b.key)].name
    ends = dict(bounds)
    bucketable = set(ends) <= {">=", "<"} and len(ends) == len(bounds)
    return _Plan(res.table.id, at, *args, qi(key), fp_general.where_sql(key, bounds), ends.get(">="),
                 ends.get("<"), bucketable)


def _buckets(plans: list[_Plan]) -> str | None:
    """``lo:hi;...`` of chunks sorted by ``lo`` that do not overlap (``-``: open end), or None."""
    text = []
    for i, p in enumerate(plans):
        if (p.lo is None and i > 0) or (p.hi is None and i < len(plans) - 1):
            return None
        previous_hi = plans[i - 1].hi if i > 0 else None
        if i > 0 and (p.lo is None or previous_hi is None or p.lo < previous_hi):
            return None
        if p.lo is not None and p.hi is not None and p.lo >= p.hi:
            return None
        text.append(f"{'-' if p.lo is None else p.lo}:{'-' if p.hi is None else p.hi}")
    return ";".join(text)


def _statements(plans: list[_Plan]) -> tuple[list[str], list[list[tuple[int, int | None]]]]:
    """The SQLite statements for all branches, and per branch where its arms' results are.

    Each branch's live arm is its own statement (a key range is an index search there). At T, the
    history arms of the chunks of one table (same instant, aggregate and key, ``[lo, hi)`` ranges that
    do not overlap) are read once per arm by ``mo_fp_agg_buckets`` instead of once per chunk: the
    history table has no index on the key, so a statement per chunk scanned it all once per chunk.
    A result slot is (statement index, bucket index or None).
    """
    sqls: list[str] = []
    slots: list[list[tuple[int, int | None]]] = [[] for _ in plans]
    groups: dict[tuple[object, ...], list[int]] = {}
    for i, p in enumerate(plans):
        if p.at is not None and p.bucketable:
            groups.setdefault((p.table_id, p.at, p.arguments, p.key), []).append(i)
    bucketed: set[int] = set()
    for members in groups.values():
        order = sorted(members, key=lambda i: (plans[i].lo is not None, plans[i].lo or 0))
        text = _buckets([plans[i] for i in order]) if len(order) > 1 else None
        if text is None:
            continue
        first = plans[order[0]]
        for phys, cond in row_arms(first.table_id, first.at)[1:]:
            sqls.append(f"SELECT mo_fp_agg_buckets({_sql_string(text)}, {first.spec}, {first.per_row}, "  # noqa: S608
                        f"{first.key}, {first.columns}) FROM {phys} WHERE {cond}")
            for b, i in enumerate(order):
                slots[i].append((len(sqls) - 1, b))
            stats["bucketed"] += 1
        bucketed.update(order)
    for i, p in enumerate(plans):
        own = p.arm_sqls()
        for sql in own[:1] if i in bucketed else own:
            sqls.append(sql)
            slots[i].append((len(sqls) - 1, None))
    return sqls, slots


def _bucket(value: str | None, i: int) -> str:
    """Bucket ``i``'s text in a ``mo_fp_agg_buckets`` result (NULL: the arm had no row at all)."""
    return "0" if value is None else value.split("|")[i]


def _combine(parts: list[str]) -> tuple[int, int | None, int | None, int | None, int | None]:
    """Count, sums and XORs over the arms, as SQL aggregates them over their union."""
    n = 0
    sums: list[int | None] = [None, None]
    xors = [0, 0]
    for p in parts:
        f = p.split(" ")
        if f == ["0"]:
            continue
        n += int(f[0])
        for i in (0, 1):
            if f[1 + i] != "-":
                sums[i] = (sums[i] or 0) + int(f[1 + i])
            xors[i] ^= int(f[3 + i])
    for s in sums:
        if s is not None and not _INT64[0] <= s <= _INT64[1]:
            raise sqlite3.OperationalError("integer overflow")  # what SQL's SUM raises
    if n == 0:
        return 0, None, None, None, None
    return n, sums[0], sums[1], xors[0], xors[1]


class FastFingerprints(NameResolution):
    """The fingerprint fast path (mixed into ``EngineSession``)."""

    def _fast_fingerprint(self, text: str) -> Result | None:
        """A fingerprint statement's result, or None: the general path answers it (see the module)."""
        if not enabled():
            return None
        branches = parse_fingerprint_union(text)
        if branches is None or len(branches) > self.conn.getlimit(sqlite3.SQLITE_LIMIT_COMPOUND_SELECT):
            return None  # the general path's UNION ALL has more terms than SQLite allows: its error
        if "\x00" in text or (not text.isascii() and not _utf8(text)):
            return None  # a NUL (the general path returns such a label as bytes) or bytes that are not UTF-8
        if any(p in text.lower() for p in _PLACEHOLDERS):
            return None  # the general path mistakes such a name or label for its own placeholder
        types = fp_general.shape_check()
        if types is None:
            return None
        plans: list[_Plan] = []
        try:
            for b in branches:
                plan = _plan(self, b)
                if plan is None:
                    return None
                plans.append(plan)
        except MOError:
            return None  # the general path raises it, in its own order of checks
        sqls, slots = _statements(plans)
        if len(sqls) > self.conn.getlimit(sqlite3.SQLITE_LIMIT_COLUMN):
            return None  # one statement or none: split, concurrent commits could land between the parts
        values = self._run_arms(sqls)
        if values is None:
            return None
        rows: list[tuple[object, ...]] = []
        for b, where in zip(branches, slots, strict=True):
            parts = [values[i] if bucket is None else _bucket(values[i], bucket) for i, bucket in where]
            rows.append((b.db_label, b.table_label, b.chunk_label, *_combine(parts)))
        cols = [column_of(name, i, rows, _type(types, i)) for i, name in enumerate(NAMES)]
        stats["runs"] += 1
        self._after_statement(True)
        return Result(cols, rows)

    def _run_arms(self, sqls: list[str]) -> list[str] | None:
        """Every arm in ONE SQLite statement: one read snapshot, as the general path's one statement.

        (Arms used to be split into statements of 500: with autocommit, another session's commit
        between two of them made one UNION ALL report the same table at two different states.)
        """
        try:
            values: list[str] = list(self.conn.execute("SELECT " + ", ".join(f"({s})" for s in sqls)).fetchone())
        except sqlite3.OperationalError as e:
            if "mo_fp_agg" in str(e):  # not registered on this connection, or a value it cannot judge
                return None
            raise
        return values


def _type(types: list[TypeInfo | None], i: int) -> TypeInfo | None:
    return types[i] if i < len(types) else None
