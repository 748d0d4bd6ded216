"""CREATE/DROP ROLE, GRANT/REVOKE, SET ROLE, SHOW GRANTS (issue 11 point 5).

Grammar, privilege ids and names, and texts follow MatrixOne's ``pkg/frontend/authenticate.go``
(``PrivilegeType`` order gives ``privilege_id``; ``String()`` gives the name shown by SHOW GRANTS
and stored in ``mo_role_privs.privilege_name``). Rows live in the versioned catalog
(``storage/roles.py``), so they roll back with account restores. Only the account's admin role
(moadmin in sys, accountadmin in a tenant) may change roles and grants here; MatrixOne also lets a
role holding CREATE ROLE / MANAGE GRANTS do it (not emulated, docs/lite/index.md).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from matrixone_lite.errors import internal_error, no_database_selected, syntax_error
from matrixone_lite.mo import role_graph
from matrixone_lite.results import Column, Result
from matrixone_lite.storage import catalog as cat
from matrixone_lite.storage import roles as st_roles
from matrixone_lite.storage.roles import PrivRow

if TYPE_CHECKING:
    from matrixone_lite.engine import EngineSession

PREDEFINED = ("moadmin", "public", "accountadmin")
ADMIN_ROLES = frozenset(("moadmin", "accountadmin"))
PREDEFINED_IDS = {"moadmin": 0, "public": 1, "accountadmin": 2}

# (object type, privilege words) -> MatrixOne's PrivilegeType value
_PRIVS: dict[tuple[str, str], int] = {
    ("account", "create user"): 3, ("account", "drop user"): 4, ("account", "alter user"): 5,
    ("account", "create role"): 6, ("account", "drop role"): 7, ("account", "create database"): 9,
    ("account", "drop database"): 10, ("account", "show databases"): 11, ("account", "connect"): 12,
    ("account", "manage grants"): 13, ("account", "all"): 14, ("account", "ownership"): 15,
    ("database", "show tables"): 18, ("database", "create table"): 20, ("database", "create view"): 21,
    ("database", "drop table"): 23, ("database", "drop view"): 24, ("database", "alter table"): 26,
    ("database", "alter view"): 27, ("database", "all"): 28, ("database", "ownership"): 29,
    ("table", "select"): 30, ("table", "insert"): 31, ("table", "update"): 32, ("table", "truncate"): 33,
    ("table", "delete"): 34, ("table", "reference"): 35, ("table", "index"): 36, ("table", "all"): 37,
    ("table", "ownership"): 38,
}
PRIV_NAMES: dict[int, str] = {pid: words for (_, words), pid in _PRIVS.items()}
PRIV_NAMES.update({14: "account all", 15: "account ownership", 28: "database all", 29: "database ownership",
                   37: "table all", 38: "table ownership"})

_ID = r"(?:`[^`]+`|[A-Za-z0-9_$]+)"
_NAMES = rf"{_ID}(?:\s*,\s*{_ID})*"
RE_CREATE_ROLE = re.compile(rf"^CREATE\s+ROLE\s+(?P<ine>IF\s+NOT\s+EXISTS\s+)?(?P<names>{_NAMES})$", re.I)
RE_DROP_ROLE = re.compile(rf"^DROP\s+ROLE\s+(?P<ie>IF\s+EXISTS\s+)?(?P<names>{_NAMES})$", re.I)
RE_SET_ROLE = re.compile(rf"^SET\s+ROLE\s+(?P<role>{_ID})$", re.I)
RE_SHOW_GRANTS = re.compile(r"^SHOW\s+GRANTS(?:\s+FOR\s+(?P<user>'[^']*'|`[^`]+`|[A-Za-z0-9_$]+)"
                            r"(?:\s*@\s*(?:'[^']*'|[A-Za-z0-9_.%$]+))?)?$", re.I)
RE_GRANT_PRIV = re.compile(
    r"^(?P<verb>GRANT|REVOKE)\s+(?P<ie>IF\s+EXISTS\s+)?(?P<privs>.+?)\s+ON\s+(?:(?P<kind>TABLE|DATABASE|ACCOUNT)\s+)?"
    rf"(?P<level>\*\.\*|\*|{_ID}\.\*|{_ID}\.{_ID}|{_ID})\s+(?:TO|FROM)\s+(?P<roles>{_NAMES})"
    r"(?P<wgo>\s+WITH\s+GRANT\s+OPTION)?$", re.I | re.S)
RE_GRANT_ROLE = re.compile(
    rf"^(?P<verb>GRANT|REVOKE)\s+(?P<ie>IF\s+EXISTS\s+)?(?P<roles>{_NAMES})\s+(?:TO|FROM)\s+(?P<users>{_NAMES})"
    r"(?P<wgo>\s+WITH\s+(?:ADMIN|GRANT)\s+OPTION)?$", re.I)
_HEADS = ("GRANT", "REVOKE", "CREATE", "DROP", "SET", "SHOW")
_ROLE_STMT = re.compile(r"^(?:GRANT|REVOKE)\b|^(?:CREATE|DROP|SET)\s+ROLE\b|^SHOW\s+GRANTS\b", re.I)


def _names(text: str) -> list[str]:
    return [n.strip().strip("`").lower() for n in text.split(",")]


def statement(es: EngineSession, text: str, head: str) -> Result | None:
    """Run ``text`` when it is a role/grant statement; None otherwise (cheap for everything else)."""
    if not head.startswith(_HEADS) or not _ROLE_STMT.match(text):
        return None

    if (m := RE_SET_ROLE.match(text)) is not None:
        set_role(es, _names(m.group("role"))[0])
        return Result()
    if (m := RE_SHOW_GRANTS.match(text)) is not None:
        return show_grants(es, m.group("user"))
    if es.in_transaction:
        raise internal_error("administrative command is unsupported in transactions")
    if es.role not in ADMIN_ROLES:
        raise internal_error("do not have privilege to execute the statement")
    if (m := RE_CREATE_ROLE.match(text)) is not None:
        _create_roles(es, _names(m.group("names")), bool(m.group("ine")))
    elif (m := RE_DROP_ROLE.match(text)) is not None:
        _drop_roles(es, _names(m.group("names")), bool(m.group("ie")))
    elif (m := RE_GRANT_ROLE.match(text)) is not None and not _looks_like_privs(m.group("roles")):
        role_graph.grant_or_revoke(es, m.group("verb").upper() == "GRANT", _names(m.group("roles")),
                                   _names(m.group("users")), bool(m.group("ie")), bool(m.group("wgo")),
                                   _all_roles(es.conn, es.account_id))
    elif (m := RE_GRANT_PRIV.match(text)) is not None:
        _grant_privs(es, m)
    else:
        raise syntax_error(text[:40], len(text.split(None, 1)[0]))
    return Result()


def _looks_like_privs(text: str) -> bool:
    words = {w.strip("`").lower() for w in re.split(r"[\s,]+", text)}
    return bool(words & {"select", "insert", "update", "delete", "all", "ownership", "connect", "truncate",
                         "index", "reference"})


def _all_roles(conn: object, account_id: int) -> set[str]:
    return {"public", *ADMIN_ROLES} | {n for _, n in st_roles.role_rows(conn, account_id)}  # type: ignore[arg-type]


def _create_roles(es: EngineSession, names: list[str], ine: bool) -> None:
    existing = _all_roles(es.conn, es.account_id)
    users = {u.name for u in cat.get_users(es.conn, es.account_id)}
    todo: list[str] = []
    for n in names:
        if n in existing or n in todo:
            if ine:
                continue
            raise internal_error(f"the role {n} exists")
        if n in users:
            raise internal_error(f"there is a user with the same name as the role {n}")
        todo.append(n)
    if todo:
        with es.storage.transaction() as tx:
            for n in todo:
                st_roles.create_role(tx, es.account_id, n, 0 if es.account_id == 0 else 2)


def _drop_roles(es: EngineSession, names: list[str], ie: bool) -> None:
    custom = {n for _, n in st_roles.role_rows(es.conn, es.account_id)}
    for n in names:
        if n in PREDEFINED:
            raise internal_error(f"can not delete the role {n}")
        if n not in custom and not ie:
            raise internal_error(f"there is no role {n}")
    with es.storage.transaction() as tx:
        for n in names:
            if n in custom:
                st_roles.drop_role(tx, es.account_id, n)


def _object(es: EngineSession, kind: str, level: str) -> tuple[str | None, str | None, str]:
    """(database, table, MatrixOne privilege level) of a grant's object; checks that it exists."""
    parts = [p.strip("`").lower() for p in level.split(".")]
    if kind == "account":
        if level != "*":
            raise syntax_error(level, 0)
        return None, None, "*"
    if level == "*.*":
        return None, None, "*.*"
    if level == "*":
        if es.database is None:
            return None, None, "*"
        return es.database, None, "*"
    if len(parts) == 2 and parts[1] == "*":
        db, tbl, lvl = parts[0], None, "d.*"
    elif len(parts) == 2:
        db, tbl, lvl = parts[0], parts[1], "d.t"
    elif kind == "database":
        db, tbl, lvl = parts[0], None, "d"
    else:
        if es.database is None:
            raise no_database_selected()
        db, tbl, lvl = es.database, parts[0], "t"
    if kind == "database" and tbl is not None:
        raise syntax_error(level, 0)
    dbs = cat.get_databases(es.conn, es.account_id, db)
    if not dbs:
        raise internal_error(f"there is no database {db}")
    if tbl is not None and not cat.get_tables(es.conn, dbs[-1].id, tbl):
        raise internal_error(f"there is no table {tbl} in database {db}")
    return db, tbl, lvl


