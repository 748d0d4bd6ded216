"""Translation templates shared by a SELECT read now and the same SELECT read at ``{MO_TS = T}``.

Why: the session's translation cache is keyed by statement text, and a time-travel hint made a
statement uncacheable (``{`` in the text), so every read at ``T`` paid sqlglot again, ~6 ms per
fingerprinted table on 1,000 tables. A translation depends on a table reference only through
what it resolves to (a table's schema, a virtual table's column types), never on the instant:
the instant only changes the reference's *body* (``select_at`` vs ``select_current``), which
:func:`~matrixone_lite.sql.translate.translate` substitutes into its output last
(``Translated.template``). So a SELECT is cached here under its *canonical* text (the original
minus each hint and the blanks before it) with the reference list of its first translation,
each reference with the offset where its table name starts; a read of the same canonical text,
at any instants or none, binds each hint to the reference starting at the hint's offset,
resolves every reference again (catalog at its instant, this account, history still readable,
snapshot scope), checks each resolves to the same kind and schema, and fills the template with
the new bodies. Anything unusual (a hint on an alias, a CTE name or nothing resolved, a view, a
hint inside the projection list, which MySQL uses to name columns, an error) returns None and the
statement takes the ordinary path, which stays the reference the tests compare with.
Keyed engine-wide (with account, database, the ``CURRENT_USER()``/``VERSION()`` constants the
translation inlines, and the catalog version) so a sensor's new connection finds it too.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import sqlglot
from sqlglot import exp
from sqlglot.tokens import TokenType

from matrixone_lite.errors import MOError
from matrixone_lite.sql.hints import HINT_PREFIX, HINT_RE, Hint, extract_hints
from matrixone_lite.sql.projections import _MYSQL, _STOP, alias_projections
from matrixone_lite.sql.translate import PH, Context, Resolved, Translated, translate
from matrixone_lite.storage.physical import qi, select_at, select_current

if TYPE_CHECKING:
    from matrixone_lite.engine import EngineSession

ENABLED = True  # False: every statement takes the ordinary path (tests compare the two)
SIZE = 256  # templates kept engine-wide (a 1,000-table proof sends ~40 statements per read)
MAX_CHARS = 200_000  # longer statements are not kept (a 25-table fingerprint batch is ~20,000)
_PLACEHOLDER = re.compile(rf"`{HINT_PREFIX}(\d+)`")
_TABLE_TOKEN = re.compile(r"`(?:[^`]|``)+`|[\w$]+")  # the table token extract_hints renamed
_BLANKS = re.compile(r"\s*")
_PH = PH  # translate()'s reference placeholders (``__mo_ph_<nonce>_<k>_``)


@dataclass(frozen=True)
class _Ref:
    db: str | None
    name: str
    offset: int | None  # where the table's name starts in the canonical text (a hint there binds to it)
    signature: tuple[Any, ...]


@dataclass(frozen=True)
class _Template:
    translated: Translated  # sql is the template (``__mo_ph_<k>_`` where reference k's body goes)
    refs: tuple[_Ref, ...]
    projections_end: int  # hints before this offset would change the result's column names


_templates: dict[tuple[Any, ...], _Template] = {}


def canonical(text: str) -> tuple[str, list[Hint], list[int]] | None:
    """(``text`` without its hints, the hints, where each hinted table starts in it), or None.

    The hints are found by ``extract_hints`` (quotes and comments respected); the canonical text
    is the original minus each hint and the blanks before it, so ``db.t {MO_TS = T} LIMIT`` and
    ``db.t LIMIT`` are one text. Any misalignment with the extracted text returns None.
    """
    if "__mohint" in text or "__mo_ph_" in text:  # never cache a text that looks like ours
        return None
    sql, hints = extract_hints(text)
    if not hints:
        return text, [], []
    out: list[str] = []
    offsets: list[int] = []
    o = e = length = 0  # positions in text, in sql, in the output
    for m in _PLACEHOLDER.finditer(sql):
        if int(m.group(1)) != len(offsets):
            return None
        seg = sql[e : m.start()]
        tok = _TABLE_TOKEN.match(text, o + len(seg))
        if not text.startswith(seg, o) or tok is None:
            return None
        out.append(seg)
        offsets.append(length + len(seg))
        out.append(tok.group())
        length += len(seg) + len(tok.group())
        blanks = _BLANKS.match(text, tok.end())
        hint = HINT_RE.match(text, blanks.end()) if blanks else None
        if blanks is None or hint is None or not sql.startswith(blanks.group(), m.end()):
            return None
        o, e = hint.end(), m.end() + len(blanks.group())
    if len(offsets) != len(hints) or text[o:] != sql[e:]:
        return None  # a hint not on a table (statement-level): the ordinary path decides
    out.append(sql[e:])
    return "".join(out), hints, offsets


def projections_end(sql: str) -> int:
    """Offset where the first SELECT's top-level projection list ends (as ``projection_texts`` walks it).

    MySQL names an unaliased column by its text, so a hint inside the projections (a hinted
    subquery) would name it differently in the canonical text: such statements are not templated.
    0 when ``alias_projections`` names nothing (no leading SELECT), ``len(sql)`` if unsure.
    """
    try:
        toks = _MYSQL.tokenize(sql)
    except Exception:  # noqa: BLE001 - the caller then treats every hint as inside
        return len(sql)
    i = 0
    while i < len(toks) and toks[i].token_type == TokenType.L_PAREN:
        i += 1
    if i >= len(toks) or toks[i].token_type != TokenType.SELECT:
        return 0
    depth = 0
    for tk in toks[i + 1 :]:
        tt = tk.token_type
        if depth == 0 and tt in _STOP:
            return tk.start
        if tt in (TokenType.L_PAREN, TokenType.L_BRACKET):
            depth += 1
        elif tt in (TokenType.R_PAREN, TokenType.R_BRACKET):
            depth -= 1
            if depth < 0:
                return tk.start
    return len(sql)


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
    hinted = dict(zip(offsets, hints, strict=True))  # a hint binds to the table whose name starts there
    c = s._ctx([])  # noqa: SLF001 - the session's own translation context
    key = (id(s.storage), s.account_id, sql, s.database, tuple(sorted(c.constants.items())),
           s.storage.catalog_version)
    tpl = _templates.get(key)
    if tpl is not None and (not offsets or min(offsets) >= tpl.projections_end):
        hit = _from_template(s, tpl, hinted)
        if hit is not None:
            return hit
    return _build(s, key, sql, c, hinted)


def _from_template(s: EngineSession, tpl: _Template, hinted: dict[int, Hint]) -> Translated | None:
    if not set(hinted) <= {r.offset for r in tpl.refs}:
        return None  # a hint on something that is not one of the template's table references
    bodies: list[str] = []
    try:
        for r in tpl.refs:
            h = hinted.get(r.offset) if r.offset is not None else None
            at = s._hint_at(h) if h is not None else None  # noqa: SLF001
            res = s._resolve(r.db, r.name, at)  # noqa: SLF001
            if _signature(res, at) != r.signature:
                return None
            bodies.append(_body(res, at))
    except MOError:
        return None  # the ordinary path raises it with its own ordering of checks
    return dataclasses.replace(tpl.translated, sql=_fill(tpl.translated.sql, bodies))


def _build(s: EngineSession, key: tuple[Any, ...], sql: str, c: Context, hinted: dict[int, Hint]) -> Translated | None:
    refs: list[_Ref] = []
    nodes: list[tuple[str | None, str, int | None]] = []
    state = {"next": 0, "ok": True, "lost": False}

    def resolve(db: str | None, name: str, at: int | None) -> Resolved:
        # translate() resolves its tables in find_all order: the next node with this name is the one
        i = int(state["next"])
        while i < len(nodes) and nodes[i][:2] != (db, name):
            i += 1
        offset = nodes[i][2] if i < len(nodes) else None
        state["next"] = i + 1
        state["lost"] = bool(state["lost"]) or i >= len(nodes)
        h = hinted.get(offset) if offset is not None else None
        if h is not None:
            at = s._hint_at(h)  # noqa: SLF001 - as translate() does for a hinted reference
        res = s._resolve(db, name, at)  # noqa: SLF001
        sig = _signature(res, at)
        state["ok"] = bool(state["ok"]) and sig is not None
        refs.append(_Ref(db, name, offset, sig or ()))
        return res

    try:
        tree = sqlglot.parse_one(sql, read="mysql")
        if not isinstance(tree, exp.Select | exp.Union | exp.Intersect | exp.Except):
            return None
        end = 0
        if isinstance(tree, exp.Select):
            end = projections_end(sql)
            if hinted and min(hinted) < end:
                return None  # a hint inside the projections would name a column differently
            alias_projections(tree, sql)
        nodes.extend((t.db or None, t.name, t.this.meta.get("start")) for t in tree.find_all(exp.Table))
        tr = translate(tree, Context(c.database, resolve, s._hint_at, [], c.constants))  # noqa: SLF001
    except Exception:  # noqa: BLE001 - anything odd: the ordinary path translates and reports it
        return None
    bound = [r.offset for r in refs if r.offset in hinted]
    if tr.kind != "select" or state["lost"] or sorted(bound) != sorted(hinted):
        return None  # a hint on an alias, a CTE or nothing translate() resolved: the ordinary path decides
    if state["ok"] and tr.template and len(sql) <= MAX_CHARS:
        if len(_templates) >= SIZE:
            _templates.clear()
        _templates[key] = _Template(dataclasses.replace(tr, sql=tr.template, template=""), tuple(refs), end)
    return tr


def forget() -> None:
    """Drop what is cached here (``Engine.drop_caches``, for benchmarks); answers do not change."""
    _templates.clear()
