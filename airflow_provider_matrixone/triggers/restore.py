"""MatrixOneRestoreVerificationTrigger: the deferrable side of the restore-verification sensor.

Serialises only strings and numbers (the reference travels as JSON text), resolves the connection
with ``get_async_connection`` and runs the blocking DB-API reads in a thread, so the triggerer's
event loop never blocks.
"""

from __future__ import annotations

import asyncio
import importlib
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from airflow.triggers.base import BaseTrigger, TriggerEvent

__all__ = ["MatrixOneRestoreVerificationTrigger"]

READ_TIMEOUT = 300.0  # seconds one verification statement may take (same default as the sensor)



def _import_workers() -> None:
    """Import what the trigger runs (the verification domain, the MySQL provider, the drivers: about
    0.4 s) on a thread: an import on the triggerer's event loop blocks every other DAG's triggers."""
    for name in ("airflow_provider_matrixone.operators._common", "airflow_provider_matrixone.sql_io.capture",
                 "airflow_provider_matrixone.hooks.matrixone", "airflow.providers.common.compat.connection"):
        importlib.import_module(name)

class MatrixOneRestoreVerificationTrigger(BaseTrigger):
    """Poll the scope until it matches the reference (success) or differs past the grace (failure).

    :param conn_id: connection that reads the restored scope.
    :param reference: ``Reference.to_json()`` text.
    :param poke_interval: seconds between checks.
    :param mismatch_grace: seconds after ``started_at`` during which a mismatch still means wait.
    :param started_at: epoch seconds when the sensor started (the grace is measured from it).
    """

    def __init__(
        self,
        *,
        conn_id: str,
        reference: str,
        poke_interval: float = 30.0,
        mismatch_grace: float = 0.0,
        started_at: float | None = None,
    ) -> None:
        super().__init__()
        self.conn_id = str(conn_id)
        self.reference = str(reference)
        self.poke_interval = float(poke_interval)
        self.mismatch_grace = float(mismatch_grace)
        self.started_at = float(started_at if started_at is not None else time.time())

    def serialize(self) -> tuple[str, dict[str, Any]]:
        return (
            f"{type(self).__module__}.{type(self).__qualname__}",
            {
                "conn_id": self.conn_id,
                "reference": self.reference,
                "poke_interval": self.poke_interval,
                "mismatch_grace": self.mismatch_grace,
                "started_at": self.started_at,
            },
        )

    async def _hook(self) -> Any:
        from airflow.providers.common.compat.connection import get_async_connection

        from airflow_provider_matrixone.hooks.matrixone import MatrixOneHook  # imported by run() on a thread

        conn = await get_async_connection(self.conn_id, hook=MatrixOneHook)
        # a bounded read: a hung server must not block a triggerer thread past the task's timeout
        return MatrixOneHook(matrixone_conn_id=self.conn_id, connection=conn, read_timeout=READ_TIMEOUT)

    async def run(self) -> AsyncIterator[TriggerEvent]:
        # Only awaits on the loop: imports, parsing the reference (about 1 MB for a 3,000-table
        # account), the reads and building the report run in threads, so a large restore does not
        # stall every other trigger (tests/sensors/test_trigger_event_loop.py).
        await asyncio.to_thread(_import_workers)
        from airflow_provider_matrixone.operators._common import is_unreachable
        from airflow_provider_matrixone.pitr import errors
        from airflow_provider_matrixone.pitr.verify import Reference

        try:
            reference = await asyncio.to_thread(Reference.from_dict, self.reference)
            hook = await self._hook()
        except Exception as exc:  # a bad payload or connection: report it, the task decides
            yield TriggerEvent({"status": "error", "message": f"{type(exc).__name__}: {exc}"})
            return
        polls = 0
        while True:
            polls += 1
            try:
                poll = await asyncio.to_thread(_poll, hook, reference)
            except errors.MatrixOneError as exc:
                if not is_unreachable(exc):
                    yield TriggerEvent({"status": "error", "message": f"{type(exc).__name__}: {exc}"})
                    return
                self.log.warning("cannot reach MatrixOne (%s); retrying in %.1f s", exc, self.poke_interval)
                await asyncio.sleep(self.poke_interval)
                continue
            except Exception as exc:  # transient (server restarting, network): keep polling
                self.log.warning("verification read failed (%s); retrying in %.1f s", exc, self.poke_interval)
                await asyncio.sleep(self.poke_interval)
                continue
            self.log.info("poll %d: %s", polls, poll.summary)
            if poll.status == "pass":
                yield TriggerEvent({"status": "success", "report": poll.report, "polls": polls})
                return
            if poll.status == "fail" and time.time() - self.started_at >= self.mismatch_grace:
                yield TriggerEvent({"status": "failure", "report": poll.report, "polls": polls,
                                    "message": poll.problems})
                return
            await asyncio.sleep(self.poke_interval)


@dataclass(frozen=True)
class _Poll:
    """One comparison, already rendered (in the worker thread) for the loop to log and send."""

    status: str
    summary: str
    report: dict[str, Any]
    problems: str


def _poll(hook: Any, reference: Any) -> _Poll:
    """Read the scope and compare it with the reference; runs in a thread (reads, comparison, rendering)."""
    from airflow_provider_matrixone.sql_io.capture import verify

    report = verify(hook, reference)
    problems = report.render(only_problems=True) if report.status == "fail" else ""
    return _Poll(report.status, report.summary(), report.to_dict(), problems)
