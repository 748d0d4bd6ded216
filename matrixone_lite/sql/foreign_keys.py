"""FOREIGN KEY constraints: definition, validation and enforcement with MatrixOne's errors.

Why in the engine and not SQLite's ``PRAGMA foreign_keys``: a user table's rows live in ``t_N``,
and restores, ALTERs and index DDL replace ``t_N`` by a new ``t_M`` (new id); SQLite's references
would point at dropped tables. A foreign key is therefore recorded in the child's versioned schema
by the parent's *name* (database, table, columns), and checked here after each write statement,
inside that statement's savepoint: a failing check undoes the statement (and its cascades) only.

MatrixOne's errors (``pkg/common/moerr/error.go``; ``test/distributed/cases/foreign_key/fk_base.result``):
a child row without parent -> 1452 ``Cannot add or update a child row: a foreign key constraint
fails``; deleting a referenced parent row -> ``internal error: Cannot delete or update a parent
row: ...``; updating one -> 1217 with the same text; ``DROP``/``TRUNCATE`` of a referenced parent
-> ``internal error: can not drop table 'p' referenced by some foreign key constraint``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlglot import exp

from matrixone_lite.errors import MOError, internal_error, not_supported
from matrixone_lite.storage import catalog as cat
from matrixone_lite.storage.catalog import TableRow, TableSchema
from matrixone_lite.storage.physical import qi, table_names

if TYPE_CHECKING:
    from matrixone_lite.engine import EngineSession
    from matrixone_lite.sql.translate import Translated
    from matrixone_lite.storage.storage import Tx

CHILD_TEXT = "Cannot add or update a child row: a foreign key constraint fails"
PARENT_TEXT = "Cannot delete or update a parent row: a foreign key constraint fails"
ACTIONS = ("RESTRICT", "CASCADE", "SET NULL", "NO ACTION")
RE_SET_FK = re.compile(
    r"^SET\s+(?:@@(?:session\.|global\.)?|SESSION\s+|GLOBAL\s+)?foreign_key_checks\s*=\s*(\S+)$", re.I
)
MAX_CASCADE_DEPTH = 15  # MySQL's limit on nested cascades


def child_error() -> MOError:
    return MOError(1452, CHILD_TEXT, "23000")


def parent_error(kind: str) -> MOError:
    # DELETE goes through MatrixOne's plan-time assert (an internal error), UPDATE through ER_ROW_IS_REFERENCED
    return internal_error(PARENT_TEXT) if kind == "delete" else MOError(1217, PARENT_TEXT, "HY000")


def referenced_error(verb: str, table: str) -> MOError:
    return internal_error(f"can not {verb} table '{table}' referenced by some foreign key constraint")


# ---- definitions -----------------------------------------------------------------------------
def _ident_names(nodes: list[exp.Expression]) -> list[str]:
    return [(n.this if isinstance(n, exp.Ordered) else n).name.lower() for n in nodes]


def from_node(node: exp.Expression, table: str, taken: list[dict[str, Any]]) -> dict[str, Any] | None:
    """A ``[CONSTRAINT name] FOREIGN KEY (...) REFERENCES ...`` node as a schema entry (None: not one)."""
    name = None
    if isinstance(node, exp.Constraint):
        fks = [e for e in node.expressions if isinstance(e, exp.ForeignKey)]
        if not fks:
            return None
        name, node = node.name.lower() or None, fks[0]
    if not isinstance(node, exp.ForeignKey):
        return None
    ref = node.args.get("reference")
    target = ref.this if isinstance(ref, exp.Reference) else None
    if not isinstance(target, exp.Schema) or not isinstance(target.this, exp.Table):
        raise not_supported("FOREIGN KEY without a referenced column list")
    fk: dict[str, Any] = {
        "name": name or f"fk_{table}_{len(taken) + 1}",
        "columns": _ident_names(node.expressions),
        "ref_db": target.this.db.lower() or None,
        "ref_table": target.this.name.lower(),
        "ref_columns": _ident_names(target.expressions),
        "on_delete": "RESTRICT",
        "on_update": "RESTRICT",
    }
    for opt in (ref.args.get("options") if isinstance(ref, exp.Reference) else None) or []:
        m = re.match(r"^ON\s+(DELETE|UPDATE)\s+(.+)$", str(opt).strip(), re.I)
        if not m or m.group(2).upper() not in ACTIONS:
            raise not_supported(f"foreign key option {opt}")
        fk["on_" + m.group(1).lower()] = m.group(2).upper()
    if fk["on_update"] == "CASCADE":
        raise not_supported("ON UPDATE CASCADE")  # see docs/lite/index.md: not emulated
    if len(fk["columns"]) != len(fk["ref_columns"]):
        raise internal_error("failed to add the foreign key constraint")
    return fk


def clause(fk: dict[str, Any], own_db: str | None) -> str:
    """The SHOW CREATE TABLE line, as MatrixOne prints it."""
    cols = ",".join(f"`{c}`" for c in fk["columns"])
    refs = ",".join(f"`{c}`" for c in fk["ref_columns"])
    parent = f"`{fk['ref_table']}`"
    if fk.get("ref_db") and fk["ref_db"] != own_db:
        parent = f"`{fk['ref_db']}`.{parent}"
    return (
        f"  CONSTRAINT `{fk['name']}` FOREIGN KEY ({cols}) REFERENCES {parent} ({refs}) "
        f"ON DELETE {fk['on_delete']} ON UPDATE {fk['on_update']}"
    )


def _keys(schema: TableSchema) -> list[list[str]]:
    keys = [schema.primary_key, *schema.unique] + [i["columns"] for i in schema.indexes if i.get("unique")]
    return [[c.lower() for c in k] for k in keys if k]


def validate(s: EngineSession, db: str, table: str, schema: TableSchema) -> None:
    """MatrixOne's CREATE/ALTER checks: the parent, its columns, a key on them, matching types."""
    for fk in schema.foreign_keys:
        ref_db = fk.get("ref_db") or db  # unqualified: the child's database (kept unqualified, as typed)
        for c in fk["columns"]:
            if schema.column(c) is None:
                raise internal_error(f"column '{c}' no exists in the creating table '{table}'")
        if ref_db == db and fk["ref_table"] == table:
            parent = schema
        else:
            _, row = s._table(ref_db, fk["ref_table"])
            parent = row.schema
        for c, r in zip(fk["columns"], fk["ref_columns"], strict=True):
            pc = parent.column(r)
            if pc is None:
                raise internal_error(f"column '{r}' no exists in table '{fk['ref_table']}'")
            own = schema.column(c)
            assert own is not None
            if own.type != pc.type:
                raise internal_error(f"type of reference column '{r}' is not match for column '{c}'")
        if [c.lower() for c in fk["ref_columns"]] not in _keys(parent):
            raise internal_error("failed to add the foreign key constraint")


