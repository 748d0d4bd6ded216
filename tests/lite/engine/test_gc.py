"""Garbage collection: never removes what a PITR window or a snapshot still needs; runs in the
background of a server and right after DROP PITR (over TCP)."""

from __future__ import annotations

import pytest

from matrixone_lite.engine import Engine
from matrixone_lite.errors import MOError

from ..conftest import connect as tcp_connect
from ..conftest import run as tcp_run
from .conftest import run

HOUR = 3600 * 10**9


def history_rows(engine: Engine) -> int:
    tables = [r[0] for r in engine.storage.execute_system(None, "SELECT name FROM sqlite_master WHERE name LIKE 'h\\_%' "
                                                          "ESCAPE '\\' AND type = 'table'")]
    return sum(engine.storage.execute_system(None, f"SELECT COUNT(*) FROM {t}")[0][0] for t in tables)  # noqa: S608


def test_every_instant_from_the_horizon_on_reads_the_same_after_gc(engine: Engine, connect) -> None:
    s = connect("acc1")
    run(s, "create database d; use d; create table t (id int primary key, v int)")
    marks: list[int] = []
    for i in range(12):
        s.execute(f"insert into t values ({i}, 0)")
        s.execute(f"update t set v = v + 1 where id <= {i}")
        if i % 3 == 0:
            s.execute(f"delete from t where id = {i // 2}")
        marks.append(engine.storage.now_ns())
    before = {ts: s.execute(f"select id, v from t {{MO_TS = {ts}}} order by id").rows for ts in marks}
    horizon = marks[5]  # e.g. the start of the oldest PITR window, or a snapshot's ts
    engine.storage.set_gc_horizon_provider(lambda: horizon)
    fake_now = marks[-1] + 10 * HOUR  # far beyond the 1 h TTL: only the provider protects history
    stats = engine.storage.gc(now_ns=fake_now)
    assert stats["horizon"] == horizon and stats["history_rows"] > 0
    for ts in marks[5:]:
        assert s.execute(f"select id, v from t {{MO_TS = {ts}}} order by id").rows == before[ts]
        assert s.execute(f"select count(*) from t {{MO_TS = {ts}}}").rows == [(len(before[ts]),)]
    for ts in marks[:5]:
        with pytest.raises(MOError, match="snapshot is too old"):
            s.execute(f"select count(*) from t {{MO_TS = {ts}}}")


def test_snapshot_instant_equal_to_a_commit_is_kept(engine: Engine, connect) -> None:
    s = connect("acc1")
    run(s, "create database d; use d; create table t (id int primary key, v int); insert into t values (1, 0)")
    s.execute("update t set v = 1 where id = 1")
    snap = s.storage.execute_system(None, "SELECT value FROM __mo_meta WHERE key = 'clock'")[0][0]
    snap_ts = int(snap)  # exactly the commit ts of v = 1 (the version v = 0 ended there)
    s.execute("update t set v = 2 where id = 1")
    s.execute("update t set v = 3 where id = 1")
    engine.storage.set_gc_horizon_provider(lambda: snap_ts)
    engine.storage.gc(now_ns=snap_ts + 5 * HOUR)
    assert s.execute(f"select v from t {{MO_TS = {snap_ts}}}").rows == [(1,)]
    assert history_rows(engine) == 2  # v = 1 and v = 2 are still readable from the horizon on


def test_without_provider_the_ttl_keeps_recent_history(engine: Engine, connect) -> None:
    s = connect("acc1")
    run(s, "create database d; use d; create table t (id int primary key, v int); insert into t values (1, 0)")
    mid = engine.storage.now_ns()
    s.execute("update t set v = 1 where id = 1")
    stats = engine.storage.gc()  # real clock: everything is younger than the 1 h TTL
    assert stats["history_rows"] == 0
    assert s.execute(f"select v from t {{MO_TS = {mid}}}").rows == [(0,)]


def test_background_runner_runs_on_request_and_stops_with_the_storage(engine: Engine) -> None:
    st = engine.storage
    st.request_gc()  # no runner yet: ignored
    st.start_gc(3600)
    runner = st.gc_runner
    assert runner is not None
    st.request_gc()
    assert runner.wait_runs(1, timeout=10)
    assert runner.last is not None and "history_rows" in runner.last
    st.request_gc()
    assert runner.wait_runs(2, timeout=10)


def test_dropped_pitr_lets_gc_collect_over_tcp(lite_server) -> None:
    srv = lite_server(gc_interval=3600)  # only DROP/ALTER PITR and DROP SNAPSHOT trigger a run here
    st = srv.engine.storage
    st.gc_ttl_ns = 0  # no grace period: only PITRs and snapshots protect history
    runner = st.gc_runner
    assert runner is not None
    root = tcp_connect(srv)
    tcp_run(root, "create pitr p1 for account range 1 'h'")
    tcp_run(root, "create database d")
    tcp_run(root, "create table d.t (id int primary key, v int)")
    tcp_run(root, "insert into d.t values (1, 0)")
    mid = st.now_ns()
    tcp_run(root, "update d.t set v = 1 where id = 1")
    tcp_run(root, "create snapshot s1 for account")
    tcp_run(root, "update d.t set v = 2 where id = 1")
    tcp_run(root, "alter pitr p1 range 2 'h'")  # triggers a run; the PITR still covers mid
    assert runner.wait_runs(1, timeout=10)
    assert tcp_run(root, f"select v from d.t {{MO_TS = {mid}}}") == [(0,)]
    tcp_run(root, "drop pitr p1")  # only the snapshot protects history now
    assert runner.wait_runs(2, timeout=10)
    assert runner.last is not None and runner.last["history_rows"] == 1  # v = 0, ended before s1
    with pytest.raises(Exception, match="snapshot is too old"):
        tcp_run(root, f"select v from d.t {{MO_TS = {mid}}}")
    assert tcp_run(root, "select v from d.t {SNAPSHOT = 's1'}") == [(1,)]
    tcp_run(root, "drop snapshot s1")
    assert runner.wait_runs(3, timeout=10)
    assert runner.last is not None and runner.last["history_rows"] == 1  # v = 1
    assert tcp_run(root, "select v from d.t") == [(2,)]
    root.close()
