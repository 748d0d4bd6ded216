"""``mo_catalog.mo_role / mo_user_grant / mo_role_privs / mo_role_grant`` over ``storage/roles.py``'s tables.

Column names and order are MatrixOne's (``pkg/frontend/predefined.go``). Each account sees its own
rows (sys too: these are per-account tables in MatrixOne). The predefined roles are listed with
their fixed ids (moadmin 0 in sys, accountadmin 2 in a tenant, public 1). ``obj_id`` of a table or
database grant is the id of the object that carries the granted name *now* (or at the hint's
instant), so after a restore it is the restored object's id: MatrixOne's #26640 was grants left
pointing at the pre-restore ids.
"""

from __future__ import annotations

from matrixone_lite.mo.mo_catalog import _ROLE_ID, _alive, _time
from matrixone_lite.mo.privileges import PRIV_NAMES

_PRIV_NAME = "CASE p.privilege_id " + " ".join(f"WHEN {i} THEN '{n}'" for i, n in sorted(PRIV_NAMES.items())) + " END"


def _mo_role(account_id: int, at: int | None) -> str:
    admin = "('moadmin', 0)" if account_id == 0 else "('accountadmin', 2)"
    return (
        "SELECT role_id, role_name, creator, owner, created_time, comments FROM ("  # noqa: S608 - ints only
        f"SELECT v.column2 AS role_id, v.column1 AS role_name, 0 AS creator, 0 AS owner, NULL AS created_time, "
        f"'' AS comments FROM (VALUES {admin}, ('public', 1)) v "
        "UNION ALL SELECT r.role_id, r.name, coalesce(r.creator, 0), "
        f"{0 if account_id == 0 else 2}, {_time('r.created_ts')}, coalesce(r.comment, '') FROM __mo_roles r "
        f"WHERE r.account_id = {int(account_id)} AND {_alive('r', at)}) ORDER BY role_id"
    )


def _mo_user_grant(account_id: int, at: int | None) -> str:
    acc = int(account_id)
    return (
        f"SELECT {_ROLE_ID.format(r='g.role_name', acc=acc)} AS role_id, u.id AS user_id, "  # noqa: S608 - ints only
        f"{_time('g.created_ts')} AS granted_time, 0 AS with_grant_option "
        f"FROM __mo_user_grants g JOIN __mo_users u ON u.account_id = g.account_id AND u.name = g.user_name "
        f"AND {_alive('u', at)} WHERE g.account_id = {acc} AND {_alive('g', at)} "
        f"UNION ALL SELECT {_ROLE_ID.format(r='u.default_role', acc=acc)}, u.id, {_time('u.created_ts')}, 0 "
        f"FROM __mo_users u WHERE u.account_id = {acc} AND {_alive('u', at)}"
    )


def _obj_id(at: int | None) -> str:
    """The id of the object a grant names, as it is now (or at ``at``): re-bound after restores."""
    db = ("(SELECT d.id FROM __mo_databases d WHERE d.account_id = p.account_id AND d.name = p.db_name "  # noqa: S608
          f"AND {_alive('d', at)})")
    tbl = ("(SELECT t.id FROM __mo_tables t JOIN __mo_databases d ON d.id = t.database_id "  # noqa: S608
           f"WHERE d.account_id = p.account_id AND d.name = p.db_name AND t.name = p.tbl_name "
           f"AND {_alive('t', at)} AND {_alive('d', at)})")
    return (f"CASE WHEN p.obj_type = 'account' OR p.db_name IS NULL THEN 0 WHEN p.tbl_name IS NULL THEN {db} "
            f"ELSE {tbl} END")


def _mo_role_privs(account_id: int, at: int | None) -> str:
    acc = int(account_id)
    return (
        f"SELECT {_ROLE_ID.format(r='p.role_name', acc=acc)} AS role_id, p.role_name AS role_name, "  # noqa: S608
        f"p.obj_type AS obj_type, {_obj_id(at)} AS obj_id, p.privilege_id AS privilege_id, "
        f"{_PRIV_NAME} AS privilege_name, p.privilege_level AS privilege_level, 0 AS operation_user_id, "
        f"{_time('p.created_ts')} AS granted_time, p.with_grant_option AS with_grant_option "
        f"FROM __mo_role_privs p WHERE p.account_id = {acc} AND {_alive('p', at)}"
    )


def _mo_role_grant(account_id: int, at: int | None) -> str:
    """MatrixOne's ``mo_role_grant`` (predefined.go): one row per GRANT role TO role (mo/role_graph.py)."""
    acc = int(account_id)
    admin_role = 0 if acc == 0 else 2
    return (
        f"SELECT {_ROLE_ID.format(r='g.granted', acc=acc)} AS granted_id, "  # noqa: S608 - ints only
        f"{_ROLE_ID.format(r='g.grantee', acc=acc)} AS grantee_id, {admin_role} AS operation_role_id, "
        f"{admin_role} AS operation_user_id, {_time('g.created_ts')} AS granted_time, "
        f"g.with_grant_option AS with_grant_option "
        f"FROM __mo_role_grants g WHERE g.account_id = {acc} AND {_alive('g', at)}"
    )


def role_view(name: str, account_id: int, at: int | None) -> str:
    if name == "mo_role_grant":
        return _mo_role_grant(account_id, at)
    if name == "mo_role":
        return _mo_role(account_id, at)
    if name == "mo_user_grant":
        return _mo_user_grant(account_id, at)
    return _mo_role_privs(account_id, at)
