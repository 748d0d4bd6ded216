"""The wire fuzzer: seeded random, truncated and mutated handshake, command and COM_CHANGE_USER packets.

Shared by tests/lite/wire/test_wire_fuzz.py (CI) and bench/wire_robustness.py (figures). Every case
opens its own TCP connection, sends its packet, half-closes, and reads until the server closes
the connection: a case "survives" when the server answers or closes within ``CASE_TIMEOUT_S``.
"""

from __future__ import annotations

import random
import socket
import struct
import threading
import time
from dataclasses import dataclass, field

import pymysql

from tests.lite.wire.serve_support import (
    BASE_CAPS,
    CLIENT_CONNECT_ATTRS,
    CLIENT_CONNECT_WITH_DB,
    CLIENT_PLUGIN_AUTH,
    CLIENT_PLUGIN_AUTH_LENENC,
    PASSWORD,
    frame,
    handshake_salt,
    raw_login,
    read_frame,
    scramble,
)
from tests.support.serve import ServeProcess

CASE_TIMEOUT_S = 5.0
KINDS = ("handshake", "command", "change_user")


@dataclass
class FuzzReport:
    seed: int
    cases: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    hung: list[str] = field(default_factory=list)
    answers: dict[str, int] = field(default_factory=dict)  # first reply byte (or "closed") -> count
    elapsed: float = 0.0

    @property
    def total(self) -> int:
        return sum(self.cases.values())


def _mutate(rng: random.Random, data: bytes) -> bytes:
    """Truncate, flip, insert or delete bytes (or replace everything with noise)."""
    b = bytearray(data)
    op = rng.randrange(6)
    if op == 0 and b:
        return bytes(b[:rng.randrange(len(b))])  # truncated
    if op == 1:
        return rng.randbytes(rng.randrange(0, 80))  # noise
    for _ in range(rng.randint(1, 4)):
        if not b:
            break
        i = rng.randrange(len(b))
        if op == 2:
            b[i] = rng.randrange(256)
        elif op == 3:
            b[i:i] = rng.randbytes(rng.randint(1, 8))
        elif op == 4:
            del b[i:i + rng.randint(1, 8)]
        else:
            b[i] = 0 if b[i] else 0xFF  # NULs appear and vanish
    return bytes(b)


def _handshake_body(rng: random.Random, salt: bytes) -> bytes:
    caps = BASE_CAPS
    for flag in (CLIENT_PLUGIN_AUTH, CLIENT_CONNECT_WITH_DB, CLIENT_CONNECT_ATTRS, CLIENT_PLUGIN_AUTH_LENENC):
        if rng.random() < 0.5:
            caps |= flag
    if rng.random() < 0.1:
        caps = rng.getrandbits(32)
    auth = scramble(PASSWORD, salt) if rng.random() < 0.5 else rng.randbytes(20)
    body = struct.pack("<IIB", caps, rng.getrandbits(32), rng.choice((33, 45, 255, 8, 63))) + bytes(23)
    body += rng.choice((b"root", b"sys#root", b"a#b#c", b"\xff\xfe", b"")) + b"\x00"
    if caps & CLIENT_PLUGIN_AUTH_LENENC:
        body += bytes([len(auth)]) + auth
    else:
        body += bytes([len(auth)]) + auth
    if caps & CLIENT_CONNECT_WITH_DB:
        body += b"mo_catalog\x00"
    if caps & CLIENT_PLUGIN_AUTH:
        body += b"mysql_native_password\x00"
    if caps & CLIENT_CONNECT_ATTRS:
        attrs = b"\x04_pid\x031234\x07_client\x04fuzz"
        body += bytes([len(attrs)]) + attrs
    return body


def _change_user_body(rng: random.Random) -> bytes:
    auth = rng.randbytes(20)
    body = rng.choice((b"root", b"sys#root", b"")) + b"\x00" + bytes([len(auth)]) + auth + b"mo_catalog\x00"
    if rng.random() < 0.7:
        body += struct.pack("<H", rng.choice((33, 45, 255, 999))) + b"mysql_native_password\x00"
        if rng.random() < 0.5:
            body += b"\x05\x01a\x02bc"
    return body


