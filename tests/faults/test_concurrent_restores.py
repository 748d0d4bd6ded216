"""Two restore runs on the same scope at once (two DAG runs, two instants).

The second must wait or be refused with a clear message; the data is never interleaved: the
account ends exactly at one of the two instants, and a run that reports success has checked
that the scope holds *its* instant.
"""

from __future__ import annotations

import os
import threading
import time
from typing import Any

import pendulum
import pytest

from tests.faults.support import TENANT_PASSWORD, make_account, set_connection, sql, state
from tests.operators.support import context


def _instant() -> str:
    time.sleep(0.05)
    t = pendulum.now("UTC").isoformat()
    time.sleep(0.05)
    return t


@pytest.mark.parametrize("round_", range(3))
def test_two_concurrent_restores_never_interleave(mo_server: Any, round_: int) -> None:
    from airflow_provider_matrixone.operators.restore import MatrixOnePITRRestoreOperator

    acc = f"concacc{round_}"
    user = f"{acc}#admin"
    make_account(mo_server, acc, tables=3, rows=3000)
    sql(mo_server, user, TENANT_PASSWORD, ["create pitr p_acc for account range 1 'd'"])
    time.sleep(1.05)
    t1, s1 = _instant(), state(mo_server, acc)
    sql(mo_server, user, TENANT_PASSWORD, ["delete from db1.t0 where id < 1000", "drop table db1.t2"])
    t2, s2 = _instant(), state(mo_server, acc)
    sql(mo_server, user, TENANT_PASSWORD, ["drop table db1.t1", "create table db1.late (id int primary key)"])
    conn_id = set_connection(f"conc_{acc}", mo_server.host, mo_server.port, user, TENANT_PASSWORD)
    outcomes: dict[str, Any] = {}
    barrier = threading.Barrier(2)

    def run(name: str, t: str) -> None:
        op = MatrixOnePITRRestoreOperator(task_id="restore", pitr_name="p_acc", timestamp=t, level="account",
                                          matrixone_conn_id=conn_id)
        barrier.wait()
        try:
            outcomes[name] = op.execute(context(run_id=f"run_{name}_{round_}"))
        except Exception as exc:  # noqa: BLE001 - inspected below
            outcomes[name] = exc

    threads = [threading.Thread(target=run, args=(n, t), daemon=True) for n, t in (("t1", t1), ("t2", t2))]
    for th in threads:
        th.start()
    for th in threads:
        th.join(timeout=60)
    assert not any(th.is_alive() for th in threads)
    final = state(mo_server, acc)
    assert final in (s1, s2), f"interleaved state: {final}"
    expected = {"t1": s1, "t2": s2}
    for name, outcome in outcomes.items():
        if isinstance(outcome, Exception):
            assert "restore" in str(outcome).lower() and len(str(outcome)) > 20, outcome
        else:
            # success is only reported after the scope was checked against this run's instant
            assert outcome["check"]["status"] == "pass", (name, outcome["check"])
    assert any(not isinstance(o, Exception) for o in outcomes.values()), outcomes
    winners = [n for n, o in outcomes.items() if not isinstance(o, Exception)]
    assert final in [expected[n] for n in winners], "the last restore to land must be one that reported success"
    sql(mo_server, "root", os.environ["MO_TEST_PASSWORD"], [f"drop account if exists {acc}"])


def test_a_write_between_restore_and_check_fails_the_run(mo_server: Any) -> None:
    """A writer changes the scope right after the RESTORE: the operator must not report success."""
    from airflow_provider_matrixone.operators.restore import MatrixOnePITRRestoreOperator
    from tests.support.proxy import Proxy

    acc = "concwriter"
    user = f"{acc}#admin"
    make_account(mo_server, acc, tables=2, rows=500)
    sql(mo_server, user, TENANT_PASSWORD, ["create pitr p_acc for account range 1 'd'"])
    time.sleep(1.05)
    t = _instant()
    sql(mo_server, user, TENANT_PASSWORD, ["drop table db1.t1"])
    slow = Proxy(mo_server.port, delay=0.2)  # the verifying connection is slow: the writer gets in first
    direct = set_connection(f"conc_{acc}", mo_server.host, mo_server.port, user, TENANT_PASSWORD)
    verify_conn = set_connection(f"conc_{acc}_slow", "127.0.0.1", slow.port, user, TENANT_PASSWORD)
    mark = len(mo_server.statement_log.entries)
    stop = threading.Event()

    def writer() -> None:
        deadline = time.monotonic() + 30
        while not stop.is_set() and time.monotonic() < deadline:
            if any(e["sql"].upper().startswith("RESTORE") for e in mo_server.statement_log.entries[mark:]):
                sql(mo_server, user, TENANT_PASSWORD, ["delete from db1.t0 where id < 10"])
                return
            time.sleep(0.005)

    thread = threading.Thread(target=writer, daemon=True)
    thread.start()
    try:
        op = MatrixOnePITRRestoreOperator(task_id="restore", pitr_name="p_acc", timestamp=t, level="account",
                                          matrixone_conn_id=direct, verify_conn_id=verify_conn,
                                          safety_snapshot=False)
        with pytest.raises(Exception, match="restore issued but the scope does not match the state at T"):
            op.execute(context(run_id="writer"))
    finally:
        stop.set()
        thread.join(timeout=30)
        slow.close()
    assert state(mo_server, acc)["db1.t0"][0] == 490
    sql(mo_server, "root", os.environ["MO_TEST_PASSWORD"], [f"drop account if exists {acc}"])
