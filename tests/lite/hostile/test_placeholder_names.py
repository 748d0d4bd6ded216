"""A client cannot reach another table through a name that looks like one of the engine's placeholders.

Found in review: a hinted subquery's result column is named after the rewritten text, which shows the
per-process placeholder of a hinted table (`` `__mohint<nonce>_0` ``). A tenant admin could then create a
table with that name, grant an application role SELECT on it only, and the application login could read
another table at T through it: the privilege check saw the placeholder-named table, the translator read
the statement's hinted table in that database (``p.u``, which the role cannot read). Now a client's own
identifier with the prefix is refused in any statement with hints, and a string holding a reference
placeholder (``__mo_ph_``) is never filled.
"""

from __future__ import annotations

import time

import pymysql
import pytest

from matrixone_lite.server import LiteServer
from tests.lite.conftest import connect, run


@pytest.fixture
def srv(lite_server) -> LiteServer:
    server = lite_server()
    run(connect(server), "create account acc1 admin_name 'admin' identified by '111'")
    a = connect(server, user="acc1#admin")
    for s in ["create database p", "create database q", "create table p.u (id int primary key, v varchar(10))",
              "insert into p.u values (1, 'secret1')", "create table q.u (id int primary key, v varchar(10))",
              "insert into q.u values (7, 'public')"]:
        run(a, s)
    return server


def _placeholder(conn: pymysql.Connection, ts: int) -> str:
    with conn.cursor() as cur:
        cur.execute(f"select (select 1 from q.u {{MO_TS = {ts}}})")
        name = cur.description[0][0]
    assert "__mohint" in name  # the leak this test relies on (cosmetic; MatrixOne would print the original)
    return name.split("`")[1]


def test_a_placeholder_named_table_cannot_read_another_table_at_t(srv: LiteServer) -> None:
    a = connect(srv, user="acc1#admin")
    time.sleep(0.02)
    ts = time.time_ns()
    ph = _placeholder(a, ts)
    for s in [f"create table p.`{ph}` (id int primary key, v varchar(10))", "create role r_app",
              "grant select on table q.u to r_app", f"grant select on table p.`{ph}` to r_app",
              "create user app identified by '222' default role r_app"]:
        run(a, s)
    app = connect(srv, user="acc1#app", password="222")
    with pytest.raises(pymysql.MySQLError) as denied:
        run(app, "select v from p.u")
    assert "privilege" in str(denied.value.args[1])
    with pytest.raises(pymysql.MySQLError) as refused:
        run(app, f"select x.v, y.v from q.u {{MO_TS = {ts}}} as y, p.`{ph}` as x")
    assert refused.value.args[0] == 20105 and "reserved by matrixone_lite" in refused.value.args[1]
    # without a hint there is nothing to map it to: the table is an ordinary (empty) table
    assert run(app, f"select v from p.`{ph}`") == []


def test_a_string_holding_a_reference_placeholder_is_not_filled(srv: LiteServer) -> None:
    a = connect(srv, user="acc1#admin")
    time.sleep(0.02)
    ts = time.time_ns()
    ph = _placeholder(a, ts)
    ref = ph.replace("__mohint", "__mo_ph_")  # same nonce: __mo_ph_<nonce>_0 ...
    label = ref[: ref.rindex("_") + 1] + "0_"
    with pytest.raises(pymysql.MySQLError) as err:
        run(a, f"select '{label}', v from q.u {{MO_TS = {ts}}}")
    assert err.value.args[0] == 20105
    assert run(a, f"select v from q.u {{MO_TS = {ts}}}") == [("public",)]
