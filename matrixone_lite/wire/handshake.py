"""The connection phase and COM_CHANGE_USER, parsed by our bounded parsers (see ``packets_in``).

mysql-mimic's ``Connection.connection_phase`` and ``handle_change_user`` hand the raw packet to
its own unbounded parsers; these replacements do the same steps with ``packets_in`` and with a
deadline on every handshake read (MySQL's ``connect_timeout``), so one silent or malformed client
costs one connection slot for at most a few seconds and never the event loop.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from mysql_mimic import packets
from mysql_mimic.packets import ComChangeUser, SSLRequest

from matrixone_lite.errors import MOError
from matrixone_lite.wire.packets_in import (
    MAX_HANDSHAKE_BYTES,
    MalformedPacket,
    parse_com_change_user,
    parse_handshake_response,
    read_packet,
)

if TYPE_CHECKING:
    from matrixone_lite.wire.connection import LiteConnection

CONNECT_TIMEOUT_S = 10.0  # MySQL's connect_timeout default


def bad_handshake() -> MOError:
    """MySQL's ER_HANDSHAKE_ERROR, sent for a handshake response that does not parse."""
    return MOError(1043, "Bad handshake", "08S01")


def unknown_command() -> MOError:
    """MySQL's ER_UNKNOWN_COM_ERROR, which mysqld sends for a COM_CHANGE_USER that does not parse."""
    return MOError(1047, "Unknown command", "08S01")


async def read_handshake_packet(conn: LiteConnection) -> bytes:
    try:
        return await asyncio.wait_for(read_packet(conn.stream, MAX_HANDSHAKE_BYTES), CONNECT_TIMEOUT_S)
    except TimeoutError:
        raise MOError(1043, "Bad handshake: no handshake response in time", "08S01") from None


async def connection_phase(conn: LiteConnection) -> None:
    """Send HandshakeV10, read and parse (bounded) the response, authenticate."""
    plugin = conn.identity_provider.get_default_plugin()
    auth_data, auth_state = await plugin.start()
    assert isinstance(auth_data, bytes)
    conn.handshake_auth_data = auth_data
    conn.handshake_auth_plugin = plugin.name
    await conn.stream.write(packets.make_handshake_v10(
        capabilities=conn.server_capabilities, server_charset=conn.server_charset,
        server_version=str(conn.session.variables.get("version")), connection_id=conn.connection_id,
        auth_data=auth_data, status_flags=conn.status_flags, auth_plugin_name=plugin.name))
    try:
        response = parse_handshake_response(conn.server_capabilities, await read_handshake_packet(conn))
        if isinstance(response, SSLRequest):
            if conn.ssl is None:
                raise MalformedPacket("SSL requested but not offered")
            await conn.stream.start_tls(conn.ssl)
            response = parse_handshake_response(conn.server_capabilities, await read_handshake_packet(conn))
            if isinstance(response, SSLRequest):
                raise MalformedPacket("second SSLRequest")
    except MalformedPacket:
        raise bad_handshake() from None
    conn.capabilities = response.capabilities
    conn.max_packet_size = response.max_packet_size
    conn.session.variables.set("character_set_client", response.client_charset.name)
    conn.session.database = response.database
    conn.client_plugin_name = response.client_plugin
    conn.client_connect_attrs = response.connect_attrs
    conn.zstd_compression_level = response.zstd_compression_level
    conn.session.variables.set("external_user", response.username, force=True)
    await conn.authenticate(auth_state=auth_state, server_plugin=plugin, username=response.username,
                            client_plugin_name=response.client_plugin, auth_response=response.auth_response,
                            connect_attrs=response.connect_attrs)
    conn.stream.reset_seq()


def parse_change_user(conn: LiteConnection, data: bytes) -> ComChangeUser:
    """The COM_CHANGE_USER request, or MalformedPacket (the caller answers 1047 and closes)."""
    return parse_com_change_user(conn.capabilities, conn.client_charset, data)


async def change_user(conn: LiteConnection, request: ComChangeUser) -> None:
    """mysql-mimic's handle_change_user, for a request parsed by :func:`parse_change_user`."""
    conn.session.database = request.database
    conn.session.variables.set("external_user", request.username, force=True)
    if request.client_charset:
        conn.session.variables.set("character_set_client", request.client_charset.name)
    if request.connect_attrs:
        conn.client_connect_attrs = request.connect_attrs
    await conn.authenticate(username=request.username, auth_response=request.auth_response,
                            client_plugin_name=request.client_plugin, connect_attrs=request.connect_attrs)
    await conn.session.reset()
