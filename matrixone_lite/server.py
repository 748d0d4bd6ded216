"""``LiteServer``: the MatrixOne-compatible server on a background thread's event loop.

    with LiteServer(data_dir=tmp, port=0, version="4.2.0", timezone="Asia/Shanghai") as srv:
        connect to srv.host:srv.port as "acc1#root"

The engine, the mo/ executor and the statement log are shared by all connections; every
connection gets its own worker thread for engine calls.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from pathlib import Path
from types import TracebackType
from typing import Any
from zoneinfo import ZoneInfo

from mysql_mimic import MysqlServer, packets
from mysql_mimic.constants import DEFAULT_SERVER_CAPABILITIES
from mysql_mimic.control import TooManyConnections
from mysql_mimic.stream import MysqlStream
from mysql_mimic.types import Capabilities

from matrixone_lite.engine import Engine
from matrixone_lite.mo.executor import MOExecutor
from matrixone_lite.wire.auth import EngineIdentityProvider
from matrixone_lite.wire.connection import LiteConnection
from matrixone_lite.wire.packets_in import BoundedStream
from matrixone_lite.wire.runaway import SHUTDOWN
from matrixone_lite.wire.server_context import ServerContext
from matrixone_lite.wire.session import LiteSession
from matrixone_lite.wire.statement_log import StatementLog

logger = logging.getLogger("matrixone_lite.server")



class LiteMysqlServer(MysqlServer):
    """MysqlServer that builds :class:`LiteConnection` objects (instead of patching mysql-mimic)."""

    max_packet_bytes = 16 * 1024 * 1024

    async def _client_connected_cb(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        # every read is size-bounded (the command loop answers 1153 above the query limit)
        stream = BoundedStream(MysqlStream(reader, writer), self.max_packet_bytes)
        try:
            session = self.session_factory()
            connection = LiteConnection(stream=stream, session=session, control=self.control,  # type: ignore[arg-type]
                                        server_capabilities=self.capabilities,
                                        identity_provider=self.identity_provider, ssl=self.ssl)
        except Exception:  # noqa: BLE001
            logger.exception("failed to create a connection")
            await stream.write(packets.make_error(capabilities=self.capabilities))
            writer.close()
            return
        try:
            connection_id = await self.control.add(connection)
            connection.connection_id = connection_id
        except TooManyConnections:
            await stream.write(connection.error(msg="Too many connections", code=1040))
            writer.close()
            return
        try:
            await connection.start()
        except Exception as exc:  # noqa: BLE001 - one line per broken connection, the server goes on
            logger.warning("connection %s ended with %s: %s", connection_id, type(exc).__name__, exc)
        finally:
            writer.close()
            await self.control.remove(connection_id)

CAPABILITIES = (
    (DEFAULT_SERVER_CAPABILITIES & ~Capabilities.CLIENT_QUERY_ATTRIBUTES)
    | Capabilities.CLIENT_MULTI_STATEMENTS
    | Capabilities.CLIENT_MULTI_RESULTS
    | Capabilities.CLIENT_TRANSACTIONS
)


def local_zone_name() -> str:
    """The machine's local IANA zone name (``--timezone`` default), UTC when unknown."""
    try:
        link = Path("/etc/localtime").resolve()
        parts = link.parts
        if "zoneinfo" in parts:
            name = "/".join(parts[parts.index("zoneinfo") + 1:])
            ZoneInfo(name)
            return name
    except Exception:  # noqa: BLE001
        pass
    try:
        name = Path("/etc/timezone").read_text().strip()
        ZoneInfo(name)
        return name
    except Exception:  # noqa: BLE001
        return "UTC"


DEFAULT_MAX_EXECUTION_TIME_S = 600.0  # generous: only a runaway statement takes 10 minutes here
STOP_BUDGET_S = 4.0  # stop() gives up on whatever is still running after this (SIGTERM: exit < 5 s)
SHUTDOWN_GRACE_S = 2.0  # how long connections get to finish their interrupted statements


class ServerStartError(RuntimeError):
    """The server could not start (port taken, data dir unusable, bad option)."""


