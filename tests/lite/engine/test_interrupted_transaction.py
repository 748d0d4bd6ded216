"""A statement interrupted inside an explicit transaction must not silently lose the transaction's
earlier writes.

SQLite rolls back the *whole* transaction when an INSERT/UPDATE/DELETE inside it is interrupted
(``sqlite3_interrupt``), while the session still believes its transaction is open: COMMIT would then
acknowledge rows that are gone. The transaction's statement log (kept for replay after a detach) lets
the engine rebuild it instead.
"""

from __future__ import annotations

from typing import Any

import pymysql
import pytest

from tests.lite.conftest import connect, run

RUNAWAY_INSERT = (
    "insert into t (id, v) "
    "with recursive c(n) as (select 1000 union all select n + 1 from c) select n, 'x' from c"
)


@pytest.mark.parametrize("statement", [RUNAWAY_INSERT])
def test_rows_written_before_an_interrupted_statement_survive_commit(lite_server: Any, statement: str) -> None:
    srv = lite_server()
    conn = connect(srv, autocommit=False)
    run(conn, "create database dbi")
    run(conn, "create table dbi.t (id int primary key, v varchar(10))")
    conn.commit()
    run(conn, "use dbi")
    run(conn, "begin")
    run(conn, "insert into t values (1, 'a'), (2, 'b')")
    run(conn, "set max_execution_time = 300")
    with pytest.raises(pymysql.err.OperationalError):
        run(conn, statement)
    run(conn, "set max_execution_time = 0")
    run(conn, "insert into t values (3, 'c')")
    run(conn, "commit")
    other = connect(srv)
    assert run(other, "select id, v from dbi.t order by id") == [(1, "a"), (2, "b"), (3, "c")]