def _grant_privs(es: EngineSession, m: re.Match[str]) -> None:
    grant = m.group("verb").upper() == "GRANT"
    kind = (m.group("kind") or "table").lower()
    db, tbl, lvl = _object(es, kind, m.group("level"))
    ids: list[int] = []
    for p in m.group("privs").split(","):
        words = " ".join(p.lower().split())
        words = "all" if words == "all privileges" else words
        pid = _PRIVS.get((kind, words))
        if pid is None:
            raise internal_error(f'the privilege "{words}" can only be granted to the object type "'
                                 f'{next((k for k, w in _PRIVS if w == words), "unknown")}"')
        ids.append(pid)
    roles = _names(m.group("roles"))
    known = _all_roles(es.conn, es.account_id)
    for r in roles:
        if r not in known:
            raise internal_error(f"there is no role {r}")
        if grant and r in ADMIN_ROLES:
            raise internal_error(f"the privilege can not be granted to the role {r}")
    with es.storage.transaction() as tx:
        for r in roles:
            for pid in ids:
                row = PrivRow(r, kind, db, tbl, pid, lvl, bool(m.group("wgo")))
                if grant:
                    st_roles.add_privilege(tx, es.account_id, row)
                else:
                    st_roles.revoke_privilege(tx, es.account_id, row)


