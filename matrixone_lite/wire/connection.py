"""mysql-mimic Connection subclass: the protocol fixes matrixone_lite needs.

- OK packets carry affected rows / last insert id and real autocommit / in-transaction status.
- Multi-statement COM_QUERY returns every result (SERVER_MORE_RESULTS_EXISTS) when the client
  asked for multi-statements; otherwise the last one.
- Errors carry MatrixOne's code, SQLSTATE and message; a malformed packet or an oversized query
  drops only that connection, with one log line.
- Logins are MatrixOne login strings; failed authentication never reaches the command phase.
- Prepared statements use safe parameter interpolation (see ``params``).
"""

from __future__ import annotations

import asyncio
import io
import logging
import struct
from collections.abc import Iterator
from typing import Any

from mysql_mimic import context, packets, types
from mysql_mimic.auth import AuthPlugin, AuthState
from mysql_mimic.connection import Connection
from mysql_mimic.errors import MysqlError
from mysql_mimic.prepared import PreparedStatement
from mysql_mimic.results import ResultColumn, ResultSet
from mysql_mimic.stream import ConnectionClosed
from mysql_mimic.types import Capabilities, ServerStatus, read_uint_4
from mysql_mimic.utils import aiterate

from matrixone_lite.errors import MOError
from matrixone_lite.wire import handshake
from matrixone_lite.wire.login import Login, LoginError, parse_login
from matrixone_lite.wire.packets_in import MalformedPacket, PacketTooLarge
from matrixone_lite.wire.params import interpolate, placeholder_positions, read_params
from matrixone_lite.wire.session import LiteSession, Ok, Outcome, StatementFailed, to_mo_error

logger = logging.getLogger("matrixone_lite.wire")

_DISCONNECTS = (ConnectionClosed, ConnectionError, asyncio.IncompleteReadError, BrokenPipeError)


