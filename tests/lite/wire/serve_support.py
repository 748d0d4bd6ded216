"""Raw MySQL protocol helpers, for packets no driver would send (wire fuzz and malformed packets).

The server they talk to is ``tests.support.serve.ServeProcess``; ``raw_login`` logs in
with its root ``PASSWORD``.
"""

from __future__ import annotations

import hashlib
import socket
import struct

from tests.support.serve import PASSWORD

# ---- raw protocol helpers (for packets no driver would send) ----
CLIENT_LONG_PASSWORD = 0x1
CLIENT_CONNECT_WITH_DB = 0x8
CLIENT_PROTOCOL_41 = 0x200
CLIENT_SECURE_CONNECTION = 0x8000
CLIENT_PLUGIN_AUTH = 0x80000
CLIENT_CONNECT_ATTRS = 0x100000
CLIENT_PLUGIN_AUTH_LENENC = 0x200000
BASE_CAPS = CLIENT_LONG_PASSWORD | CLIENT_PROTOCOL_41 | CLIENT_SECURE_CONNECTION


def frame(payload: bytes, seq: int) -> bytes:
    return struct.pack("<I", len(payload) | (seq << 24)) + payload


def read_frame(sock: socket.socket) -> bytes:
    """One packet's payload; b"" when the server closed the connection."""
    header = _recv_exact(sock, 4)
    if len(header) < 4:
        return b""
    length = struct.unpack("<I", header)[0] & 0xFFFFFF
    return _recv_exact(sock, length)


def _recv_exact(sock: socket.socket, n: int) -> bytes:
    out = b""
    while len(out) < n:
        chunk = sock.recv(n - len(out))
        if not chunk:
            break
        out += chunk
    return out


def scramble(password: str, salt: bytes) -> bytes:
    s1 = hashlib.sha1(password.encode()).digest()
    s2 = hashlib.sha1(s1).digest()
    s3 = hashlib.sha1(salt + s2).digest()
    return bytes(a ^ b for a, b in zip(s1, s3, strict=True))


def handshake_salt(greeting: bytes) -> bytes:
    """The 20-byte auth data of a HandshakeV10 packet."""
    end = greeting.index(b"\x00", 1)
    pos = end + 1 + 4
    part1 = greeting[pos:pos + 8]
    pos += 8 + 1 + 2 + 1 + 2 + 2 + 1 + 10
    part2 = greeting[pos:pos + 12]
    return part1 + part2


def login_response(user: str, password: str, salt: bytes, caps: int = BASE_CAPS | CLIENT_PLUGIN_AUTH) -> bytes:
    auth = scramble(password, salt)
    body = struct.pack("<IIB", caps, 1 << 24, 45) + bytes(23) + user.encode() + b"\x00"
    body += bytes([len(auth)]) + auth
    if caps & CLIENT_PLUGIN_AUTH:
        body += b"mysql_native_password\x00"
    return body


def raw_login(port: int, timeout: float = 10.0) -> socket.socket:
    """A raw socket logged in as root (command phase, sequence reset)."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    salt = handshake_salt(read_frame(sock))
    sock.sendall(frame(login_response("root", PASSWORD, salt), 1))
    reply = read_frame(sock)
    if not reply or reply[0] != 0:
        sock.close()
        raise RuntimeError(f"raw login failed: {reply!r}")
    return sock


def error_of(payload: bytes) -> tuple[int, str] | None:
    """(code, message) of an ERR packet, else None."""
    if not payload or payload[0] != 0xFF:
        return None
    code = struct.unpack("<H", payload[1:3])[0]
    text = payload[3:]
    if text[:1] == b"#":
        text = text[6:]
    return code, text.decode("utf-8", "replace")
