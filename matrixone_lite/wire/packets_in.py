"""Bounded parsers for the client packets mysql-mimic 3.0.5 parses without bounds.

Why this module exists: ``mysql_mimic.types.read_str_null`` loops ``reader.read(1)`` until it
sees a NUL byte; at the end of the buffer ``read(1)`` returns ``b""`` forever, so a handshake
response or COM_CHANGE_USER whose NUL-terminated field is missing its NUL spins the event-loop
thread at 100% CPU for good (no new logins, no clean shutdown). MysqlStream.read also
concatenates continuation packets without any size limit, and reads its 4-byte header with
``read(4)``, which may return fewer bytes.

Everything here parses the same wire format as mysql-mimic (returning mysql-mimic's own
dataclasses) but every read is checked against the bytes that are left: a malformed packet
raises :class:`MalformedPacket`, which the connection turns into MySQL's error for it
(1043 Bad handshake, 1047 Unknown command) before closing only that connection.
"""

from __future__ import annotations

import asyncio
import struct
from typing import Any

from mysql_mimic.charset import CharacterSet, Collation
from mysql_mimic.errors import ErrorCode, MysqlError
from mysql_mimic.packets import ComChangeUser, HandshakeResponse41, SSLRequest
from mysql_mimic.stream import ConnectionClosed, MysqlStream
from mysql_mimic.types import Capabilities

MAX_PACKET_CHUNK = 0xFFFFFF
MAX_HANDSHAKE_BYTES = 1 << 16  # connect attributes are capped at 64 KiB by MySQL clients too


class MalformedPacket(ValueError):
    """A client packet that does not parse: the connection is closed with a MySQL error."""


class PacketTooLarge(MalformedPacket):
    """A (multi-part) packet whose payload exceeds the limit; nothing past the limit is buffered."""


class BoundedReader:
    """A cursor over one packet's payload; every read fails instead of running past the end."""

    __slots__ = ("data", "pos")

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def left(self) -> int:
        return len(self.data) - self.pos

    def fixed(self, n: int) -> bytes:
        if n < 0 or n > self.left():
            raise MalformedPacket(f"field of {n} bytes at offset {self.pos}, {self.left()} left")
        out = self.data[self.pos:self.pos + n]
        self.pos += n
        return out

    def uint(self, n: int) -> int:
        return int.from_bytes(self.fixed(n), "little")

    def lenenc_int(self) -> int:
        first = self.uint(1)
        if first == 0xFC:
            return self.uint(2)
        if first == 0xFD:
            return self.uint(3)
        if first == 0xFE:
            return self.uint(8)
        if first == 0xFB or first == 0xFF:  # NULL / error marker: not a length a client may send
            raise MalformedPacket(f"bad length-encoded integer 0x{first:02x}")
        return first

    def lenenc_str(self) -> bytes:
        return self.fixed(self.lenenc_int())

    def null_str(self) -> bytes:
        """A NUL-terminated string; the fix for mysql-mimic's endless ``read_str_null``."""
        end = self.data.find(b"\x00", self.pos)
        if end < 0:
            raise MalformedPacket(f"string at offset {self.pos} has no terminating NUL")
        out = self.data[self.pos:end]
        self.pos = end + 1
        return out

    def rest(self) -> bytes:
        out = self.data[self.pos:]
        self.pos = len(self.data)
        return out


def _charset(collation_id: int) -> CharacterSet:
    try:
        return Collation(collation_id).charset
    except ValueError:
        raise MalformedPacket(f"unknown collation {collation_id}") from None


def _decode(charset: CharacterSet, raw: bytes) -> str:
    try:
        return charset.decode(raw)
    except (UnicodeDecodeError, LookupError):
        raise MalformedPacket("undecodable string") from None


def _connect_attrs(r: BoundedReader, charset: CharacterSet) -> dict[str, str]:
    total = r.lenenc_int()
    if total > r.left():
        raise MalformedPacket(f"connect attributes of {total} bytes, {r.left()} left")
    end = r.pos + total
    attrs: dict[str, str] = {}
    while r.pos < end:  # every iteration consumes at least two bytes, and never past ``end``
        key = r.lenenc_str()
        value = r.lenenc_str()
        if r.pos > end:
            raise MalformedPacket("connect attribute runs past its block")
        attrs[_decode(charset, key)] = _decode(charset, value)
    return attrs


