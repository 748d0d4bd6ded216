"""Network faults between Airflow and MatrixOne: cut connections, refused, black-holed and slow servers.

The restore operator and the verification sensor must recover or fail with a clear message, and
never report success on a wrong state. All traffic goes through proxies on 127.0.0.1.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterator
from typing import Any

import pendulum
import pytest
from airflow.sdk.exceptions import AirflowException, AirflowSensorTimeout

from tests.faults.support import TENANT_PASSWORD, make_account, set_connection, sql, state
from tests.operators.support import context
from tests.support.proxy import Proxy, free_port

_n = itertools.count(1)


@pytest.fixture
def scenario(mo_server: Any) -> Iterator[dict[str, Any]]:
    """A fresh account with an account PITR, its state at T, and an incident after T."""
    acc = f"netacc{next(_n)}"
    make_account(mo_server, acc, tables=2, rows=400)
    sql(mo_server, f"{acc}#admin", TENANT_PASSWORD, ["create pitr p_acc for account range 1 'd'"])
    at_t = state(mo_server, acc)
    time.sleep(1.05)
    t = pendulum.now("UTC")
    time.sleep(0.05)
    sql(mo_server, f"{acc}#admin", TENANT_PASSWORD, ["delete from db1.t0 where id < 100", "drop table db1.t1"])
    proxies: list[Proxy] = []
    yield {"acc": acc, "at_t": at_t, "pre": state(mo_server, acc), "t": t.isoformat(), "proxies": proxies}
    for p in proxies:
        p.close()
    sql(mo_server, "root", __import__("os").environ["MO_TEST_PASSWORD"], [f"drop account if exists {acc}"])


def _conn(sc: dict[str, Any], port: int, **extra: Any) -> str:
    return set_connection(f"net_{sc['acc']}_{port}", "127.0.0.1", port, f"{sc['acc']}#admin", TENANT_PASSWORD,
                          **extra)


def _proxy(sc: dict[str, Any], server: Any, **kw: Any) -> Proxy:
    proxy = Proxy(server.port, **kw)
    sc["proxies"].append(proxy)
    return proxy


def _restore_op(conn_id: str, sc: dict[str, Any], **kw: Any) -> Any:
    from airflow_provider_matrixone.operators.restore import MatrixOnePITRRestoreOperator

    return MatrixOnePITRRestoreOperator(task_id="restore", pitr_name="p_acc", timestamp=sc["t"], level="account",
                                        matrixone_conn_id=conn_id, **kw)


def _sensor(conn_id: str, reference: Any, **kw: Any) -> Any:
    from airflow_provider_matrixone.sensors.restore import MatrixOneRestoreVerificationSensor

    kw.setdefault("poke_interval", 0.1)
    kw.setdefault("timeout", 1.5)
    return MatrixOneRestoreVerificationSensor(task_id="verify", reference=reference, matrixone_conn_id=conn_id,
                                              **kw)


def _restores_since(server: Any, mark: int) -> int:
    return sum(1 for e in server.statement_log.entries[mark:] if e["sql"].lstrip().upper().startswith("RESTORE"))


def test_cut_after_the_restore_reached_the_server_recovers(scenario: dict[str, Any], mo_server: Any) -> None:
    proxy = _proxy(scenario, mo_server, cut_on=b"RESTORE ", forward_cut=True)
    out = _restore_op(_conn(scenario, proxy.port), scenario).execute(context())
    assert proxy.fired.is_set()
    assert out["restore"] == {"issued": True, "connection_lost": True}
    assert out["check"]["status"] == "pass"
    assert state(mo_server, scenario["acc"]) == scenario["at_t"]


def test_cut_before_the_restore_reached_the_server_fails_clearly_then_retry_converges(
        scenario: dict[str, Any], mo_server: Any) -> None:
    proxy = _proxy(scenario, mo_server, cut_on=b"RESTORE ", forward_cut=False)
    mark = len(mo_server.statement_log.entries)
    with pytest.raises(AirflowException, match="connection lost during the RESTORE and the scope does not match"):
        _restore_op(_conn(scenario, proxy.port), scenario).execute(context())
    assert _restores_since(mo_server, mark) == 0
    assert state(mo_server, scenario["acc"]) == scenario["pre"]
    mark = len(mo_server.statement_log.entries)
    out = _restore_op(_conn(scenario, mo_server.port), scenario).execute(context(try_number=2))
    assert _restores_since(mo_server, mark) == 1
    assert out["check"]["status"] == "pass" and state(mo_server, scenario["acc"]) == scenario["at_t"]


def _reference(scenario: dict[str, Any], mo_server: Any) -> dict[str, Any]:
    """Restore directly (no proxy) and return the operator's XCom: the sensor's expectation."""
    op = _restore_op(_conn(scenario, mo_server.port), scenario, safety_snapshot=False)
    return dict(op.execute(context()))


def test_cut_during_verification_never_passes_a_wrong_state(scenario: dict[str, Any], mo_server: Any) -> None:
    """The first poke's connection is cut; later pokes read the truth: a wrong state never passes."""
    result = _reference(scenario, mo_server)
    sql(mo_server, f"{scenario['acc']}#admin", TENANT_PASSWORD, ["delete from db1.t0 where id = 150"])
    proxy = _proxy(scenario, mo_server, cut_on=b"count(", forward_cut=False)
    with pytest.raises(Exception, match="restore verification failed") as err:
        _sensor(_conn(scenario, proxy.port), result, timeout=10).execute(context())
    assert proxy.fired.is_set()
    assert "db1.t0" in str(err.value)


