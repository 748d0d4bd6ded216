"""GRANT role TO role / REVOKE role FROM role, and the privileges a role inherits that way.

Why: MatrixOne lets a role be granted to another role (``mo_catalog.mo_role_grant``); the grantee
then holds every privilege of the granted role, transitively, and an account restore brings those
grants back as they were at T like the other role tables (``storage/roles.py``). Semantics and texts
are MatrixOne v4.2.0's ``pkg/frontend/authenticate.go`` (``doGrantRole``, ``doRevokeRole``,
``verifySpecialRolesInGrant``):

- each name after TO/FROM is a role if one has that name, else a user, else
  ``there is no role or user x`` (REVOKE IF EXISTS skips it);
- a grant that would close a loop (``r1`` to itself, or ``r1`` to ``r2`` when ``r2`` already reaches
  ``r1``) is ``ErrRoleGrantedToSelf``: code 4027 (``ER_ROLE_GRANTED_TO_ITSELF`` in MatrixOne's
  ``mysql_error_define.go``), ``cannot grant role r1 to r2``;
- the predefined roles: an admin role or ``public`` cannot be granted to another role nor an admin
  role to a user who is not the account's administrator, no role can be granted to an admin role or
  ``public``, and admin roles and ``public`` cannot be revoked.
"""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING

from matrixone_lite.errors import MOError, internal_error
from matrixone_lite.storage import catalog as cat
from matrixone_lite.storage import roles as st_roles

if TYPE_CHECKING:
    from matrixone_lite.engine import EngineSession

ADMIN = frozenset(("moadmin", "accountadmin"))


def inherited(conn: sqlite3.Connection, account_id: int, roles: tuple[str, ...],
              at: int | None = None) -> tuple[str, ...]:
    """``roles`` and every role granted to them, directly or through other roles."""
    edges = st_roles.role_grants(conn, account_id, at)
    if not edges:
        return roles
    out = list(roles)
    todo = list(roles)
    while todo:
        grantee = todo.pop()
        for granted, to, _ in edges:
            if to == grantee and granted not in out:
                out.append(granted)
                todo.append(granted)
    return tuple(out)


def _reaches(edges: list[tuple[str, str]], start: str, goal: str) -> bool:
    """Whether ``goal`` is reachable from ``start`` along granted -> grantee edges."""
    seen, todo = {start}, [start]
    while todo:
        node = todo.pop()
        if node == goal:
            return True
        for a, b in edges:
            if a == node and b not in seen:
                seen.add(b)
                todo.append(b)
    return False


def granted_to_self(granted: str, grantee: str) -> MOError:
    return MOError(4027, f"cannot grant role {granted} to {grantee}")


def _special(granted: str, grantee: str) -> None:
    """verifySpecialRolesInGrant for a role grantee."""
    if granted in ADMIN and grantee not in ADMIN or granted == "public":
        raise internal_error(f"the role {granted} can not be granted to the other role {grantee}")
    if grantee in ADMIN or grantee == "public":
        raise internal_error(f"the role {granted} can not be granted to the role {grantee}")


def grant_or_revoke(es: EngineSession, grant: bool, roles: list[str], names: list[str], if_exists: bool,
                    with_grant_option: bool, all_roles: set[str]) -> None:
    """GRANT roles TO names / REVOKE [IF EXISTS] roles FROM names, names being roles or users."""
    defaults = {u.name: u.default_role for u in cat.get_users(es.conn, es.account_id)}
    admins = {n: r in ADMIN for n, r in defaults.items()}
    users = set(defaults)
    targets: list[tuple[str, bool]] = []  # (name, is a role)
    for n in names:
        if n in all_roles:
            targets.append((n, True))
        elif n in users:
            targets.append((n, False))
        elif not (if_exists and not grant):
            raise internal_error(f"there is no role or user {n}")
    for r in roles:
        if r not in all_roles:
            raise internal_error(f"there is no role {r}")
    edges = [(a, b) for a, b, _ in st_roles.role_grants(es.conn, es.account_id)]
    for r in roles:
        for n, is_role in targets:
            if not grant:
                if r in ADMIN or r == "public":
                    raise internal_error(f"the role {r} can not be revoked")
                if is_role and (n in ADMIN or n == "public"):
                    raise internal_error(f"the role {r} can not be revoked from the role {n}")
            elif not is_role and r in ADMIN and not admins[n]:
                raise internal_error(f"the role {r} can not be granted to non administration user {n}")
            elif is_role:
                _special(r, n)
                if r == n or _reaches(edges, n, r):
                    raise granted_to_self(r, n)
                edges.append((r, n))
    with es.storage.transaction() as tx:
        for r in roles:
            for n, is_role in targets:
                if is_role and grant:
                    st_roles.grant_role_to_role(tx, es.account_id, r, n, with_grant_option)
                elif is_role:
                    st_roles.revoke_role_from_role(tx, es.account_id, r, n)
                elif grant:
                    if defaults[n] != r:  # MatrixOne's mo_user_grant already has the default role
                        st_roles.grant_role(tx, es.account_id, r, n)
                else:
                    st_roles.revoke_role(tx, es.account_id, r, n)
