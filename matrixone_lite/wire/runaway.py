"""Cancelling runaway statements: client gone, statement time limit, ``KILL``, server stop.

A statement runs on its session's worker thread while the event loop awaits it. A timer on the
loop checks, every ``POLL_S``, whether the client has disconnected or the statement is over its
time limit; either way it calls ``sqlite3.Connection.interrupt()`` on the session's connection
(thread-safe, the only way to stop SQLite mid-statement), keeps calling it until the worker
returns, and the statement fails with the error for its reason. The engine rolls back a failed
autocommit statement; a session whose client is gone is closed, which rolls back its transaction.

Errors (MatrixOne has them in moerr): a KILL, a disconnect or a server stop answers
``ErrQueryInterrupted`` (1317 ``query interrupted``); the time limit answers MySQL's 3024
``Query execution was interrupted, maximum statement execution time exceeded`` (MatrixOne has no
documented text of its own for it).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from concurrent.futures import Executor
from typing import Any, TypeVar

from matrixone_lite.errors import MOError

logger = logging.getLogger("matrixone_lite.wire")
T = TypeVar("T")
POLL_S = 0.1

TIMEOUT, DISCONNECT, KILL, SHUTDOWN = "timeout", "disconnect", "kill", "shutdown"


def interrupted_error(reason: str) -> MOError:
    if reason == TIMEOUT:
        return MOError(3024, "Query execution was interrupted, maximum statement execution time exceeded")
    return MOError(1317, "query interrupted")


class Running:
    """The statement a session is running right now; anyone may cancel it, once, with a reason."""

    def __init__(self, interrupt: Callable[[], None], sql: str = "") -> None:
        self.reason: str | None = None
        self.started = time.monotonic()
        self.sql = sql
        self._interrupt = interrupt

    def cancel(self, reason: str) -> None:
        if self.reason is None:
            self.reason = reason
        self.interrupt()

    def interrupt(self) -> None:
        try:
            self._interrupt()
        except Exception:  # noqa: BLE001 - a closed connection has nothing left to interrupt
            pass


class Counters:
    """Server-wide figures (reported by the bench and the docs): statements cancelled, by reason."""

    def __init__(self) -> None:
        self.cancelled: dict[str, int] = {}
        self.cancel_seconds: list[float] = []

    def record(self, reason: str, seconds: float) -> None:
        self.cancelled[reason] = self.cancelled.get(reason, 0) + 1
        self.cancel_seconds.append(seconds)
        del self.cancel_seconds[:-1000]


async def run_guarded(executor: Executor, running: Running, fn: Callable[..., T], args: tuple[Any, ...], *,
                      limit_s: float, peer_gone: Callable[[], bool], counters: Counters | None = None) -> T:
    """``fn(*args)`` on ``executor``, interrupted when the peer goes, the limit passes, or on cancel()."""
    loop = asyncio.get_running_loop()
    future = loop.run_in_executor(executor, fn, *args)
    deadline = running.started + limit_s if limit_s > 0 else None
    cancelled_at: list[float] = []
    handle: asyncio.TimerHandle | None = None

    def check() -> None:
        nonlocal handle
        if future.done():
            return
        if running.reason is None:
            if peer_gone():
                running.cancel(DISCONNECT)
            elif deadline is not None and time.monotonic() >= deadline:
                running.cancel(TIMEOUT)
        if running.reason is not None:
            if not cancelled_at:
                cancelled_at.append(time.monotonic())
            running.interrupt()  # again: SQLite only interrupts statements that are running
        handle = loop.call_later(POLL_S, check)

    handle = loop.call_later(POLL_S, check)
    try:
        return await future
    except asyncio.CancelledError:
        running.cancel(SHUTDOWN)
        raise
    except Exception:
        if running.reason is not None:
            since = cancelled_at[0] if cancelled_at else time.monotonic()
            if counters is not None:
                counters.record(running.reason, time.monotonic() - since)
            logger.info("statement interrupted (%s) after %.1f s", running.reason,
                        time.monotonic() - running.started)
            raise interrupted_error(running.reason) from None
        raise
    finally:
        if handle is not None:
            handle.cancel()


def peer_gone(stream: Any) -> bool:
    """The client closed or reset its socket (the reader saw EOF or an error)."""
    reader = getattr(stream, "reader", None)
    if reader is None:
        return False
    try:
        if reader.exception() is not None:
            return True
    except Exception:  # noqa: BLE001
        return True
    # ``_eof`` rather than at_eof(): a client that sent COM_QUIT and closed has unread bytes
    if getattr(reader, "_eof", False) or reader.at_eof():
        return True
    transport = getattr(getattr(stream, "writer", None), "transport", None)
    return bool(transport is not None and transport.is_closing())


def statement_limit(session_ms: Any, server_s: float) -> float:
    """Seconds a statement may run: the session's ``max_execution_time`` (ms) when set, else the server's."""
    try:
        ms = int(session_ms or 0)
    except (TypeError, ValueError):
        ms = 0
    return ms / 1000.0 if ms > 0 else max(0.0, server_s)


def kill(connections: Any, killer_account: str, words: list[str], sql: str) -> None:
    """``KILL [QUERY | CONNECTION] <id>``: interrupt that connection's statement (and close it).

    A tenant may kill its own account's connections; sys may kill any (as in MatrixOne).
    """
    from matrixone_lite.errors import syntax_error

    query = len(words) > 1 and words[1] == "QUERY"
    target_text = sql.split()[-1].rstrip(";") if sql.split() else ""
    if not target_text.isdigit():
        raise syntax_error(sql, len(sql))
    target_id = int(target_text)
    for conn in list(connections):
        if getattr(conn, "connection_id", None) != target_id:
            continue
        login = getattr(conn, "login", None)
        if killer_account != "sys" and (login is None or login.account != killer_account):
            break
        running = conn.session.running
        if running is not None:
            running.cancel(KILL)
        if not query:
            conn.shutdown()
        return
    raise MOError(1094, f"Unknown thread id: {target_id}")


PROCESSLIST_COLUMNS = ["conn_id", "account", "user", "host", "db", "command", "time", "info"]
PROCESSLIST_TYPES = ["BIGINT", "VARCHAR", "VARCHAR", "VARCHAR", "VARCHAR", "VARCHAR", "BIGINT", "VARCHAR"]


def processlist(connections: Any, account: str) -> list[tuple[Any, ...]]:
    """``SHOW PROCESSLIST`` rows (a subset of MatrixOne's columns): one per logged-in connection.

    A tenant sees its own account's connections, sys sees all. ``command`` is ``Query`` while a
    statement runs on the connection's worker, else ``Sleep``; ``info`` is that statement, redacted.
    """
    from matrixone_lite.wire.statement_log import redact

    rows = []
    now = time.monotonic()
    for conn in sorted(list(connections), key=lambda c: getattr(c, "connection_id", 0) or 0):
        login = getattr(conn, "login", None)
        if login is None or (account != "sys" and login.account != account):
            continue
        session = conn.session
        running = getattr(session, "running", None)
        rows.append((conn.connection_id, login.account, login.user, session.server.client_host(session),
                     session.database, "Query" if running is not None else "Sleep",
                     int(now - running.started) if running is not None else 0,
                     redact(running.sql)[:1024] if running is not None else None))
    return rows
