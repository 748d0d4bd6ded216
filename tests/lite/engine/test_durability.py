"""Durability: data survives a restart and a SIGKILL right after commit."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from decimal import Decimal
from pathlib import Path

from matrixone_lite.engine import Engine


def test_restart_keeps_data_and_history(tmp_path: Path) -> None:
    e = Engine(tmp_path, timezone="UTC")
    s = e.session("sys", "root")
    for q in ["create database d", "use d", "create table t (id int primary key, p decimal(8,3))",
              "insert into t values (1, 1.5)"]:
        s.execute(q)
    ts = e.storage.now_ns()
    s.execute("update t set p = 2.25 where id = 1")
    s.begin()
    s.execute("insert into t values (2, 0)")  # never committed
    e.close()
    e2 = Engine(tmp_path, timezone="UTC")
    s2 = e2.session("sys", "root")
    assert s2.execute("select * from d.t").rows == [(1, Decimal("2.250"))]
    assert s2.execute(f"select p from d.t {{MO_TS = {ts}}}").rows == [(Decimal("1.500"),)]
    assert e2.storage.now_ns() > ts
    s2.execute("insert into d.t values (3, 3)")
    rows = e2.storage.execute_system(None, "select __mo_ts from t_1 order by __mo_ts")
    assert rows == sorted(rows) and rows[-1][0] > ts  # clock continues after restart
    e2.close()


def test_sigkill_after_commit_keeps_data(tmp_path: Path) -> None:
    script = textwrap.dedent(
        f"""
        import sys, time
        from matrixone_lite.engine import Engine
        e = Engine({str(tmp_path)!r}, timezone="UTC")
        s = e.session("sys", "root")
        s.execute("create database d")
        s.execute("create table d.t (id int primary key, v varchar(20))")
        s.execute("insert into d.t values (1, 'committed'), (2, 'also')")
        s.begin()
        s.execute("insert into d.t values (3, 'uncommitted')")
        print("ready", flush=True)
        time.sleep(60)
        """
    )
    root = Path(__file__).resolve().parents[3]
    env = {**os.environ, "PYTHONPATH": str(root)}
    p = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, env=env, text=True)
    try:
        assert p.stdout is not None
        assert p.stdout.readline().strip() == "ready"
    finally:
        p.send_signal(signal.SIGKILL)
        p.wait(10)
    e = Engine(tmp_path, timezone="UTC")
    s = e.session("sys", "root")
    assert s.execute("select id, v from d.t order by id").rows == [(1, "committed"), (2, "also")]
    s.execute("insert into d.t values (3, 'after')")
    e.close()


def test_sigkill_in_the_middle_of_a_restore_leaves_the_old_state(tmp_path: Path) -> None:
    script = textwrap.dedent(
        f"""
        import time
        from matrixone_lite.engine import Engine
        e = Engine({str(tmp_path)!r}, timezone="UTC")
        s = e.session("sys", "root")
        s.execute("create database d")
        s.execute("create table d.t (id int primary key)")
        s.execute("insert into d.t values (1), (2), (3)")
        ts = e.storage.now_ns()
        s.execute("drop database d")
        st = e.storage
        with st.transaction() as tx:
            st.restore_database(tx, src_account_id=0, database="d", at=ts, dst_account_id=0)
            print("mid-restore", flush=True)
            time.sleep(60)
        """
    )
    root = Path(__file__).resolve().parents[3]
    env = {**os.environ, "PYTHONPATH": str(root)}
    p = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, env=env, text=True)
    try:
        assert p.stdout is not None
        assert p.stdout.readline().strip() == "mid-restore"
    finally:
        p.send_signal(signal.SIGKILL)
        p.wait(10)
    e = Engine(tmp_path, timezone="UTC")
    s = e.session("sys", "root")
    assert ("d",) not in s.execute("show databases").rows  # the restore never happened
    e.close()
