"""One malformed packet costs its own connection only (issue 14, case 1).

mysql-mimic 3.0.5's read_str_null loops forever when a NUL-terminated field has no NUL: a
36-byte handshake response then hung the whole server (100% CPU, no logins, SIGTERM ignored).
Each case here sends the exact packet, expects MySQL's error and a closed connection, and then
checks that a real driver still logs in and that SIGTERM stops the server within 5 s.
"""

from __future__ import annotations

import socket
import struct
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.lite.wire.serve_support import (
    BASE_CAPS,
    CLIENT_CONNECT_ATTRS,
    CLIENT_CONNECT_WITH_DB,
    CLIENT_PLUGIN_AUTH,
    error_of,
    frame,
    raw_login,
    read_frame,
)
from tests.support.serve import ServeProcess


@pytest.fixture(scope="module")
def serve(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServeProcess]:
    srv = ServeProcess(tmp_path_factory.mktemp("malformed")).start()
    try:
        yield srv
        assert srv.proc is not None and srv.proc.poll() is None, "the server died"
        took = srv.terminate(timeout=5.0)
        assert took is not None, "the server did not stop within 5 s of SIGTERM"
    finally:
        srv.kill()


def _header(caps: int) -> bytes:
    return struct.pack("<IIB", caps, 1 << 24, 45) + bytes(23)


HANDSHAKES = {
    # 36 bytes: the user name has no terminating NUL
    "user without NUL": _header(BASE_CAPS) + b"root",
    # CLIENT_PLUGIN_AUTH set, the plugin name missing
    "plugin flag, no plugin name": _header(BASE_CAPS | CLIENT_PLUGIN_AUTH) + b"root\x00\x00",
    "database flag, no database NUL": _header(BASE_CAPS | CLIENT_CONNECT_WITH_DB) + b"root\x00\x00mo_cat",
    "auth length past the end": _header(BASE_CAPS) + b"root\x00\x14abc",
    "connect attrs longer than the packet": _header(BASE_CAPS | CLIENT_CONNECT_ATTRS) + b"root\x00\x00\xfc\xff\x7f",
    "unknown collation": struct.pack("<IIB", BASE_CAPS, 1 << 24, 0) + bytes(23) + b"root\x00\x00",
    "SSL request, SSL not offered": _header(BASE_CAPS | 0x800),
}


def _expect_error_then_close(sock: socket.socket, code: int) -> None:
    sock.settimeout(10)
    err = error_of(read_frame(sock))
    assert err is not None and err[0] == code, err
    assert read_frame(sock) == b"", "the connection stayed open after the error"


@pytest.mark.parametrize("name", sorted(HANDSHAKES))
def test_malformed_handshake_gets_1043_and_only_its_connection_closes(serve: ServeProcess, name: str) -> None:
    with socket.create_connection((serve.host, serve.port), timeout=10) as sock:
        assert read_frame(sock)[:1] == b"\x0a"  # HandshakeV10
        sock.sendall(frame(HANDSHAKES[name], 1))
        _expect_error_then_close(sock, 1043)
    assert serve.ping_query() == 2


@pytest.mark.parametrize("body", [b"root", b"root\x00\x14", b"root\x00\x00mo_catalog", b"root\x00\x00db\x00\x21\x00my"],
                         ids=["user without NUL", "auth past the end", "database without NUL", "plugin without NUL"])
def test_malformed_change_user_gets_1047_and_closes(serve: ServeProcess, body: bytes) -> None:
    with raw_login(serve.port) as sock:
        sock.sendall(frame(b"\x11" + body, 0))
        _expect_error_then_close(sock, 1047)
    assert serve.ping_query() == 2


def test_logged_in_connection_survives_malformed_statement_packets(serve: ServeProcess) -> None:
    with raw_login(serve.port) as sock:
        sock.settimeout(10)
        sock.sendall(frame(b"\x17\x01", 0))  # COM_STMT_EXECUTE shorter than its statement id
        err = error_of(read_frame(sock))
        assert err is not None and err[0] == 1835, err
        sock.sendall(frame(b"\x0e", 0))  # COM_PING on the same connection still answers OK
        assert read_frame(sock)[:1] == b"\x00"


def test_silent_client_does_not_block_logins(serve: ServeProcess) -> None:
    with socket.create_connection((serve.host, serve.port), timeout=10) as idle:
        read_frame(idle)  # greeting, then say nothing
        assert serve.ping_query() == 2


def test_oversized_multi_packet_is_refused_without_buffering_it(tmp_path: Path) -> None:
    # a continuation chain longer than the query limit: refused at the limit, not read to the end
    srv = ServeProcess(tmp_path).start()
    try:
        with raw_login(srv.port) as sock:
            chunk = b"\x03" + b"x" * (0xFFFFFF - 1)
            sock.sendall(frame(chunk, 0))
            # the next header announces another 16 MiB that never comes: refused on the header alone
            sock.sendall(struct.pack("<I", 0xFFFFFF | (1 << 24)))
            sock.settimeout(10)
            err = error_of(read_frame(sock))
            assert err is not None and err[0] == 1153, err
        assert srv.ping_query() == 2
    finally:
        srv.kill()