# ---- session variable ------------------------------------------------------------------------
def set_var(s: EngineSession, text: str) -> bool:
    """``SET foreign_key_checks = 0|1`` (per session, like MatrixOne); False: not this variable."""
    m = RE_SET_FK.match(text)
    if not m:
        return False
    v = m.group(1).strip("'\"").upper()
    if v not in ("0", "1", "ON", "OFF", "TRUE", "FALSE"):
        raise MOError(1231, f"Variable 'foreign_key_checks' can't be set to the value of '{m.group(1)}'", "42000")
    s.foreign_key_checks = v in ("1", "ON", "TRUE")
    return True


# ---- who references whom ---------------------------------------------------------------------
@dataclass
class Ref:
    child: TableRow
    child_db: str
    fk: dict[str, Any]


_REFS: dict[tuple[int, int, int], dict[tuple[str, str], list[Ref]]] = {}
_DB_NAMES: dict[tuple[int, int, int], dict[int, str]] = {}


def referencing(s: EngineSession) -> dict[tuple[str, str], list[Ref]]:
    """(parent db, parent table) -> the foreign keys pointing at it; cached per catalog version."""
    key = (id(s.storage), s.account_id, s.storage.catalog_version)
    got = _REFS.get(key)
    if got is None:
        got = {}
        names: dict[int, str] = {}
        for d in cat.get_databases(s.conn, s.account_id):
            names[d.id] = d.name
            for t in cat.get_tables(s.conn, d.id):
                for fk in t.schema.foreign_keys:
                    got.setdefault((fk.get("ref_db") or d.name, fk["ref_table"]), []).append(Ref(t, d.name, fk))
        if len(_REFS) > 64:
            _REFS.clear()
            _DB_NAMES.clear()
        _REFS[key], _DB_NAMES[key] = got, names
    return got


def check_drop(s: EngineSession, targets: list[tuple[cat.DatabaseRow, TableRow]], verb: str = "drop") -> None:
    """Refuse DROP/TRUNCATE of a parent others still reference (self-references do not count)."""
    if not s.foreign_key_checks:
        return
    refs = referencing(s)
    dropping = {t.id for _, t in targets} if verb == "drop" else set()
    for d, t in targets:
        for r in refs.get((d.name, t.name), []):
            if r.child.id != t.id and r.child.id not in dropping:
                raise referenced_error(verb, t.name)


def referenced_by_others(s: EngineSession, db: str, table: str) -> bool:
    return any(r.child_db != db or r.child.name != table for r in referencing(s).get((db, table), []))


# ---- enforcement -----------------------------------------------------------------------------
def _db_name(s: EngineSession, table: TableRow) -> str:
    referencing(s)  # fills the id -> name map of this catalog version (no query per statement)
    name = _DB_NAMES.get((id(s.storage), s.account_id, s.storage.catalog_version), {}).get(table.database_id)
    if name is None:  # another session cleared the cache meanwhile
        row = s.conn.execute("SELECT name FROM __mo_databases WHERE id = ?", (table.database_id,)).fetchone()
        name = str(row[0]) if row else ""
    return name


