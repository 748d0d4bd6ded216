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
    :param reference_conn_id: reads the other databases at T to explain a table that should not be
        in the scope (MatrixOne #27116), as the sensor's poke does; ``""``: ``conn_id``.
    """

    def __init__(
        self,
        *,
        conn_id: str,
        reference: str,
        poke_interval: float = 30.0,
        mismatch_grace: float = 0.0,
        started_at: float | None = None,
        reference_conn_id: str = "",
    ) -> None:
        super().__init__()
        self.conn_id = str(conn_id)
        self.reference = str(reference)
        self.poke_interval = float(poke_interval)
        self.mismatch_grace = float(mismatch_grace)
        self.started_at = float(started_at if started_at is not None else time.time())
        self.reference_conn_id = str(reference_conn_id or "")

    def serialize(self) -> tuple[str, dict[str, Any]]:
        return (
            f"{type(self).__module__}.{type(self).__qualname__}",
            {
                "conn_id": self.conn_id,
                "reference": self.reference,
                "poke_interval": self.poke_interval,
                "mismatch_grace": self.mismatch_grace,
                "started_at": self.started_at,
                "reference_conn_id": self.reference_conn_id,
            },
        )

    async def _hook(self, conn_id: str | None = None) -> Any:
        from airflow.providers.common.compat.connection import get_async_connection

        from airflow_provider_matrixone.hooks.matrixone import MatrixOneHook  # imported by run() on a thread

        conn_id = conn_id or self.conn_id
        conn = await get_async_connection(conn_id, hook=MatrixOneHook)
        # a bounded read: a hung server must not block a triggerer thread past the task's timeout
        return MatrixOneHook(matrixone_conn_id=conn_id, connection=conn, read_timeout=READ_TIMEOUT)

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
                poll = await self._explained(reference, poll, hook)
                yield TriggerEvent({"status": "failure", "report": poll.report, "polls": polls,
                                    "message": poll.problems})
                return
            await asyncio.sleep(self.poke_interval)

    async def _explained(self, reference: Any, poll: _Poll, hook: Any) -> _Poll:
        """The final failure with the sensor's #27116 sentence (one implementation,
        :func:`airflow_provider_matrixone.proof.provenance.explain_unexpected`); its reads and the
        rendering run in a thread. A failure to explain keeps the plain sentence, never an error."""
        try:
            ref_hook = await self._hook(self.reference_conn_id) if self.reference_conn_id else hook
        except Exception as exc:  # noqa: BLE001 - an explanation must never turn a finding into an error
            self.log.warning("cannot resolve %s to explain the mismatch: %s", self.reference_conn_id, exc)
            return poll
        try:
            return await asyncio.to_thread(_explain, ref_hook, reference, poll, self.log)
        except Exception as exc:  # noqa: BLE001 - same: the plain sentence is still a MISMATCH
            self.log.warning("could not explain the mismatch: %s", exc)
            return poll


@dataclass(frozen=True)
class _Poll:
    """One comparison, already rendered (in the worker thread) for the loop to log and send."""

    status: str
    summary: str
    report: dict[str, Any]
    problems: str
    raw: Any = None  # the VerificationReport, for the final failure's explanation


def _rendered(report: Any) -> _Poll:
    problems = report.render(only_problems=True) if report.status == "fail" else ""
    return _Poll(report.status, report.summary(), report.to_dict(), problems, report)


def _poll(hook: Any, reference: Any) -> _Poll:
    """Read the scope and compare it with the reference; runs in a thread (reads, comparison, rendering)."""
    from airflow_provider_matrixone.sql_io.capture import verify

    return _rendered(verify(hook, reference))


def _explain(ref_hook: Any, reference: Any, poll: _Poll, logger: Any) -> _Poll:
    """``poll`` with each unexpected table named as another database's at T, if it is one; in a thread."""
    from airflow_provider_matrixone.proof.provenance import explain_unexpected

    return _rendered(explain_unexpected(ref_hook, reference, poll.raw, logger))
