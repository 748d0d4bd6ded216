"""Shared, server-wide state every connection needs (engine, mo/ executor, statement log)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from matrixone_lite.wire.runaway import Counters

if TYPE_CHECKING:
    from matrixone_lite.engine import Engine
    from matrixone_lite.mo.executor import MOExecutor
    from matrixone_lite.wire.statement_log import StatementLog


@dataclass
class ServerContext:
    engine: Engine
    mo: MOExecutor
    statement_log: StatementLog | None
    version: str
    zone: ZoneInfo
    max_query_bytes: int = 16 * 1024 * 1024
    connections: set[Any] = field(default_factory=set)  # live LiteConnection objects
    max_execution_time: float = 0.0  # seconds a statement may run (0: no limit); see wire/runaway.py
    runaway: Counters = field(default_factory=Counters)  # statements cancelled, for bench and docs

    @property
    def zone_name(self) -> str:
        return self.zone.key

    def statement_log_record(self, conn: int, account: str, user: str, sql: str) -> None:
        if self.statement_log is not None:
            self.statement_log.record(conn, account, user, sql)

    @staticmethod
    def client_host(session: Any) -> str:
        conn = getattr(session, "_connection", None)
        try:
            peer = conn.stream.writer.get_extra_info("peername") if conn is not None else None
        except Exception:  # noqa: BLE001
            peer = None
        return str(peer[0]) if peer else "localhost"