def _orphans(child: TableRow, fk: dict[str, Any], parent: TableRow | None, pending_only: bool) -> str:
    """WHERE clause over the child ``c`` selecting rows whose key has no parent row."""
    conds = [f"c.{qi(col)} IS NOT NULL" for col in fk["columns"]]
    if pending_only:
        conds.insert(0, "c.__mo_ts IS NULL")  # the rows this transaction wrote (commit stamps them)
    if parent is not None:
        t_p, _ = table_names(parent.id)
        on = " AND ".join(f"p.{qi(r)} = c.{qi(col)}" for col, r in zip(fk["columns"], fk["ref_columns"], strict=True))
        conds.append(f"NOT EXISTS (SELECT 1 FROM {t_p} p WHERE {on})")  # noqa: S608 - internal names
    return " AND ".join(conds)


def _parent_of(s: EngineSession, fk: dict[str, Any], child_db: str) -> TableRow | None:
    d = cat.get_databases(s.conn, s.account_id, fk.get("ref_db") or child_db)
    rows = cat.get_tables(s.conn, d[-1].id, fk["ref_table"]) if d else []
    return rows[-1] if rows else None


def _check_children(s: EngineSession, tx: Tx, parent: TableRow, kind: str, depth: int) -> None:
    """After ``parent`` lost or changed rows: apply each referencing key's action, or refuse."""
    if depth > MAX_CASCADE_DEPTH:
        raise parent_error(kind)
    for r in referencing(s).get((_db_name(s, parent), parent.name), []):
        child = r.child
        t_c, _ = table_names(child.id)
        where = _orphans(child, r.fk, parent, pending_only=False)
        if not s.conn.execute(f"SELECT 1 FROM {t_c} c WHERE {where} LIMIT 1").fetchone():  # noqa: S608
            continue
        action = r.fk["on_delete" if kind == "delete" else "on_update"]
        if action in ("RESTRICT", "NO ACTION"):
            raise parent_error(kind)
        tx.touch(child.id)
        picked = f"rowid IN (SELECT c.rowid FROM {t_c} c WHERE {where})"  # noqa: S608
        if action == "CASCADE":  # ON DELETE CASCADE (ON UPDATE CASCADE is refused at CREATE)
            s._logged(tx, f"DELETE FROM {t_c} WHERE {picked}", (), False)  # noqa: S608
            _check_children(s, tx, child, "delete", depth + 1)
        else:  # SET NULL
            sets = ", ".join(f"{qi(c)} = NULL" for c in r.fk["columns"])
            s._logged(tx, f"UPDATE {t_c} SET {sets}, __mo_ts = NULL WHERE {picked}", (), False)  # noqa: S608


def _check_own(s: EngineSession, table: TableRow) -> None:
    """The rows ``table``'s statement wrote must each have a parent row."""
    t_c, _ = table_names(table.id)
    db = _db_name(s, table)
    for fk in table.schema.foreign_keys:
        parent = _parent_of(s, fk, db)
        where = _orphans(table, fk, parent, pending_only=True)
        if s.conn.execute(f"SELECT 1 FROM {t_c} c WHERE {where} LIMIT 1").fetchone():  # noqa: S608
            raise child_error()


def _is_parent(s: EngineSession, table: TableRow) -> bool:
    return bool(referencing(s).get((_db_name(s, table), table.name)))


def _plan(s: EngineSession, tr: Translated) -> tuple[bool, bool, str]:
    """(check as child, check as parent, what happened to existing rows) for a DML statement."""
    t = tr.target
    kind = tr.kind  # what happens to existing rows: REPLACE deletes them, an upsert updates them
    if kind == "insert" and tr.sql.upper().startswith("INSERT OR REPLACE"):
        kind = "delete"
    elif kind == "insert" and tr.upsert:
        kind = "update"
    if t is None or not s.foreign_key_checks:
        return False, False, kind
    as_child = bool(t.schema.foreign_keys) and tr.kind in ("insert", "update")
    return as_child, kind in ("delete", "update") and _is_parent(s, t), kind


def check_after(s: EngineSession, tx: Tx, tr: Translated) -> None:
    """The checks of :func:`guard`, for a writer with a savepoint of its own (``sql/bulk_insert.py``)."""
    as_child, as_parent, kind = _plan(s, tr)
    if as_child and tr.target is not None:
        _check_own(s, tr.target)
    if as_parent and tr.target is not None:
        _check_children(s, tx, tr.target, kind, 0)


@contextmanager
def guard(s: EngineSession, tx: Tx, tr: Translated) -> Iterator[None]:
    """Around a DML statement: after it, check its keys; on a violation undo it (and its cascades)."""
    as_child, as_parent, _ = _plan(s, tr)
    if not (as_child or as_parent):
        yield
        return
    mark = len(tx.log)
    s.conn.execute("SAVEPOINT mo_fk")
    try:
        yield
        check_after(s, tx, tr)
    except BaseException:
        s.conn.execute("ROLLBACK TO mo_fk")
        s.conn.execute("RELEASE mo_fk")
        del tx.log[mark:]
        raise
    s.conn.execute("RELEASE mo_fk")
