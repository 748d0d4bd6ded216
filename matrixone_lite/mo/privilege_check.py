"""Privilege checks for sessions whose active role is not the account's admin role.

MatrixOne answers a statement its session's roles do not allow with ``internal error: do not have
privilege to execute the statement`` (20101). The admin roles (moadmin in sys, accountadmin in a
tenant) hold every privilege of their account, so the engine calls :func:`check` only for other
roles: the admin path costs one set membership test, no query.

The privileges of the active role plus ``public`` (and of the roles granted to them, ``role_graph.py``) are read once per session and catalog version
(any GRANT, REVOKE, DROP ROLE or restore bumps the version), so a non-admin session pays one catalog
read after each catalog change. What a statement needs (the tables it names and how) is parsed once
per statement text and current database (sqlglot; a megabyte INSERT ... VALUES only has its target
read by a regex) and remembered engine-wide, so a polling app user pays dictionary lookups.

What satisfies a need (MatrixOne's privilege entries, simplified):
- a table privilege (select/insert/update/delete/truncate/index) on ``db.t``: the same privilege,
  ``table all`` or ``table ownership`` granted on ``db.t``, ``t`` (in db), ``db.*``, ``*`` in db or ``*.*``;
- a database privilege (create/drop/alter table, create/drop view, show tables) on ``db``: the same,
  ``database all`` or ``database ownership`` on ``db``, ``db.*``, ``*`` in db or ``*.*``;
- ``account all`` / ``account ownership`` satisfy everything in the account; ``database all`` /
  ``database ownership`` on a database also satisfy table privileges inside it.
"""

from __future__ import annotations

import re
import weakref
from typing import TYPE_CHECKING

import sqlglot
from sqlglot import exp

from matrixone_lite.errors import internal_error
from matrixone_lite.mo import role_graph
from matrixone_lite.mo.privileges import ADMIN_ROLES
from matrixone_lite.sql.hints import extract_hints
from matrixone_lite.statements import replace_as_insert
from matrixone_lite.storage import roles as st_roles

if TYPE_CHECKING:
    from matrixone_lite.engine import EngineSession
    from matrixone_lite.storage.roles import PrivRow

_CHECKED = ("SELECT", "WITH", "INSERT", "REPLACE", "UPDATE", "DELETE", "CREATE", "DROP", "ALTER", "TRUNCATE", "TABLE")
_FREE_DBS = frozenset(("information_schema", "mo_catalog", "mysql", "system", "system_metrics"))
_TABLE_PRIVS = {"select": 30, "insert": 31, "update": 32, "truncate": 33, "delete": 34, "index": 36}
_DB_PRIVS = {"create table": 20, "create view": 21, "drop table": 23, "drop view": 24, "alter table": 26}
_ACCOUNT_PRIVS = {"create database": 9, "drop database": 10}
_TABLE_ANY = (37, 38)
_DB_ANY = (28, 29)
_ACCOUNT_ANY = (14, 15)

_cache: weakref.WeakKeyDictionary[EngineSession, tuple[int, str, list[PrivRow]]] = weakref.WeakKeyDictionary()


def denied() -> Exception:
    return internal_error("do not have privilege to execute the statement")


def _privs(es: EngineSession) -> list[PrivRow]:
    version = es.storage.catalog_version
    got = _cache.get(es)
    if got is not None and got[0] == version and got[1] == es.role:
        return got[2]
    roles = role_graph.inherited(es.conn, es.account_id, (es.role, "public"))  # GRANT role TO role
    rows = st_roles.privileges(es.conn, es.account_id, roles)
    _cache[es] = (version, es.role, rows)
    return rows


def _covers(p: PrivRow, db: str | None, tbl: str | None) -> bool:
    """Does grant ``p``'s object include database ``db`` (and table ``tbl``)?"""
    if p.privilege_level == "*.*" or (p.privilege_level == "*" and p.db_name is None):
        return True
    if p.db_name != db:
        return False
    return tbl is None or p.tbl_name is None or p.tbl_name == tbl


def allowed(es: EngineSession, kind: str, pid: int, db: str | None, tbl: str | None) -> bool:
    for p in _privs(es):
        if p.obj_type == "account" and (p.privilege_id in _ACCOUNT_ANY or (kind == "account" and p.privilege_id == pid)):
            return True
        if kind == "account":
            continue
        if p.obj_type == "database" and p.privilege_id in ((pid, *_DB_ANY) if kind == "database" else _DB_ANY):
            if _covers(p, db, None):
                return True
        if kind == "table" and p.obj_type == "table" and p.privilege_id in (pid, *_TABLE_ANY):
            if _covers(p, db, tbl):
                return True
    return False


