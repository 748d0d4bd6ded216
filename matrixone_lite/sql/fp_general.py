"""The general path's own SQLite text for each part of a fingerprint statement, for the fast path.

Why: the fingerprint fast path (``execution/fingerprints.py``) must give bit-identical results to
the general path. Rather than re-deriving what lite's translator makes of each column encoding,
it asks the translator: each encoding (one of ``fastfingerprint.FORMS``) is translated once per
column type inside ``MD5(CONCAT_WS(',', ...))`` (its context in the real statement) over a
one-column stand-in table whose column is named :data:`PLACEHOLDER`, and cached. The placeholder
is then replaced by the real column (to compute the encoding in SQLite) or by ``?k`` (the per-row
SQL the native aggregate falls back to).

:func:`shape_check` translates, once per process, a whole fingerprint statement over a table of
several column types and checks it is exactly the composition of those per-column texts with the
outer functions the native aggregate fuses (MD5, MO_CONCAT_WS, SUBSTRING, CRC32, SUM, BIT_XOR) and
the chunk WHERE the fast path writes; if the translator ever changes shape, the fast path is off.
"""

from __future__ import annotations

import dataclasses
import logging
import re
import threading

import sqlglot
from sqlglot import exp

from matrixone_lite.sql.fastfingerprint import FORMS
from matrixone_lite.sql.hints import Hint
from matrixone_lite.sql.projections import alias_projections
from matrixone_lite.sql.result_types import TypeInfo
from matrixone_lite.sql.translate import PH as REF_PH
from matrixone_lite.sql.translate import Context, Resolved, translate
from matrixone_lite.storage.catalog import ColumnDef, TableRow, TableSchema
from matrixone_lite.storage.physical import qi

log = logging.getLogger(__name__)

PLACEHOLDER = "mo_fp_col"
PH = qi(PLACEHOLDER)
_ALL = "9223372036854775807"
_INNER = re.compile(rf"SELECT MD5\(MO_CONCAT_WS\(',', (?P<e>.*)\)\) AS h FROM {REF_PH}0_ AS \"x\"", re.S)  # noqa: S608 - a regex, not a query
OUTER_HEAD = ("SELECT 'd' AS db_name, 't' AS table_name, 'c' AS chunk, COUNT(*) AS n, SUM(a) AS sa, SUM(b) AS sb, "
              "BIT_XOR(a) AS xa, BIT_XOR(b) AS xb FROM (SELECT CRC32(SUBSTRING(h, 1, 16)) AS a, "
              "CRC32(SUBSTRING(h, 17, 16)) AS b FROM (SELECT MD5(MO_CONCAT_WS(',', ")
#: The per-row SQL of the general path around the encodings (the native aggregate's fallback).
PER_ROW = "SELECT CRC32(SUBSTRING(h, 1, 16)), CRC32(SUBSTRING(h, 17, 16)) FROM (SELECT MD5(MO_CONCAT_WS(',', {e})) AS h)"

_lock = threading.Lock()
_encodings: dict[tuple[object, ...], str | None] = {}
_checked: list[list[TypeInfo | None] | None] = []


def _ctx(columns: list[ColumnDef]) -> Context:
    schema = TableSchema(columns=columns)
    row = TableRow(0, 0, "x", schema.to_json(), "", None, 0, None)

    def resolve(db: str | None, name: str, at: int | None) -> Resolved:
        return Resolved(table=row, at=at)

    def hint_ts(h: Hint) -> int:
        raise ValueError("no hints in a stand-in translation")

    return Context("d", resolve, hint_ts, [], {"database": "d", "version": "", "user": ""})


def _translate(sql: str, columns: list[ColumnDef]) -> tuple[str, list[TypeInfo | None]]:
    tree = sqlglot.parse_one(sql, read="mysql")
    if not isinstance(tree, exp.Select):
        raise ValueError("not a SELECT")
    alias_projections(tree, sql)
    tr = translate(tree, _ctx(columns))
    return tr.template, tr.types


