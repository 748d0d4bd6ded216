"""Role memberships after a restore *beside* (into another account) compare on shared user names.

A restore into another account keeps the target's own users (its admin is not the source's), so
``accountadmin to admin`` at T vs ``accountadmin to drill_admin`` now is not a difference; a
membership of a user both accounts have still is. Found by the drill DAG (restore into a scratch
account) once the inventory compared memberships.
"""

from __future__ import annotations

from airflow_provider_matrixone.pitr.inventory_objects import diff_objects


def test_beside_ignores_users_only_one_account_has() -> None:
    at_t = {"memberships": [["admin", "accountadmin"], ["app", "reader"]], "member_users": ["admin", "app"]}
    now = {"memberships": [["drill_admin", "accountadmin"], ["app", "reader"]], "member_users": ["drill_admin", "app"]}
    assert diff_objects(at_t, now) == []


def test_beside_still_sees_a_lost_membership_of_a_shared_user() -> None:
    at_t = {"memberships": [["app", "reader"]], "member_users": ["admin", "app"]}
    now = {"memberships": [], "member_users": ["drill_admin", "app"]}
    assert [s for _, _, s in diff_objects(at_t, now)] == ["role reader was granted to user app at T and is not now"]


def test_in_place_compares_every_membership() -> None:
    at_t = {"memberships": [["admin", "accountadmin"]], "users": ["admin"]}
    now = {"memberships": [], "users": ["admin"]}
    assert len(diff_objects(at_t, now)) == 1
