"""`matrixone-lite serve` in a subprocess, for tests where the server may hang or must get SIGTERM.

A hung server then costs the test a bounded wait, never pytest itself; ``close()`` always ends
the process (SIGTERM, then SIGKILL) and reports how long SIGTERM took.
"""

from __future__ import annotations

import hashlib
import os
import select
import signal
import socket
import struct
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pymysql

ROOT = Path(__file__).resolve().parents[3]
PASSWORD = "serve-" + os.urandom(4).hex()


class ServeProcess:
    def __init__(self, data_dir: Path, *extra: str) -> None:
        self.data_dir = Path(data_dir)
        self.extra = list(extra)
        self.host = "127.0.0.1"
        self.port = 0
        self.proc: subprocess.Popen[str] | None = None

    def start(self, timeout: float = 60.0) -> ServeProcess:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self._stderr = open(self.data_dir / "stderr.log", "a", encoding="utf-8")  # noqa: SIM115 - closed in close()
        env = {**os.environ, "MO_LITE_ROOT_PASSWORD": PASSWORD, "PYTHONPATH": str(ROOT)}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "matrixone_lite", "--log-level", "WARNING", "serve", "--port", "0",
             "--data-dir", str(self.data_dir / "data"), "--timezone", "UTC", *self.extra],
            env=env, stdout=subprocess.PIPE, stderr=self._stderr, text=True, cwd=str(ROOT))
        assert self.proc.stdout is not None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            ready, _, _ = select.select([self.proc.stdout], [], [], 0.2)
            if ready:
                line = self.proc.stdout.readline()
                if "listening on" in line:
                    self.port = int(line.strip().rsplit(":", 1)[1])
                    return self
                if not line:
                    break
        self.kill()
        raise RuntimeError(f"serve did not start: {self.stderr()[-2000:]}")

    def stderr(self) -> str:
        path = self.data_dir / "stderr.log"
        return path.read_text(encoding="utf-8") if path.exists() else ""

    def cpu_seconds(self) -> float:
        """user+system CPU time of the server process so far (Linux /proc)."""
        assert self.proc is not None
        fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def terminate(self, timeout: float = 5.0) -> float | None:
        """SIGTERM; seconds until the process exited, or None if it was still alive after ``timeout``."""
        assert self.proc is not None
        start = time.monotonic()
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return None
        return time.monotonic() - start

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)
        if self.proc is not None and self.proc.stdout is not None:
            self.proc.stdout.close()
        if getattr(self, "_stderr", None) is not None:
            self._stderr.close()

    def connect(self, **kw: Any) -> pymysql.Connection:
        kw.setdefault("autocommit", True)
        kw.setdefault("connect_timeout", 10)
        kw.setdefault("read_timeout", 30)
        return pymysql.connect(host=self.host, port=self.port, user="root", password=PASSWORD, **kw)

    def ping_query(self) -> Any:
        """A fresh PyMySQL login and a query: the server still serves other clients."""
        conn = self.connect(read_timeout=10)
        try:
            with conn.cursor() as cur:
                cur.execute("select 1 + 1")
                return cur.fetchone()[0]  # type: ignore[index]
        finally:
            conn.close()


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