Need = tuple[str, int, "str | None", "str | None"]  # (object kind, privilege id, database, table)
NEEDS_CACHE = 512  # statements whose needs are remembered (keyed by text and current database)
_needs_cache: dict[tuple[str, str | None], list[Need]] = {}
_BULK_CHARS = 4096
_RE_INSERT_TARGET = re.compile(
    r"^(?:INSERT|REPLACE)\s+(?:(?:LOW_PRIORITY|DELAYED|HIGH_PRIORITY|IGNORE)\s+)*(?:INTO\s+)?"
    r"(?:(?P<db>`[^`]+`|\w+)\s*\.\s*)?(?P<t>`[^`]+`|\w+)", re.I)


def _satisfied(es: EngineSession, need: Need) -> bool:
    kind, pid, db, tbl = need
    if db is not None and db in _FREE_DBS and kind == "table" and pid == _TABLE_PRIVS["select"]:
        return True  # catalog reads: MatrixOne filters them by account itself
    return allowed(es, kind, pid, db, tbl)


def _tables(tree: exp.Expr, database: str | None) -> list[tuple[str | None, str]]:
    ctes = {c.alias_or_name.lower() for c in tree.find_all(exp.CTE)}
    out: list[tuple[str | None, str]] = []
    for t in tree.find_all(exp.Table):
        name = t.name.lower()
        if not name or (not t.db and name in ctes):
            continue
        out.append(((t.db or database or "").lower() or None, name))
    return out


def check(es: EngineSession, text: str, head: str) -> None:
    """Raise MatrixOne's 20101 when the session's roles lack a privilege ``text`` needs."""
    if es.role in ADMIN_ROLES or not head.startswith(_CHECKED):
        return
    key = (text, es.database)
    needs = _needs_cache.get(key)
    if needs is None:
        needs = needs_of(text, head, es.database)
        if len(_needs_cache) >= NEEDS_CACHE:
            _needs_cache.clear()
        _needs_cache[key] = needs
    for need in needs:
        if not _satisfied(es, need):
            raise denied()


def needs_of(text: str, head: str, database: str | None) -> list[Need]:
    """The privileges statement ``text`` needs (pure: depends on the text and the current database)."""
    if len(text) > _BULK_CHARS and head.startswith(("INSERT", "REPLACE")) and "SELECT" not in text.upper():
        m = _RE_INSERT_TARGET.match(text)  # megabytes of VALUES: no sqlglot parse for the target
        if m is not None:
            db = m.group("db").strip("`").lower() if m.group("db") else database
            return [("table", _TABLE_PRIVS["insert"], db, m.group("t").strip("`").lower())]
    sql, _ = extract_hints(text, attach=False)
    if head.startswith("REPLACE"):
        sql = replace_as_insert(sql)
    try:
        tree = sqlglot.parse_one(sql, read="mysql")
    except Exception:  # noqa: BLE001 - the engine reports the syntax error itself
        return []
    if tree is None:
        return []
    tables = _tables(tree, database)
    if isinstance(tree, exp.Create | exp.Drop | exp.Alter | exp.TruncateTable) or head.startswith("TRUNCATE"):
        return _ddl_needs(tree, tables, database)
    needs: list[Need] = []
    target: tuple[str | None, str] | None = None
    if isinstance(tree, exp.Insert | exp.Update | exp.Delete) and tables:
        target = tables[0]
        verb = "insert" if isinstance(tree, exp.Insert) else "update" if isinstance(tree, exp.Update) else "delete"
        needs.append(("table", _TABLE_PRIVS[verb], *target))
    needs += [("table", _TABLE_PRIVS["select"], *t) for t in tables if t != target]
    return needs


def _ddl_needs(tree: exp.Expr, tables: list[tuple[str | None, str]], database: str | None) -> list[Need]:
    kind = str(tree.args.get("kind") or "").upper()
    if kind in ("DATABASE", "SCHEMA"):
        verb = "create database" if isinstance(tree, exp.Create) else "drop database"
        return [("account", _ACCOUNT_PRIVS[verb], None, None)]
    if isinstance(tree, exp.TruncateTable) or not kind:
        return [("table", _TABLE_PRIVS["truncate"], *t) for t in tables]
    if kind == "INDEX":
        return [("table", _TABLE_PRIVS["index"], *t) for t in tables]
    verb = "create" if isinstance(tree, exp.Create) else "drop" if isinstance(tree, exp.Drop) else "alter"
    pid = _DB_PRIVS.get(f"{verb} {'view' if kind == 'VIEW' else 'table'}", _DB_PRIVS["alter table"])
    if not isinstance(tree, exp.Create):  # DROP TABLE a, b / ALTER: each named table's database
        return [("database", pid, db, None) for db, _ in tables] or [("database", pid, database, None)]
    target = tables[0] if tables else (database, "")
    # CREATE TABLE ... AS SELECT / CREATE VIEW ... AS: what the body reads needs SELECT
    return [("database", pid, target[0], None), *(("table", _TABLE_PRIVS["select"], *t) for t in tables[1:])]


def forget() -> None:
    """Drop what is cached here (``Engine.drop_caches``, for benchmarks); answers do not change."""
    _needs_cache.clear()
