"""Privilege checks for sessions whose active role is not the account's admin role.

MatrixOne answers a statement its session's roles do not allow with ``internal error: do not have
privilege to execute the statement`` (20101). The admin roles (moadmin in sys, accountadmin in a
tenant) hold every privilege of their account, so the engine calls :func:`check` only for other
roles: the admin path costs one set membership test, no query.

The privileges of the active role plus ``public`` are read once per session and catalog version
(any GRANT, REVOKE, DROP ROLE or restore bumps the version), so a non-admin session pays one catalog
read after each catalog change, then one sqlglot parse per statement to find the tables it names.

What satisfies a need (MatrixOne's privilege entries, simplified):
- a table privilege (select/insert/update/delete/truncate/index) on ``db.t``: the same privilege,
  ``table all`` or ``table ownership`` granted on ``db.t``, ``t`` (in db), ``db.*``, ``*`` in db or ``*.*``;
- a database privilege (create/drop/alter table, create/drop view, show tables) on ``db``: the same,
  ``database all`` or ``database ownership`` on ``db``, ``db.*``, ``*`` in db or ``*.*``;
- ``account all`` / ``account ownership`` satisfy everything in the account; ``database all`` /
  ``database ownership`` on a database also satisfy table privileges inside it.
"""

from __future__ import annotations

import weakref
from typing import TYPE_CHECKING

import sqlglot
from sqlglot import exp

from matrixone_lite.errors import internal_error
from matrixone_lite.mo.privileges import ADMIN_ROLES
from matrixone_lite.sql.hints import extract_hints
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
    rows = st_roles.privileges(es.conn, es.account_id, (es.role, "public"))
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


def _need(es: EngineSession, kind: str, pid: int, db: str | None, tbl: str | None = None) -> None:
    if db is not None and db in _FREE_DBS:
        if kind == "table" and pid == _TABLE_PRIVS["select"]:
            return  # catalog reads: MatrixOne filters them by account itself
    if not allowed(es, kind, pid, db, tbl):
        raise denied()


def _tables(tree: exp.Expr, es: EngineSession) -> list[tuple[str | None, str]]:
    ctes = {c.alias_or_name.lower() for c in tree.find_all(exp.CTE)}
    out: list[tuple[str | None, str]] = []
    for t in tree.find_all(exp.Table):
        name = t.name.lower()
        if not name or (not t.db and name in ctes):
            continue
        out.append(((t.db or es.database or "").lower() or None, name))
    return out


def check(es: EngineSession, text: str, head: str) -> None:
    """Raise MatrixOne's 20101 when the session's roles lack a privilege ``text`` needs."""
    if es.role in ADMIN_ROLES or not head.startswith(_CHECKED):
        return
    sql, _ = extract_hints(text, attach=False)
    if head.startswith("REPLACE"):
        sql = "INSERT" + sql.lstrip()[7:]
    try:
        tree = sqlglot.parse_one(sql, read="mysql")
    except Exception:  # noqa: BLE001 - the engine reports the syntax error itself
        return
    if tree is None:
        return
    tables = _tables(tree, es)
    target: tuple[str | None, str] | None = None
    if isinstance(tree, exp.Insert | exp.Update | exp.Delete) and tables:
        target = tables[0]
        pid = _TABLE_PRIVS[{exp.Insert: "insert", exp.Update: "update", exp.Delete: "delete"}[type(tree)]]
        _need(es, "table", pid, *target)
    elif isinstance(tree, exp.Create | exp.Drop | exp.Alter | exp.TruncateTable) or head.startswith("TRUNCATE"):
        _check_ddl(es, tree, tables)
        return
    for t in tables:
        if t != target:
            _need(es, "table", _TABLE_PRIVS["select"], *t)


def _check_ddl(es: EngineSession, tree: exp.Expr, tables: list[tuple[str | None, str]]) -> None:
    kind = str(tree.args.get("kind") or "").upper()
    if kind in ("DATABASE", "SCHEMA"):
        _need(es, "account", _ACCOUNT_PRIVS["create database" if isinstance(tree, exp.Create) else "drop database"],
              None)
        return
    if isinstance(tree, exp.TruncateTable) or not kind:
        for t in tables:
            _need(es, "table", _TABLE_PRIVS["truncate"], *t)
        return
    if kind == "INDEX":
        for t in tables:
            _need(es, "table", _TABLE_PRIVS["index"], *t)
        return
    verb = "create" if isinstance(tree, exp.Create) else "drop" if isinstance(tree, exp.Drop) else "alter"
    noun = "view" if kind == "VIEW" else "table"
    pid = _DB_PRIVS.get(f"{verb} {noun}", _DB_PRIVS["alter table"])
    target = tables[0] if tables else (es.database, "")
    _need(es, "database", pid, target[0])
    if isinstance(tree, exp.Create):  # CREATE TABLE ... AS SELECT / CREATE VIEW AS: reads need SELECT
        for t in tables[1:]:
            _need(es, "table", _TABLE_PRIVS["select"], *t)