def granted_roles(es: EngineSession, user: str) -> list[str]:
    """The roles ``user`` may switch to: its default role, public and every role granted to it."""
    u = cat.get_users(es.conn, es.account_id, user)
    out = [u[-1].default_role] if u else []
    for r in ["public", *st_roles.user_roles(es.conn, es.account_id, user)]:
        if r not in out:
            out.append(r)
    return out


def set_role(es: EngineSession, role: str) -> None:
    """``SET ROLE r``: the session's active role becomes r, if the user holds it."""
    if role not in _all_roles(es.conn, es.account_id):
        raise internal_error(f"there is no role {role}")
    if role not in granted_roles(es, es.user):
        raise internal_error(f"the role {role} has not be granted to the user {es.user}")
    es.role = role


def _level_text(p: PrivRow) -> str:
    if p.obj_type == "account":
        return ""
    if p.privilege_level in ("*.*",):
        return "*.*"
    if p.privilege_level == "*":
        return "*" if p.db_name is None else f"{p.db_name}.*"
    if p.tbl_name is None:
        return (p.db_name or "") if p.privilege_level == "d" else f"{p.db_name}.*"
    return f"{p.db_name}.{p.tbl_name}"


def show_grants(es: EngineSession, user_text: str | None) -> Result:
    """``SHOW GRANTS [FOR u]``: one ``GRANT <privilege> ON <type> <level> `u`@`localhost``` row per privilege."""

    user = user_text.strip("'`").lower() if user_text else es.user
    if user != es.user and es.role not in ADMIN_ROLES:
        raise internal_error("do not have privilege to execute the statement")
    if not cat.get_users(es.conn, es.account_id, user):
        raise internal_error(f"there is no user {user}")
    roles = granted_roles(es, user)
    who = f"`{user}`@`localhost`"
    rows: list[tuple[str]] = []
    for r in roles:
        if r in ADMIN_ROLES:  # predefined: every privilege of the account (shown as account all)
            rows.append((f"GRANT account all ON account  {who}",))
        elif r == "public":
            rows.append((f"GRANT connect ON account  {who}",))
    seen = {row[0] for row in rows}
    for p in st_roles.privileges(es.conn, es.account_id, tuple(roles)):
        line = f"GRANT {PRIV_NAMES[p.privilege_id]} ON {p.obj_type} {_level_text(p)} {who}"
        if line not in seen:
            seen.add(line)
            rows.append((line,))
    return Result([Column(f"Grants for {user}@localhost", "VARCHAR")], rows)
