"""kill -9 of `matrixone-lite serve` during restores and during committed inserts.

Restore trials: 20 accounts are prepared once (PITR, instant T, an incident after T). Each trial
starts MatrixOnePITRRestoreOperator on one account and SIGKILLs the server at a random point:
either at a random time into the operator's run, or a random delay after the RESTORE statement
reached the server's statement log. After a restart the account must be exactly its pre-restore
state or its state at T (never a mix), and the operator's retry (try 2) must converge to T,
issuing the RESTORE only if it had not landed.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pendulum
import pymysql
import pytest

from tests.faults.support import (
    ROOT_PASSWORD,
    TENANT_PASSWORD,
    make_account,
    set_connection,
    sql,
    state,
)
from tests.operators.support import context
from tests.support.serve import ServeProcess

TRIALS = 20
SUMMARY: dict[str, Any] = {}


@pytest.fixture(scope="module")
def lite(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServeProcess]:
    proc = ServeProcess(tmp_path_factory.mktemp("kill9"), log_level="ERROR", statement_log=True).start()
    try:
        yield proc
    finally:
        proc.close()


@pytest.fixture(scope="module")
def prepared(lite: ServeProcess) -> dict[str, Any]:
    """TRIALS accounts, each with an account PITR, T, and an incident after T."""
    accounts = [f"k9acc{i}" for i in range(TRIALS)]
    for acc in accounts:
        make_account(lite, acc, tables=3, rows=3000)
        sql(lite, f"{acc}#admin", TENANT_PASSWORD, ["create pitr p_acc for account range 1 'd'"])
    at_t = {acc: state(lite, acc) for acc in accounts}
    time.sleep(1.1)  # SHOW PITR has whole seconds: T after the creation second
    t = pendulum.now("UTC")
    time.sleep(0.05)
    for acc in accounts:
        sql(lite, f"{acc}#admin", TENANT_PASSWORD, [
            "delete from db1.t0 where id % 3 = 0", "drop table db1.t1", "update db1.t2 set v = 'x' where id < 10",
            "insert into db1.t2 values (100000, 'after')", "create table db1.extra (id int primary key)",
            "insert into db1.extra values (1)"])
    return {"accounts": accounts, "at_t": at_t, "t": t.isoformat()}


def _operator(conn_id: str, t: str) -> Any:
    from airflow_provider_matrixone.operators.restore import MatrixOnePITRRestoreOperator

    return MatrixOnePITRRestoreOperator(task_id="restore", pitr_name="p_acc", timestamp=t, level="account",
                                        matrixone_conn_id=conn_id)


def _restores(statements: list[str]) -> int:
    return sum(1 for s in statements if s.lstrip().upper().startswith("RESTORE"))


def _wait_for_restore(lite: ServeProcess, mark: int, deadline: float) -> bool:
    while time.monotonic() < deadline:
        if _restores(lite.statements()[mark:]):
            return True
        time.sleep(0.002)
    return False


@pytest.mark.parametrize("trial", range(TRIALS))
def test_kill9_during_restore_then_retry_converges(lite: ServeProcess, prepared: dict[str, Any], trial: int) -> None:
    rng = random.Random(trial)
    acc = prepared["accounts"][trial]
    at_t = prepared["at_t"][acc]
    pre = state(lite, acc)
    assert pre != at_t
    conn_id = set_connection(f"k9_{acc}", lite.host, lite.port, f"{acc}#admin", TENANT_PASSWORD)
    outcome: dict[str, Any] = {}

    def first_try() -> None:
        try:
            outcome["result"] = _operator(conn_id, prepared["t"]).execute(context(try_number=1, run_id="k9"))
        except BaseException as exc:  # noqa: BLE001 - inspected below
            outcome["error"] = exc

    mark = len(lite.statements())
    worker = threading.Thread(target=first_try, daemon=True)
    started = time.monotonic()
    worker.start()
    if trial % 2 == 0:
        time.sleep(rng.uniform(0.0, 0.6))  # anywhere in the operator's run (plan, snapshot, restore, check)
        point = f"{time.monotonic() - started:.3f}s into the run"
    else:
        seen = _wait_for_restore(lite, mark, started + 20)
        delay = rng.uniform(0.0, 0.15)
        time.sleep(delay)
        point = f"{delay * 1000:.0f} ms after the RESTORE arrived" if seen else "RESTORE never sent"
    lite.kill9()
    worker.join(timeout=60)
    assert not worker.is_alive(), "the operator hung after the server died"

    lite.start()
    after_restart = state(lite, acc)
    landed = after_restart == at_t
    assert landed or after_restart == pre, f"mixed state after kill -9 ({point}): {after_restart}"
    if "result" in outcome:  # it finished before the kill: must have reported the restored state
        assert landed and outcome["result"]["check"]["status"] == "pass"
    else:
        assert "error" in outcome

    set_connection(conn_id, lite.host, lite.port, f"{acc}#admin", TENANT_PASSWORD)
    mark = len(lite.statements())
    result = _operator(conn_id, prepared["t"]).execute(context(try_number=2, run_id="k9"))
    issued = _restores(lite.statements()[mark:])
    assert state(lite, acc) == at_t
    assert result["check"]["status"] == "pass"
    assert issued == (0 if landed else 1), f"retry issued {issued} RESTORE(s), landed before retry: {landed}"
    SUMMARY.setdefault("trials", []).append({"trial": trial, "point": point, "landed_before_retry": landed,
                                             "finished_before_kill": "result" in outcome, "retry_restores": issued})


def test_kill9_during_committed_inserts_loses_no_acknowledged_row(tmp_path: Path) -> None:
    """Three kills into a stream of autocommit INSERTs: every acknowledged row survives."""
    lite = ServeProcess(tmp_path, log_level="ERROR", statement_log=True).start()
    try:
        sql(lite, "root", ROOT_PASSWORD, ["create database ins", "create table ins.t (id int primary key, v int)"])
        acknowledged: list[int] = []
        next_id = 0
        for round_ in range(3):
            stop = threading.Event()

            conn = pymysql.connect(host=lite.host, port=lite.port, user="root", password=ROOT_PASSWORD,
                                   database="ins", autocommit=True, connect_timeout=5, read_timeout=10)

            def writer(conn: Any = conn, stop: threading.Event = stop) -> None:
                nonlocal next_id
                try:
                    with conn.cursor() as cur:
                        while not stop.is_set():
                            next_id += 1
                            cur.execute("insert into t values (%s, %s)", (next_id, next_id * 7))
                            acknowledged.append(next_id)  # only after the server said OK
                except Exception:  # noqa: BLE001 - the kill ends the stream
                    return

            thread = threading.Thread(target=writer, daemon=True)
            thread.start()
            time.sleep(random.Random(round_).uniform(0.2, 0.5))
            lite.kill9()
            stop.set()
            thread.join(timeout=20)
            assert not thread.is_alive()
            if conn.open:
                conn.close()
            lite.start()
            rows = {r[0]: r[1] for r in sql(lite, "root", ROOT_PASSWORD, ["select id, v from ins.t"])}
            missing = [i for i in acknowledged if rows.get(i) != i * 7]
            assert missing == [], f"round {round_}: {len(missing)} acknowledged rows lost"
            assert len(acknowledged) > 10  # the stream really ran
        SUMMARY["insert_rounds"] = 3
        SUMMARY["acknowledged_rows"] = len(acknowledged)
    finally:
        lite.close()


def test_kill9_trials_hit_both_sides_of_the_restore() -> None:
    """The random kill points must cover kills before and after the RESTORE landed, or the trials prove little."""
    trials = SUMMARY.get("trials", [])
    if len(trials) < TRIALS:
        pytest.skip("runs after the kill -9 trials only")
    print(f"\nkill -9 trials: {len(trials)}; landed before retry: {sum(t['landed_before_retry'] for t in trials)}; "
          f"finished before kill: {sum(t['finished_before_kill'] for t in trials)}; "
          f"retry RESTOREs: {sum(t['retry_restores'] for t in trials)}")
    for t in trials:
        print(f"  trial {t['trial']:>2}: kill {t['point']}, landed={t['landed_before_retry']}, "
              f"retry RESTOREs={t['retry_restores']}")
    if "acknowledged_rows" in SUMMARY:
        print(f"kill -9 during inserts: {SUMMARY['insert_rounds']} kills, {SUMMARY['acknowledged_rows']} acknowledged "
              f"rows, 0 lost")
    assert any(t["landed_before_retry"] for t in trials)
    assert any(not t["landed_before_retry"] for t in trials)