def encoding_sql(col: ColumnDef, form: str) -> str | None:
    """The general path's SQLite text of ``col``'s encoding ``form``, over :data:`PH`; None: unusable."""
    stand_in = dataclasses.replace(col, name=PLACEHOLDER)
    key = (form, *dataclasses.astuple(stand_in))
    with _lock:
        if key in _encodings:
            return _encodings[key]
    text: str | None = None
    try:
        enc = FORMS[form].format(c=f"`{PLACEHOLDER}`")
        template, _ = _translate(f"SELECT MD5(CONCAT_WS(',', {enc})) AS h FROM x", [stand_in])  # noqa: S608
        m = _INNER.fullmatch(template)
        if m is not None and PH in m.group("e"):
            text = m.group("e")
    except Exception:  # noqa: BLE001 - whatever the translator refuses, the general path reports
        log.debug("fingerprint fast path: no translation of %s for %s", form, col.type_text, exc_info=True)
    with _lock:
        if len(_encodings) >= 4096:
            _encodings.clear()
        _encodings[key] = text
    return text


def where_sql(column: str, bounds: tuple[tuple[str, int], ...]) -> str:
    """The chunk WHERE over an INTEGER key as the fast path writes it (checked by :func:`shape_check`)."""
    return " AND ".join(f"{qi(column)} {op} {int(v)}" for op, v in bounds)


_CHECK_COLUMNS = [
    (ColumnDef("k", "INT", "int"), "cast"), (ColumnDef("m", "DECIMAL", "decimal(38,10)", 10), "cast"),
    (ColumnDef("d", "DOUBLE", "double"), "double"), (ColumnDef("s", "VARCHAR", "varchar(20)"), "hex"),
    (ColumnDef("j", "JSON", "json"), "hexcast"), (ColumnDef("ts", "TIMESTAMP", "timestamp(3)"), "cast"),
]


def shape_check() -> list[TypeInfo | None] | None:
    """The general path's result types of a fingerprint statement, or None if it does not decompose."""
    with _lock:
        if _checked:
            return _checked[0]
    types: list[TypeInfo | None] | None = None
    try:
        encs = []
        for col, form in _CHECK_COLUMNS:
            e = encoding_sql(col, form)
            if e is None:
                raise ValueError(f"no encoding for {col.type_text}")
            encs.append(e.replace(PH, qi(col.name)))
        mo = ", ".join(FORMS[f].format(c=f"`{c.name}`") for c, f in _CHECK_COLUMNS)
        sql = (f"{OUTER_HEAD.replace('MO_CONCAT_WS', 'CONCAT_WS')}{mo})) AS h FROM x WHERE `k` >= -5 AND `k` < 10 "
               f"LIMIT {_ALL}) AS fp_digest LIMIT {_ALL}) AS fp_rows")
        template, got = _translate(sql, [c for c, _ in _CHECK_COLUMNS])
        expected = (f"{OUTER_HEAD}{', '.join(encs)})) AS h FROM {REF_PH}0_ AS \"x\" WHERE "
                    f"{where_sql('k', (('>=', -5), ('<', 10)))} LIMIT {_ALL}) AS fp_digest LIMIT {_ALL}) AS fp_rows")
        if template != expected:
            raise ValueError(f"the translator's fingerprint shape changed:\n{template}\n!=\n{expected}")
        if any(t is not None and t[0] in ("DECIMAL", "DATETIME", "TIMESTAMP", "DATE") for t in got):
            raise ValueError(f"result types the fast path does not convert: {got}")
        types = got
    except Exception:  # noqa: BLE001 - the fast path stays off; the general path is always right
        log.warning("matrixone_lite: fingerprint fast path disabled (shape check failed)", exc_info=True)
    with _lock:
        _checked[:] = [types]
    return types


def forget() -> None:
    """Drop what is cached here (``Engine.drop_caches``, for benchmarks); answers do not change."""
    _encodings.clear()