def test_cut_during_verification_of_a_right_state_recovers(scenario: dict[str, Any], mo_server: Any) -> None:
    result = _reference(scenario, mo_server)
    proxy = _proxy(scenario, mo_server, cut_on=b"count(", forward_cut=True)
    report = _sensor(_conn(scenario, proxy.port), result, timeout=10).execute(context())
    assert proxy.fired.is_set()
    assert report["status"] == "pass"


@pytest.mark.parametrize("fault", ["refused", "blackhole", "slow"])
def test_unreachable_or_slow_server_sensor_waits_then_times_out(scenario: dict[str, Any], mo_server: Any,
                                                                fault: str) -> None:
    """The restore has not happened (state != T): the sensor keeps waiting and fails on its timeout."""
    result = _reference(scenario, mo_server)
    sql(mo_server, f"{scenario['acc']}#admin", TENANT_PASSWORD, ["drop table db1.t1"])  # 'missing': keeps waiting
    if fault == "refused":
        port = free_port()
    elif fault == "blackhole":
        port = _proxy(scenario, mo_server, blackhole=True).port
    else:
        port = _proxy(scenario, mo_server, delay=0.05).port
    sensor = _sensor(_conn(scenario, port, connect_timeout=1), result, timeout=2, read_timeout=1)
    start = time.monotonic()
    with pytest.raises(AirflowSensorTimeout):
        sensor.execute(context())
    elapsed = time.monotonic() - start
    assert 2 <= elapsed < 8, elapsed


def test_slow_server_with_the_right_state_passes(scenario: dict[str, Any], mo_server: Any) -> None:
    result = _reference(scenario, mo_server)
    proxy = _proxy(scenario, mo_server, delay=0.05)
    report = _sensor(_conn(scenario, proxy.port), result, timeout=20).execute(context())
    assert report["status"] == "pass"


def test_deferred_trigger_rides_out_a_cut_connection(scenario: dict[str, Any], mo_server: Any) -> None:
    """The triggerer's poll loop treats a cut connection like the sensor: poll again, then pass."""
    import asyncio

    from airflow_provider_matrixone.triggers.restore import MatrixOneRestoreVerificationTrigger

    result = _reference(scenario, mo_server)
    proxy = _proxy(scenario, mo_server, cut_on=b"count(", forward_cut=False)
    reference = _sensor(_conn(scenario, proxy.port), result).build_reference().to_json()
    trigger = MatrixOneRestoreVerificationTrigger(conn_id=_conn(scenario, proxy.port), reference=reference,
                                                  poke_interval=0.1)

    async def first_event() -> dict[str, Any]:
        async for event in trigger.run():
            return dict(event.payload)
        raise AssertionError("trigger ended without an event")

    event = asyncio.run(asyncio.wait_for(first_event(), timeout=30))
    assert proxy.fired.is_set()
    assert event["status"] == "success" and event["polls"] >= 2, event


def test_deferred_trigger_is_not_hung_by_a_black_holed_server(scenario: dict[str, Any], mo_server: Any,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """A server that accepts and never answers: each poll gives up after the read timeout, and the
    trigger passes once the server answers again (without a read timeout the first poll hangs)."""
    import asyncio
    import threading

    from airflow_provider_matrixone.triggers import restore as trig

    monkeypatch.setattr(trig, "READ_TIMEOUT", 1.0)
    result = _reference(scenario, mo_server)
    proxy = _proxy(scenario, mo_server, blackhole=True)
    conn_id = _conn(scenario, proxy.port, connect_timeout=1)
    reference = _sensor(_conn(scenario, mo_server.port), result).build_reference().to_json()
    trigger = trig.MatrixOneRestoreVerificationTrigger(conn_id=conn_id, reference=reference, poke_interval=0.1)
    heal = threading.Timer(1.5, lambda: setattr(proxy, "blackhole", False))
    heal.start()

    async def first_event() -> dict[str, Any]:
        async for event in trigger.run():
            return dict(event.payload)
        raise AssertionError("trigger ended without an event")

    try:
        event = asyncio.run(asyncio.wait_for(first_event(), timeout=20))
    finally:
        heal.cancel()
    assert event["status"] == "success" and event["polls"] >= 2, event