class LiteConnection(Connection):
    """One client connection."""

    session: LiteSession

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.login: Login | None = None
        self._db_check: tuple[Login, str] | None = None
        self._db_refused = False
        self.status_flags = ServerStatus.SERVER_STATUS_AUTOCOMMIT  # as in the handshake of a real server
        self._stmt_types: dict[int, list[tuple[int, bool]]] = {}

    # ---- packets ----
    def _status(self) -> None:
        es = self.session.esess
        flags = ServerStatus(0)
        if es is None or es.autocommit:
            flags |= ServerStatus.SERVER_STATUS_AUTOCOMMIT
        if es is not None and es.in_transaction:
            flags |= ServerStatus.SERVER_STATUS_IN_TRANS
        self.status_flags = flags

    def error_packet(self, err: MOError) -> bytes:
        parts = [b"\xff", struct.pack("<H", int(err.code) & 0xFFFF)]
        if Capabilities.CLIENT_PROTOCOL_41 in self.capabilities:
            parts.append(b"#" + (err.sqlstate or "HY000").encode("ascii")[:5].ljust(5, b"0"))
        parts.append(str(err.message).encode("utf-8", "replace"))
        return b"".join(parts)

    async def send_error(self, err: MOError) -> None:
        await self.stream.write(self.error_packet(err))

    # ---- lifecycle ----
    async def _start(self) -> None:
        context.connection_id.set(self.connection_id)
        registry = self.session.server.connections
        registry.add(self)
        try:
            await self._serve()
        finally:
            registry.discard(self)

    def shutdown(self) -> None:
        """Close the socket so the command loop ends at its next read (server stop)."""
        try:
            self.stream.writer.close()
        except Exception:  # noqa: BLE001
            pass

    async def _serve(self) -> None:
        try:
            await self.connection_phase()
            if self.login is None or not self.session.username:
                return  # authentication failed; the error was sent
            await self.session.init(self)
            await self.session.open_engine_session(self.login)
        except _DISCONNECTS:
            logger.info("connection %s closed during handshake", self.connection_id)
            return
        except Exception as exc:  # noqa: BLE001
            if isinstance(exc, (MOError, MysqlError)):
                err = to_mo_error(exc)
            else:  # an unparsable handshake: one line, no traceback
                err = handshake.bad_handshake()
            logger.warning("connection %s refused: %s", self.connection_id, err.message)
            try:
                await self.send_error(err)
            except _DISCONNECTS:
                pass
            return
        try:
            self._status()
            await self.command_phase()
        finally:
            await self.session.close()

    async def authenticate(
        self,
        username: str,
        auth_response: bytes,
        client_plugin_name: str | None,
        connect_attrs: dict[str, str],
        auth_state: AuthState | None = None,
        server_plugin: AuthPlugin | None = None,
    ) -> None:
        try:
            login = parse_login(username)
        except LoginError as e:
            self.login = None
            await self.send_error(MOError(20101, f"internal error: {e}"))
            return
        self.session.username = None
        self._db_check = (login, self.session.database) if self.session.database else None
        self._db_refused = False
        await super().authenticate(username, auth_response, client_plugin_name, connect_attrs,
                                   auth_state, server_plugin)
        self._db_check = None
        self.login = login if self.session.username and not self._db_refused else None

    def ok(self, **kwargs: Any) -> bytes:
        # the OK that ends a successful authentication: refuse an unknown handshake database first,
        # as MySQL does (the client must see 1049 instead of a login followed by an error)
        check, self._db_check = getattr(self, "_db_check", None), None
        if check is not None:
            err = self._handshake_database_error(*check)
            if err is not None:
                self._db_refused = True
                return self.error_packet(err)
        return super().ok(**kwargs)

    def _handshake_database_error(self, login: Login, database: str) -> MOError | None:
        from matrixone_lite.errors import unknown_database
        from matrixone_lite.storage.storage import SYSTEM_DATABASES

        storage = self.session.server.engine.storage
        name = database.lower()
        acc = storage.account(login.account)
        if name in SYSTEM_DATABASES or (acc is not None and storage.database(acc.id, name) is not None):
            return None
        return unknown_database(database)

    async def connection_phase(self) -> None:
        await handshake.connection_phase(self)

    async def handle_change_user(self, data: bytes) -> None:
        try:
            request = handshake.parse_change_user(self, data)
        except MalformedPacket as exc:
            logger.warning("connection %s dropped: malformed COM_CHANGE_USER (%s)", self.connection_id, exc)
            await self.send_error(handshake.unknown_command())
            raise ConnectionClosed() from None
        await self.session.close_engine_session()
        await handshake.change_user(self, request)
        if self.login is None or not self.session.username:
            raise ConnectionClosed()
        await self.session.open_engine_session(self.login)

    async def handle_reset_connection(self, data: bytes) -> None:
        await self.session.reset()
        self._status()
        await self.stream.write(self.ok())

    async def handle_field_list(self, data: bytes) -> None:
        # COM_FIELD_LIST (deprecated, used by CLI auto-rehash): answer "no columns"
        await self.stream.write(self.ok_or_eof())

    # ---- command loop ----
    async def command_phase(self) -> None:
        while True:
            try:
                data = await self.stream.read()
            except _DISCONNECTS:
                logger.info("connection %s closed by client", self.connection_id)
                return
            except PacketTooLarge:
                await self.send_error(MOError(1153, "Got a packet bigger than 'max_allowed_packet' bytes",
                                              "08S01"))
                logger.warning("connection %s dropped: packet over %d bytes", self.connection_id,
                               self.session.server.max_query_bytes)
                return
            except Exception as exc:  # noqa: BLE001 - malformed framing: drop this connection only
                logger.warning("connection %s dropped: unreadable packet (%s)", self.connection_id, exc)
                return
            try:
                if not data:
                    raise MOError(1835, "Malformed communication packet.")
                if len(data) > self.session.server.max_query_bytes:
                    await self.send_error(MOError(1153, "Got a packet bigger than 'max_allowed_packet' bytes",
                                                  "08S01"))
                    logger.warning("connection %s dropped: packet of %d bytes", self.connection_id, len(data))
                    return
                command = data[0]
                rest = data[1:]
                if command == types.Commands.COM_QUIT:
                    return
                await self.dispatch(command, rest)
            except _DISCONNECTS:
                logger.info("connection %s closed mid-statement", self.connection_id)
                return
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001
                err = to_mo_error(exc)
                try:
                    self._status()
                    await self.send_error(err)
                except _DISCONNECTS:
                    return
            finally:
                self.stream.reset_seq()

    async def dispatch(self, command: int, rest: bytes) -> None:
        c = types.Commands
        handlers = {
            c.COM_QUERY: self.handle_query,
            c.COM_STMT_PREPARE: self.handle_stmt_prepare,
            c.COM_STMT_SEND_LONG_DATA: self.handle_stmt_send_long_data,
            c.COM_STMT_EXECUTE: self.handle_stmt_execute,
            c.COM_STMT_FETCH: self.handle_stmt_fetch,
            c.COM_STMT_RESET: self.handle_stmt_reset,
            c.COM_STMT_CLOSE: self.handle_stmt_close,
            c.COM_PING: self.handle_ping,
            c.COM_CHANGE_USER: self.handle_change_user,
            c.COM_RESET_CONNECTION: self.handle_reset_connection,
            c.COM_DEBUG: self.handle_debug,
            c.COM_INIT_DB: self.handle_init_db,
            c.COM_FIELD_LIST: self.handle_field_list,
        }
        handler = handlers.get(command)  # type: ignore[call-overload]
        if handler is None:
            raise MOError(1047, f"Unsupported Command: {hex(command)}", "08S01")
        try:
            await handler(rest)
        except (struct.error, MalformedPacket):  # a COM_STMT_* packet shorter than its fields
            raise MOError(1835, "Malformed communication packet.", "08S01") from None

    async def handle_init_db(self, data: bytes) -> None:
        db = data.decode(self.client_charset.codec, errors="replace")
        self.session.server.statement_log_record(
            self.connection_id, self.login.account if self.login else "", self.login.user if self.login else "",
            f"USE `{db}`")
        await self.session.use(db)
        self._status()
        await self.stream.write(self.ok())

    # ---- COM_QUERY ----
    async def handle_query(self, data: bytes) -> None:
        sql = data.decode(self.client_charset.codec, errors="replace")
        multi = Capabilities.CLIENT_MULTI_STATEMENTS in self.capabilities
        error: MOError | None = None
        try:
            outcomes = await self.session.run_text(sql)
        except StatementFailed as failed:
            outcomes, error = failed.outcomes, failed.error
        self._status()
        if not multi:
            if error is not None:
                await self.send_error(error)
            else:
                await self.write_outcome(outcomes[-1], more=False)
            return
        for i, outcome in enumerate(outcomes):
            more = error is not None or i < len(outcomes) - 1
            await self.write_outcome(outcome, more=more)
        if error is not None:
            await self.send_error(error)

    async def write_outcome(self, outcome: Outcome, *, more: bool) -> None:
        flags = ServerStatus.SERVER_MORE_RESULTS_EXISTS if more else 0
        if isinstance(outcome, Ok):
            await self.stream.write(self.ok(affected_rows=outcome.affected_rows,
                                            last_insert_id=outcome.last_insert_id, flags=flags))
            return
        await self.write_resultset(outcome, flags)

    async def write_resultset(self, rs: ResultSet, flags: int) -> None:
        header = [packets.make_column_count(capabilities=self.capabilities, column_count=len(rs.columns))]
        for column in rs.columns:
            header.append(packets.make_column_definition_41(
                server_charset=self.server_charset, name=column.name, column_type=column.type,
                character_set=column.character_set))
        if not self.deprecate_eof():
            header.append(self.eof())
        self.stream.write_many(header)
        rows = list(rs.rows)  # type: ignore[arg-type]
        batch = 10_000
        for i in range(0, len(rows), batch):
            self.stream.write_text_rows(rows[i:i + batch], rs.columns)
            await asyncio.sleep(0)
        await self.stream.write(self.ok_or_eof(flags=flags), drain=False)
        await self.stream.drain()

    # ---- prepared statements ----
    async def handle_stmt_prepare(self, data: bytes) -> None:
        sql = data.decode(self.client_charset.codec, errors="replace")
        stmt_id = next(self.prepared_stmt_seq)
        stmt = PreparedStatement(stmt_id=stmt_id, sql=sql, num_params=len(placeholder_positions(sql)))
        self.prepared_stmts[stmt_id] = stmt
        # libmysqlclient sizes its result buffers from PREPARE_OK's column count: a query must
        # announce its columns here, or the C clients crash reading the rows of the execute.
        columns = await self.session.describe(interpolate(sql, [None] * stmt.num_params))
        for packet in self.com_stmt_prepare_response(stmt, columns):
            await self.stream.write(packet, drain=False)
        await self.stream.drain()

    def com_stmt_prepare_response(  # type: ignore[override]
        self, statement: PreparedStatement, columns: list[ResultColumn] | None = None
    ) -> Iterator[bytes]:
        """COM_STMT_PREPARE_OK with the real column count, parameter and column definitions.

        Each definition block ends with an EOF only when the client did not negotiate
        CLIENT_DEPRECATE_EOF; mysql-mimic always sends it and announces no columns, which
        libmysqlclient (mysqlclient, mysql-connector's C extension) cannot read.
        """
        columns = columns or []
        yield b"\x00" + struct.pack("<IHHBH", statement.stmt_id, len(columns), statement.num_params, 0, 0)
        for _ in range(statement.num_params):
            yield packets.make_column_definition_41(server_charset=self.server_charset, name="?")
        if statement.num_params and not self.deprecate_eof():
            yield self.eof()
        for column in columns:
            yield packets.make_column_definition_41(
                server_charset=self.server_charset, name=column.name, column_type=column.type,
                character_set=column.character_set)
        if columns and not self.deprecate_eof():
            yield self.eof()

    async def handle_stmt_reset(self, data: bytes) -> None:
        # mysql-mimic also resets the whole session here, which would roll back the transaction
        stmt = self.get_stmt(struct.unpack("<I", data[:4])[0] if len(data) >= 4 else 0)
        stmt.param_buffers = None
        stmt.cursor = None
        self._status()
        await self.stream.write(self.ok())

    async def handle_stmt_close(self, data: bytes) -> None:
        stmt_id = struct.unpack("<I", data[:4])[0] if len(data) >= 4 else 0
        self.prepared_stmts.pop(stmt_id, None)
        self._stmt_types.pop(stmt_id, None)

    async def handle_stmt_execute(self, data: bytes) -> None:
        r = io.BytesIO(data)
        stmt = self.get_stmt(read_uint_4(r))
        flags = r.read(1)[0] if len(data) > 4 else 0
        use_cursor = bool(flags & 0x01)
        read_uint_4(r)  # iteration count, always 1
        values: list[Any] = []
        if stmt.num_params:
            values, used = read_params(r, stmt.num_params, self.client_charset,
                                       self._stmt_types.get(stmt.stmt_id), stmt.param_buffers)
            self._stmt_types[stmt.stmt_id] = used
        stmt.param_buffers = None
        sql = interpolate(stmt.sql, values)
        try:
            outcomes = await self.session.run_text(sql)
        except StatementFailed as failed:
            raise failed.error from None
        outcome = outcomes[-1]
        self._status()
        if isinstance(outcome, Ok):
            await self.stream.write(self.ok(affected_rows=outcome.affected_rows,
                                            last_insert_id=outcome.last_insert_id))
            return
        rs = outcome
        await self.stream.write(types.uint_len(len(rs.columns)))
        for column in rs.columns:
            await self.stream.write(packets.make_column_definition_41(
                server_charset=self.server_charset, name=column.name, column_type=column.type,
                character_set=column.character_set))
        rows = [packets.make_binary_resultrow(row, rs.columns) async for row in aiterate(rs.rows)]
        if use_cursor:
            async def cursor() -> Any:
                for row in rows:
                    yield row

            stmt.cursor = cursor()
            if not self.deprecate_eof():
                await self.stream.write(self.eof(flags=ServerStatus.SERVER_STATUS_CURSOR_EXISTS))
            else:
                await self.stream.write(self.ok_or_eof(flags=ServerStatus.SERVER_STATUS_CURSOR_EXISTS))
            return
        if not self.deprecate_eof():
            await self.stream.write(self.eof())
        for row in rows:
            await self.stream.write(row, drain=False)
        await self.stream.write(self.ok_or_eof())