def _command(rng: random.Random) -> bytes:
    command = rng.choice((0x03, 0x03, 0x0E, 0x16, 0x17, 0x18, 0x19, 0x1A, 0x1C, 0x1F, 0x02, 0x04, 0x05,
                          0x08, 0x0A, 0x0D, 0x12, 0x1B, 0x1D, rng.randrange(256)))
    if command == 0x03:
        payload = rng.choice((b"select 1", b"select", b"set @a = ", b"\xff\xfe\x00", b"show variables like '%"))
    elif command == 0x17:  # COM_STMT_EXECUTE
        payload = struct.pack("<IBI", rng.randrange(3), rng.randrange(256), 1) + rng.randbytes(rng.randrange(24))
    else:
        payload = rng.randbytes(rng.randrange(0, 40))
    return bytes([command]) + _mutate(rng, payload) if rng.random() < 0.5 else bytes([command]) + payload


def _drain(sock: socket.socket) -> str:
    """Read until the server closes; returns the first reply byte as text, or 'closed'; raises on a hang."""
    sock.settimeout(CASE_TIMEOUT_S)
    first = "closed"
    deadline = time.monotonic() + CASE_TIMEOUT_S
    while time.monotonic() < deadline:
        try:
            chunk = sock.recv(65536)
        except (ConnectionResetError, BrokenPipeError):
            return first
        if not chunk:
            return first
        if first == "closed" and len(chunk) > 4:
            first = f"0x{chunk[4]:02x}"
    raise TimeoutError


def run_case(srv: ServeProcess, rng: random.Random, kind: str) -> str:
    if kind == "handshake":
        sock = socket.create_connection((srv.host, srv.port), timeout=CASE_TIMEOUT_S)
        salt = handshake_salt(read_frame(sock))
        body = _handshake_body(rng, salt)
        if rng.random() < 0.8:
            body = _mutate(rng, body)
        payload = frame(body, 1)
    else:
        sock = raw_login(srv.port, timeout=CASE_TIMEOUT_S)
        if kind == "change_user":
            payload = frame(b"\x11" + _mutate(rng, _change_user_body(rng)), 0)
        else:
            payload = frame(_command(rng), 0)
    if rng.random() < 0.05:
        payload = payload[:rng.randrange(1, 4)]  # a torn header
    try:
        sock.sendall(payload)
        sock.shutdown(socket.SHUT_WR)  # the client is done: the server must answer or close
        return _drain(sock)
    finally:
        sock.close()


class Bystander(threading.Thread):
    """A second real client (PyMySQL) that keeps querying while the fuzzer runs."""

    def __init__(self, srv: ServeProcess) -> None:
        super().__init__(daemon=True)
        self.srv = srv
        self.answers = 0
        self.errors: list[str] = []
        self.max_latency = 0.0
        self._halt = threading.Event()

    def run(self) -> None:
        conn = self.srv.connect(read_timeout=CASE_TIMEOUT_S * 2)
        try:
            while not self._halt.is_set():
                t = time.monotonic()
                try:
                    with conn.cursor() as cur:
                        cur.execute("select 6 * 7")
                        value = cur.fetchone()[0]  # type: ignore[index]
                except pymysql.MySQLError as e:
                    self.errors.append(repr(e))
                    return
                self.max_latency = max(self.max_latency, time.monotonic() - t)
                if value == 42:
                    self.answers += 1
                else:
                    self.errors.append(f"wrong answer {value!r}")
                self._halt.wait(0.02)
        finally:
            conn.close()

    def stop(self) -> None:
        self._halt.set()
        self.join(timeout=CASE_TIMEOUT_S * 3)


def fuzz(srv: ServeProcess, seed: int, cases: int, budget_s: float) -> FuzzReport:
    """Run up to ``cases`` cases (a third of each kind, interleaved) within ``budget_s`` seconds."""
    rng = random.Random(seed)
    report = FuzzReport(seed)
    start = time.monotonic()
    for i in range(cases):
        if time.monotonic() - start > budget_s:
            break
        kind = KINDS[i % 3]
        case_rng = random.Random(rng.getrandbits(64))
        try:
            answer = run_case(srv, case_rng, kind)
        except (TimeoutError, OSError, RuntimeError) as e:
            report.hung.append(f"{kind} case {i}: {type(e).__name__} {e}")
            answer = "hung"
            if len(report.hung) > 3:
                report.cases[kind] += 1
                break
        report.cases[kind] += 1
        report.answers[answer] = report.answers.get(answer, 0) + 1
    report.elapsed = time.monotonic() - start
    return report
