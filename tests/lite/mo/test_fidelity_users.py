"""CREATE/DROP USER and users rolling back with an account restore (§4.4: mo_user is copied back)."""

from __future__ import annotations

import time

import pymysql
import pytest

from tests.lite.conftest import connect, run, server_now
from tests.support.sql import err
from tests.support.sql import internal_error as ie


def login_code(srv, user: str, password: str) -> int:
    """0 when the login works (and the session can query), else the MySQL error code."""
    try:
        conn = connect(srv, user, password)
    except pymysql.MySQLError as e:
        return int(e.args[0])
    try:
        run(conn, "select 1")
    finally:
        conn.close()
    return 0


def instant() -> str:
    time.sleep(0.02)
    t = server_now()
    time.sleep(0.02)
    return t


@pytest.fixture
def env(lite_server):
    srv = lite_server()
    sys_root = connect(srv)
    run(sys_root, "create account acc1 admin_name 'root' identified by '111'")
    acc1 = connect(srv, "acc1#root")
    run(acc1, "create database db1")
    run(acc1, "create table db1.t1 (a int)")
    return srv, sys_root, acc1


def test_create_and_drop_user_messages(env) -> None:
    srv, _, acc1 = env
    srv.statement_log.clear()
    run(acc1, "create user u1 identified by 'secret-p1'")
    assert login_code(srv, "acc1#u1", "secret-p1") == 0
    assert login_code(srv, "acc1#u1", "wrong") == 1045
    u1 = connect(srv, "acc1#u1", "secret-p1")
    assert run(u1, "select current_role()") == [("public",)]
    # public holds only `connect`: reading a table needs a grant (tests/lite/mo/test_roles_grants.py)
    assert err(u1, "select count(*) from db1.t1") == ie("do not have privilege to execute the statement")
    assert err(u1, "create user x identified by 'p'") == ie("do not have privilege to execute the statement")
    assert err(u1, "drop user u1") == ie("do not have privilege to execute the statement")
    # a role in the login string the user does not have gives no privileges
    escalated = connect(srv, "acc1#u1#accountadmin", "secret-p1")
    assert err(escalated, "create user x identified by 'p'") == ie("do not have privilege to execute the statement")
    # doCreateUser order: role, existing user / role name, empty password
    assert err(acc1, "create user u9 identified by 'p' default role nope") == ie("there is no role nope")
    assert err(acc1, "create user u1 identified by 'p' default role nope") == ie("there is no role nope")
    assert err(acc1, "create user u1 identified by 'p'") == ie("the user u1 exists")
    run(acc1, "create user if not exists u1 identified by 'other'")
    assert login_code(srv, "acc1#u1", "secret-p1") == 0  # unchanged
    assert err(acc1, "create user public identified by 'p'") == ie("there is a role with the same name as the user")
    assert err(acc1, "create user u2 identified by ''") == ie("password is empty string")
    run(acc1, "create user 'u3' identified by 'p3' default role accountadmin")
    u3 = connect(srv, "acc1#u3", "p3")
    assert run(u3, "select current_role()") == [("accountadmin",)]
    # doDropUser: unknown user, then admins cannot be dropped
    assert err(acc1, "drop user nope") == ie("there is no user nope")
    run(acc1, "drop user if exists nope")
    assert err(acc1, "drop user root") == ie("can not delete the user root")
    assert err(acc1, "drop user u3") == ie("can not delete the user u3")
    run(acc1, "drop user u1")
    assert login_code(srv, "acc1#u1", "secret-p1") == 1045
    # users are per account
    assert err(connect(srv), "drop user u3") == ie("there is no user u3")
    # administrative statements refuse an open transaction
    acc1.begin()
    assert err(acc1, "create user u4 identified by 'p'") == ie("administrative command is unsupported in transactions")
    acc1.rollback()
    logged = " ".join(e["sql"] for e in srv.statement_log.entries)
    assert "secret-p1" not in logged and "identified by '***'" in logged
    assert any(e["sql"].startswith("drop user u1") for e in srv.statement_log.mutating())


