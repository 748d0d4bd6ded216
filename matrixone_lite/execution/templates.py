"""Translation templates shared by a SELECT read now and the same SELECT read at ``{MO_TS = T}``.

Why: the session's translation cache is keyed by statement text, and a time-travel hint made a
statement uncacheable (``{`` in the text), so every read at ``T`` paid sqlglot again, ~6 ms per
fingerprinted table on 1,000 tables. A translation depends on a table reference only through
what it resolves to (a table's schema, a virtual table's column types), never on the instant:
the instant only changes the reference's *body* (``select_at`` vs ``select_current``), which
:func:`~matrixone_lite.sql.translate.translate` substitutes into its output last
(``Translated.template``). So a SELECT is cached here under its *canonical* text (hints removed,
each hinted table named as written) with the reference list of its first translation; a read of
the same canonical text, at any instants or none, resolves every reference again (catalog at its
instant, privileges of this account, history still readable), checks each resolves to the same
kind and schema, and fills the template with the new bodies. Anything unusual (a hint that is
not on a table, the same table referenced twice with a hint, a view, a hint inside the
projection list, which MySQL uses to name columns) returns None and the statement takes the
ordinary path, which stays the reference the tests compare with.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import sqlglot
from sqlglot import exp

from matrixone_lite.errors import MOError
from matrixone_lite.sql.hints import Hint, extract_hints
from matrixone_lite.sql.projections import alias_projections, projection_texts
from matrixone_lite.sql.translate import Context, Resolved, Translated, translate
from matrixone_lite.storage.physical import qi, select_at, select_current

if TYPE_CHECKING:
    from matrixone_lite.engine import EngineSession

ENABLED = True  # False: every statement takes the ordinary path (tests compare the two)
SIZE = 256  # templates kept engine-wide (a 1,000-table proof sends ~40 statements per read)
_PLACEHOLDER = re.compile(r"`__mohint(\d+)`(\s*)")
_PH = "__mo_ph_"  # translate()'s reference placeholders (``__mo_ph_<k>_``)


@dataclass(frozen=True)
class _Ref:
    db: str | None
    name: str
    signature: tuple[Any, ...]


@dataclass(frozen=True)
class _Template:
    translated: Translated  # sql is the template (``__mo_ph_<k>_`` where reference k's body goes)
    refs: tuple[_Ref, ...]
    projections_end: int  # hints before this offset would change the result's column names


_templates: dict[tuple[Any, ...], _Template] = {}


def _key(db: str | None, name: str) -> tuple[str, str]:
    return (db or "").lower(), name.lower()


def canonical(text: str) -> tuple[str, list[Hint], list[int]] | None:
    """(text without its hints, the hints, each hint's offset in that text), or None if unusual."""
    if "__mohint" in text or "__mo_ph_" in text:
        return None
    sql, hints = extract_hints(text)
    if not hints:
        return text, [], []
    out: list[str] = []
    offsets: list[int] = [-1] * len(hints)
    pos = length = 0
    for m in _PLACEHOLDER.finditer(sql):
        h = hints[int(m.group(1))]
        if h.table is None:
            return None
        out.append(sql[pos : m.start()])
        length += m.start() - pos
        offsets[int(m.group(1))] = length
        name = "`" + h.table.replace("`", "``") + "`"
        space = " " if m.group(2) and m.end() < len(sql) else ""
        out.append(name + space)
        length += len(name) + len(space)
        pos = m.end()
    if min(offsets) < 0:
        return None  # a hint not on a table (statement-level): the ordinary path decides
    out.append(sql[pos:])
    return "".join(out), hints, offsets


def _signature(res: Resolved, at: int | None) -> tuple[Any, ...] | None:
    """What the translation depends on in ``res``; None: not cacheable (views, view-relative instants)."""
    if res.view or (res.table is not None and res.at != at):
        return None
    if res.table is not None and res.virtual_sql is None and res.system_table is None:
        return ("table", res.table.columns_json)
    if res.table is None and res.system_table is not None and res.virtual_sql is None:
        return ("system", res.system_table)
    if res.table is None and res.system_table is None:
        return ("virtual", tuple(sorted(res.virtual_types.items())))
    return None


def _body(res: Resolved, at: int | None) -> str:
    """The body translate() gives a reference (kept in step with translate's loop)."""
    if res.table is not None:
        return select_current(res.table.id, res.table.schema) if at is None else select_at(
            res.table.id, res.table.schema, at)
    if res.system_table is not None:
        return f"SELECT * FROM {qi(res.system_table)}"  # noqa: S608 - quoted identifier
    return res.virtual_sql or "SELECT NULL WHERE 0"


def _fill(template: str, bodies: list[str]) -> str:
    sql = template
    for k, body in enumerate(bodies):
        sql = sql.replace(f"{_PH}{k}_", f"({body})", 1)
    return sql


def translate_select(s: EngineSession, text: str) -> Translated | None:
    """The translation of SELECT ``text`` through the template cache, or None (ordinary path)."""
    if not ENABLED:
        return None
    canon = canonical(text)
    if canon is None:
        return None
    sql, hints, offsets = canon
    by_key: dict[tuple[str, str], Hint] = {}
    for h in hints:
        k = _key(h.database, h.table or "")
        if k in by_key:
            return None  # one table hinted twice: which reference is which is the parser's call
        by_key[k] = h
    c = s._ctx([])  # noqa: SLF001 - the session's own translation context
    key = (id(s.storage), s.account_id, sql, s.database, tuple(sorted(c.constants.items())),
           s.storage.catalog_version)
    tpl = _templates.get(key)
    if tpl is not None and (not offsets or min(offsets) >= tpl.projections_end):
        hit = _from_template(s, tpl, by_key)
        if hit is not None:
            return hit
    return _build(s, key, sql, c, by_key, offsets)


def _from_template(s: EngineSession, tpl: _Template, by_key: dict[tuple[str, str], Hint]) -> Translated | None:
    keys = [_key(r.db, r.name) for r in tpl.refs]
    if any(keys.count(k) != 1 for k in by_key):
        return None
    bodies: list[str] = []
    try:
        for r, k in zip(tpl.refs, keys, strict=True):
            h = by_key.get(k)
            at = s._hint_at(h) if h is not None else None  # noqa: SLF001
            res = s._resolve(r.db, r.name, at)  # noqa: SLF001
            if _signature(res, at) != r.signature:
                return None
            bodies.append(_body(res, at))
    except MOError:
        return None  # the ordinary path raises it with its own ordering of checks
    return dataclasses.replace(tpl.translated, sql=_fill(tpl.translated.sql, bodies))


def _build(s: EngineSession, key: tuple[Any, ...], sql: str, c: Context, by_key: dict[tuple[str, str], Hint],
           offsets: list[int]) -> Translated | None:
    refs: list[_Ref] = []
    used: list[tuple[str, str]] = []
    ok = True

    def resolve(db: str | None, name: str, at: int | None) -> Resolved:
        nonlocal ok
        k = _key(db, name)
        h = by_key.get(k)
        if h is not None:
            at = s._hint_at(h)  # noqa: SLF001 - as translate() does for a hinted reference
        res = s._resolve(db, name, at)  # noqa: SLF001
        sig = _signature(res, at)
        ok = ok and sig is not None
        refs.append(_Ref(db, name, sig or ()))
        used.append(k)
        return res

    try:
        tree = sqlglot.parse_one(sql, read="mysql")
        if not isinstance(tree, exp.Select | exp.Union | exp.Intersect | exp.Except):
            return None
        end = 0
        if isinstance(tree, exp.Select):
            texts = projection_texts(sql) or []
            end = max((sql.rfind(t) + len(t) for t in texts), default=len(sql))
            if offsets and min(offsets) < end:
                return None  # a hint inside the projections would name a column differently
            alias_projections(tree, sql)
        tr = translate(tree, Context(c.database, resolve, s._hint_at, [], c.constants))  # noqa: SLF001
    except Exception:  # noqa: BLE001 - anything odd: the ordinary path translates and reports it
        return None
    if tr.kind != "select" or any(used.count(k) != 1 for k in by_key):
        return None  # a hint unused (CTE, alias) or on a table referenced twice
    if ok and tr.template:
        if len(_templates) >= SIZE:
            _templates.clear()
        _templates[key] = _Template(dataclasses.replace(tr, sql=tr.template, template=""), tuple(refs), end)
    return tr
