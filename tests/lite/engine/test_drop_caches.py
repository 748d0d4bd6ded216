"""``Engine.drop_caches`` (used by ``bench/verify_proof.py`` so each compared mode starts cold) forgets
the engine's caches without changing any answer, and really empties what it says it does."""

from __future__ import annotations

import time

from matrixone_lite.execution import templates
from matrixone_lite.mo import privilege_check
from matrixone_lite.server import LiteServer
from tests.lite.conftest import connect, run


def test_answers_are_the_same_after_dropping_the_caches(lite_server) -> None:
    srv: LiteServer = lite_server()
    c = connect(srv)
    run(c, "create database d")
    run(c, "create table d.t (id int primary key, v decimal(38,10))")
    run(c, "insert into d.t values (1, 1.5), (2, 0.0000000001)")
    at = run(c, "select current_timestamp(6)")[0][0]
    run(c, "update d.t set v = v + 1")
    statements = ["select count(*) from d.t", "select id, v from d.t order by id",
                  f"select id, v from d.t {{MO_TS = {int(at.timestamp() * 1e9)}}} order by id",
                  "select table_name from information_schema.tables where table_schema = 'd'"]
    before = [run(c, s) for s in statements]
    c.close()
    engine = srv.engine
    assert engine is not None
    assert engine.count_plans and templates._templates  # (privilege needs: only non-admin roles fill them)
    deadline = time.monotonic() + 10
    while not engine.storage._pool and time.monotonic() < deadline:  # the server ends the session in its thread
        time.sleep(0.01)
    assert engine.storage._pool  # the closed session's connection went back to the pool
    engine.drop_caches()
    assert not engine.count_plans and not templates._templates and not privilege_check._needs_cache
    assert not engine.storage._pool
    c = connect(srv)
    assert [run(c, s) for s in statements] == before