def test_tenant_restore_rolls_users_back(env) -> None:
    srv, _, acc1 = env
    run(acc1, "create pitr p range 1 'h'")
    time.sleep(0.02)
    run(acc1, "create user u1 identified by 'p1'")
    t = instant()
    run(acc1, "drop user u1")
    run(acc1, "create user u2 identified by 'p2'")
    assert login_code(srv, "acc1#u1", "p1") == 1045
    assert login_code(srv, "acc1#u2", "p2") == 0
    run(acc1, f"restore from pitr p '{t}'")
    assert login_code(srv, "acc1#u1", "p1") == 0
    assert login_code(srv, "acc1#u2", "p2") == 1045
    assert login_code(srv, "acc1#root", "111") == 0
    # the restored user is a real user again: it can be dropped, and the admin can create u2 anew
    run(acc1, "drop user u1")
    run(acc1, "create user u2 identified by 'p2b'")
    assert login_code(srv, "acc1#u2", "p2b") == 0


def test_sys_in_place_restore_rolls_users_back(env) -> None:
    srv, sys_root, _ = env
    run(sys_root, "create pitr sp for account range 1 'h'")
    time.sleep(0.02)
    run(sys_root, "create user su1 identified by 's1'")
    t = instant()
    run(sys_root, "drop user su1")
    run(sys_root, "create user su2 identified by 's2'")
    run(sys_root, f"restore from pitr sp '{t}'")
    assert login_code(srv, "su1", "s1") == 0
    assert login_code(srv, "sys#su2", "s2") == 1045
    assert login_code(srv, "root", "111") == 0 and login_code(srv, "dump", "111") == 0
    assert login_code(srv, "acc1#root", "111") == 0  # other accounts are untouched


def test_restore_beside_keeps_the_target_users(env) -> None:
    srv, sys_root, acc1 = env
    run(sys_root, "create account acc3 admin_name 'admin3' identified by '333'")
    acc3 = connect(srv, "acc3#admin3", "333")
    run(acc3, "create user x1 identified by 'px'")
    run(sys_root, "create pitr ap for account acc1 range 1 'h'")
    time.sleep(0.02)
    run(acc1, "create user u1 identified by 'p1'")
    run(acc1, "insert into db1.t1 values (7)")
    t = instant()
    run(sys_root, f"restore account acc3 from pitr ap '{t}'")
    assert run(connect(srv, "acc3#admin3", "333"), "select a from db1.t1") == [(7,)]  # acc1's data
    assert login_code(srv, "acc3#x1", "px") == 0  # acc3 keeps its own users
    assert login_code(srv, "acc3#u1", "p1") == 1045  # acc1's users are not copied
    assert login_code(srv, "acc1#u1", "p1") == 0  # the source is untouched
    # in place through sys (RESTORE ACCOUNT acc1 with acc1's own PITR) rolls acc1's users back
    run(acc1, "drop user u1")
    run(acc1, "create user u2 identified by 'p2'")
    run(sys_root, f"restore account acc1 from pitr ap '{t}'")
    assert login_code(srv, "acc1#u1", "p1") == 0
    assert login_code(srv, "acc1#u2", "p2") == 1045
    assert login_code(srv, "acc1#root", "111") == 0


def test_cluster_restore_and_recreated_account_roll_users_back(env) -> None:
    srv, sys_root, acc1 = env
    run(sys_root, "create pitr cp for cluster range 1 'h'")
    time.sleep(0.02)
    run(acc1, "create user u1 identified by 'p1'")
    run(sys_root, "create user su1 identified by 's1'")
    t = instant()
    run(acc1, "drop user u1")
    run(acc1, "create user u2 identified by 'p2'")
    run(sys_root, "drop user su1")
    run(sys_root, f"restore cluster from pitr cp '{t}'")
    assert login_code(srv, "acc1#u1", "p1") == 0 and login_code(srv, "acc1#u2", "p2") == 1045
    assert login_code(srv, "sys#su1", "s1") == 0 and login_code(srv, "root", "111") == 0
    # a dropped account restored in place from the cluster PITR comes back with its users as of t
    run(sys_root, "drop account acc1")
    assert login_code(srv, "acc1#u1", "p1") == 1045
    run(sys_root, f"restore account acc1 from pitr cp '{t}' as acc1")
    assert login_code(srv, "acc1#u1", "p1") == 0 and login_code(srv, "acc1#root", "111") == 0
    assert login_code(srv, "acc1#u2", "p2") == 1045