class LiteServer:
    """A running matrixone_lite server (context manager)."""

    def __init__(
        self,
        data_dir: str | Path = "./mo-lite-data",
        *,
        host: str = "127.0.0.1",
        port: int = 6001,
        version: str = "4.2.0",
        timezone: str | None = None,
        root_password: str = "111",
        statement_log: bool = True,
        statement_log_file: str | Path | None = None,
        max_query_bytes: int = 16 * 1024 * 1024,
        gc_interval: float = 60.0,
        max_execution_time: float = DEFAULT_MAX_EXECUTION_TIME_S,
    ) -> None:
        self.data_dir = Path(data_dir)
        self.host = host
        self.port = port
        self.version = version
        self.timezone = timezone or local_zone_name()
        self.root_password = root_password
        self._log_enabled = statement_log
        self._log_file = statement_log_file
        self.max_query_bytes = max_query_bytes
        self.gc_interval = gc_interval  # seconds between background GCs; 0 disables GC while serving
        # seconds one statement may run before it is interrupted with 3024; 0 = no limit
        self.max_execution_time = max_execution_time
        self.statement_log = StatementLog(statement_log_file, keep=statement_log)
        self.engine: Engine | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._server: MysqlServer | None = None
        self._ready = threading.Event()
        self._stopped = threading.Event()
        self._error: BaseException | None = None

    # ---- start / stop ----
    def start(self) -> LiteServer:
        try:
            zone = ZoneInfo(self.timezone)
        except Exception as e:  # noqa: BLE001
            raise ServerStartError(f"unknown time zone {self.timezone!r}") from e
        try:
            self.data_dir.mkdir(parents=True, exist_ok=True)
            self.engine = Engine(self.data_dir, timezone=self.timezone, version=self.version,
                                 root_password=self.root_password)
        except Exception as e:  # noqa: BLE001
            raise ServerStartError(f"cannot use data directory {str(self.data_dir)!r}: {e}") from e
        mo = MOExecutor(self.engine)
        self.engine.storage.start_gc(self.gc_interval)
        self.context = ServerContext(self.engine, mo, self.statement_log, self.version, zone,
                                     self.max_query_bytes, max_execution_time=self.max_execution_time)
        self._thread = threading.Thread(target=self._run, name="matrixone-lite-server", daemon=True)
        self._thread.start()
        self._ready.wait()
        if self._error is not None:
            self.engine.close()
            raise ServerStartError(f"cannot listen on {self.host}:{self.port}: {self._error}") from self._error
        return self

    def _run(self) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        asyncio.set_event_loop(loop)
        context = self.context
        server = LiteMysqlServer(session_factory=lambda: LiteSession(context),
                             identity_provider=EngineIdentityProvider(context.engine),
                             capabilities=CAPABILITIES)
        server.max_packet_bytes = self.max_query_bytes + 1  # 1 command byte
        self._server = server
        try:
            loop.run_until_complete(server.start_server(host=self.host, port=self.port))
            sock = server.sockets()[0].getsockname()
            self.port = int(sock[1])
        except BaseException as e:  # noqa: BLE001
            self._error = e
            self._ready.set()
            loop.close()
            return
        self._ready.set()
        try:
            loop.run_forever()
        finally:
            try:
                loop.run_until_complete(self._shutdown())
            finally:
                loop.close()
                self._stopped.set()

    async def _shutdown(self) -> None:
        if self._server is not None:
            self._server.close()
        self._interrupt_all()
        for conn in list(self.context.connections):
            conn.shutdown()
        tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        if tasks:
            _done, pending = await asyncio.wait(tasks, timeout=SHUTDOWN_GRACE_S)
            for t in pending:
                t.cancel()
            if pending:  # a worker stuck past its interrupt (e.g. waiting for a lock) is left behind
                await asyncio.wait(pending, timeout=0.5)
        if self._server is not None:
            await asyncio.wait([asyncio.ensure_future(self._server.wait_closed())], timeout=0.5)

    def _interrupt_all(self) -> None:
        """Interrupt every running statement (thread-safe: SQLite's interrupt may come from anywhere)."""
        context = getattr(self, "context", None)
        if context is None:
            return
        for _ in range(3):  # the loop thread may add or drop a connection meanwhile
            try:
                conns = list(context.connections)
                break
            except RuntimeError:
                continue
        else:
            return
        for conn in conns:
            running = getattr(conn.session, "running", None)
            if running is not None:
                running.cancel(SHUTDOWN)

    def stop(self, timeout: float = STOP_BUDGET_S) -> None:
        """Stop accepting, interrupt running statements, close every connection and the engine.

        Idempotent and bounded by ``timeout`` seconds: a part that does not finish in time
        (an event loop that does not answer, a worker that does not return) is abandoned with a
        warning. Its threads are daemons and SQLite is crash-safe, so abandoning them is no worse
        than ``kill -9``, and SIGTERM always stops ``serve``.
        """
        deadline = time.monotonic() + timeout
        loop, thread = self._loop, self._thread
        self._interrupt_all()
        if loop is not None and thread is not None and thread.is_alive():
            try:
                loop.call_soon_threadsafe(loop.stop)
            except RuntimeError:  # the loop is already closed
                pass
            thread.join(timeout=max(0.1, deadline - time.monotonic() - 0.5))
            if thread.is_alive():
                logger.warning("server event loop did not stop in time; abandoning it")
        self._thread = None
        engine, self.engine = self.engine, None
        if engine is not None:
            closer = threading.Thread(target=engine.close, name="matrixone-lite-close", daemon=True)
            closer.start()
            closer.join(timeout=max(0.1, deadline - time.monotonic()))
            if closer.is_alive():
                logger.warning("engine did not close in time (a statement is still running); abandoning it")
        self.statement_log.close()

    def __enter__(self) -> LiteServer:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"LiteServer({self.host}:{self.port}, data_dir={str(self.data_dir)!r}, version={self.version})"

    @property
    def dsn(self) -> dict[str, Any]:
        return {"host": self.host, "port": self.port, "user": "root", "password": self.root_password}
