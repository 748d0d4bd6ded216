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
from typing import Any

from airflow.triggers.base import BaseTrigger, TriggerEvent

__all__ = ["MatrixOneRestoreVerificationTrigger"]

READ_TIMEOUT = 300.0  # seconds one verification statement may take (same default as the sensor)



def _import_workers() -> None:
    """Import what the trigger runs (the verification domain, the MySQL provider, the drivers: about
    0.4 s) on a thread: an import on the triggerer's event loop blocks every other DAG's triggers."""
    for name in ("airflow_provider_matrixone.operators._common", "airflow_provider_matrixone.pitr.verify",
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
        await asyncio.to_thread(_import_workers)
        from airflow_provider_matrixone.operators._common import is_unreachable
        from airflow_provider_matrixone.pitr import errors
        from airflow_provider_matrixone.pitr.verify import Reference, verify

        try:
            reference = Reference.from_dict(self.reference)
            hook = await self._hook()
        except Exception as exc:  # a bad payload or connection: report it, the task decides
            yield TriggerEvent({"status": "error", "message": f"{type(exc).__name__}: {exc}"})
            return
        polls = 0
        while True:
            polls += 1
            try:
                report = await asyncio.to_thread(verify, hook, reference)
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
            self.log.info("poll %d: %s", polls, report.summary())
            if report.status == "pass":
                yield TriggerEvent({"status": "success", "report": report.to_dict(), "polls": polls})
                return
            if report.status == "fail" and time.time() - self.started_at >= self.mismatch_grace:
                yield TriggerEvent({"status": "failure", "report": report.to_dict(), "polls": polls,
                                    "message": report.render(only_problems=True)})
                return
            await asyncio.sleep(self.poke_interval)