def parse_handshake_response(server_capabilities: Capabilities, data: bytes) -> HandshakeResponse41 | SSLRequest:
    """HandshakeResponse41 (or an SSLRequest) with every field bounds-checked."""
    if len(data) > MAX_HANDSHAKE_BYTES:
        raise MalformedPacket(f"handshake response of {len(data)} bytes")
    r = BoundedReader(data)
    capabilities = Capabilities(r.uint(4)) & server_capabilities
    max_packet_size = r.uint(4)
    charset = _charset(r.uint(1))
    r.fixed(23)
    if not r.left():
        return SSLRequest(max_packet_size=max_packet_size, capabilities=capabilities, client_charset=charset)
    username = _decode(charset, r.null_str())
    if Capabilities.CLIENT_PLUGIN_AUTH_LENENC_CLIENT_DATA in capabilities:
        auth_response = r.lenenc_str()
    else:
        auth_response = r.fixed(r.uint(1))
    response = HandshakeResponse41(max_packet_size=max_packet_size, capabilities=capabilities,
                                   client_charset=charset, username=username, auth_response=auth_response)
    if Capabilities.CLIENT_CONNECT_WITH_DB in capabilities:
        response.database = _decode(charset, r.null_str())
    if Capabilities.CLIENT_PLUGIN_AUTH in capabilities:
        response.client_plugin = _decode(charset, r.null_str())
    if Capabilities.CLIENT_CONNECT_ATTRS in capabilities:
        response.connect_attrs = _connect_attrs(r, charset)
    if Capabilities.CLIENT_ZSTD_COMPRESSION_ALGORITHM in capabilities:
        response.zstd_compression_level = r.uint(1)
    return response


def parse_com_change_user(capabilities: Capabilities, charset: CharacterSet, data: bytes) -> ComChangeUser:
    """COM_CHANGE_USER (without its command byte) with every field bounds-checked."""
    if len(data) > MAX_HANDSHAKE_BYTES:
        raise MalformedPacket(f"COM_CHANGE_USER of {len(data)} bytes")
    r = BoundedReader(data)
    username = _decode(charset, r.null_str())
    if Capabilities.CLIENT_SECURE_CONNECTION in capabilities:
        auth_response = r.fixed(r.uint(1))
    else:
        auth_response = r.null_str()
    database = _decode(charset, r.null_str())
    response = ComChangeUser(username=username, auth_response=auth_response, database=database)
    if r.left():
        if Capabilities.CLIENT_PROTOCOL_41 in capabilities:
            charset = _charset(r.uint(2))
            response.client_charset = charset
        if Capabilities.CLIENT_PLUGIN_AUTH in capabilities:
            response.client_plugin = _decode(charset, r.null_str())
        if Capabilities.CLIENT_CONNECT_ATTRS in capabilities:
            response.connect_attrs = _connect_attrs(r, charset)
    return response


async def read_packet(stream: MysqlStream, limit: int) -> bytes:
    """One logical packet (continuation packets joined), refusing to buffer more than ``limit``.

    Mirrors ``MysqlStream.read`` (same sequence-id check, same ConnectionClosed at EOF) but reads
    the header with ``readexactly`` and stops at ``limit`` instead of growing without bound.
    """
    parts: list[bytes] = []
    size = 0
    while True:
        try:
            header = await stream.reader.readexactly(4)
        except asyncio.IncompleteReadError as e:
            if not e.partial:
                raise ConnectionClosed() from None
            raise
        length, seq_id = struct.unpack("<I", header)[0] & MAX_PACKET_CHUNK, header[3]
        expected = next(stream.seq)
        if seq_id != expected:
            raise MysqlError(f"Expected seq({expected}) got seq({seq_id})", ErrorCode.MALFORMED_PACKET)
        size += length
        if size > limit:
            raise PacketTooLarge(f"packet of more than {limit} bytes")
        if length == 0:
            return b"".join(parts)
        parts.append(await stream.reader.readexactly(length))
        if length < MAX_PACKET_CHUNK:
            return b"".join(parts)


class BoundedStream:
    """A MysqlStream whose ``read`` goes through :func:`read_packet` with a size limit.

    A wrapper, not a subclass: mysql-mimic's stream is compiled with mypyc and cannot be
    subclassed. Everything but ``read`` is the wrapped stream's.
    """

    def __init__(self, inner: MysqlStream, limit: int) -> None:
        self.inner = inner
        self.limit = limit

    async def read(self) -> bytes:
        return await read_packet(self.inner, self.limit)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)
