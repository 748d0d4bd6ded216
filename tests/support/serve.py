"""``matrixone-lite serve`` in a subprocess: for tests that kill -9, SIGTERM or hang the server.

Why a subprocess and not the in-process ``LiteServer``: a hung server then costs a test a bounded
wait, never pytest itself, and a SIGKILL is a real crash (no shutdown hook runs). ``close()``
always ends the process (SIGTERM, then SIGKILL); ``start()`` may be called again after
``kill9()`` on the same data directory. The root password reaches the process through
``MO_LITE_ROOT_PASSWORD``, never its command line.
"""

from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pymysql

ROOT = Path(__file__).resolve().parents[2]
#: sys root's password of every ServeProcess (tests/conftest.py sets it, random per session).
PASSWORD = os.environ.get("MO_TEST_PASSWORD") or "serve-" + os.urandom(4).hex()


class ServeProcess:
    """One ``matrixone-lite serve`` on 127.0.0.1, port chosen by the OS.

    ``data_dir`` holds ``stderr.log`` and (with ``statement_log=True``) ``statements.jsonl``;
    the server's data lives in ``data_dir / "data"`` and survives kill -9 and restarts.
    ``extra`` are more ``serve`` flags (e.g. ``--statement-timeout``).
    """

    def __init__(self, data_dir: Path, *extra: str, log_level: str = "WARNING", statement_log: bool = False,
                 timezone: str = "UTC", password: str = PASSWORD) -> None:
        self.data_dir = Path(data_dir)
        self.extra = list(extra)
        self.log_level, self.timezone, self.password = log_level, timezone, password
        self.log_path: Path | None = self.data_dir / "statements.jsonl" if statement_log else None
        self.host = "127.0.0.1"
        self.port = 0
        self.proc: subprocess.Popen[str] | None = None
        self._stderr: Any = None

    def start(self, timeout: float = 60.0) -> ServeProcess:
        """Start (or restart after ``kill9``) and wait for the "listening on" line."""
        assert self.proc is None or self.proc.poll() is not None, "already running"
        self.close()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self._stderr = open(self.data_dir / "stderr.log", "a", encoding="utf-8")  # noqa: SIM115 - closed in close()
        argv = [sys.executable, "-m", "matrixone_lite", "--log-level", self.log_level, "serve", "--host", self.host,
                "--port", "0", "--data-dir", str(self.data_dir / "data"), "--timezone", self.timezone]
        if self.log_path is not None:
            argv += ["--statement-log", str(self.log_path)]
        env = {**os.environ, "MO_LITE_ROOT_PASSWORD": self.password, "PYTHONPATH": str(ROOT)}
        self.proc = subprocess.Popen([*argv, *self.extra], env=env, stdout=subprocess.PIPE, stderr=self._stderr,
                                     text=True, cwd=str(ROOT))
        assert self.proc.stdout is not None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            ready, _, _ = select.select([self.proc.stdout], [], [], 0.2)
            if ready:
                line = self.proc.stdout.readline()
                if "listening on" in line:
                    self.port = int(line.strip().rsplit(":", 1)[1])
                    return self
                if not line and self.proc.poll() is not None:
                    break
        self.close()
        raise RuntimeError(f"matrixone-lite serve did not start: {self.stderr()[-2000:]}")

    def stderr(self) -> str:
        path = self.data_dir / "stderr.log"
        return path.read_text(encoding="utf-8") if path.exists() else ""

    def statements(self) -> list[str]:
        """Every statement logged so far (across restarts: the file is appended to)."""
        if self.log_path is None or not self.log_path.exists():
            return []
        out = []
        for line in self.log_path.read_text(encoding="utf-8").splitlines():
            try:
                out.append(json.loads(line)["sql"])
            except (ValueError, KeyError):
                continue  # a line torn by kill -9
        return out

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

    def kill9(self) -> None:
        """SIGKILL: no shutdown hook runs, exactly like a crash or an OOM kill."""
        if self.proc is not None and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)

    def close(self) -> None:
        """End the process (SIGTERM, SIGKILL after 10 s) and close its pipes; safe to call twice."""
        if self.proc is not None:
            if self.proc.poll() is None:
                self.proc.terminate()
                try:
                    self.proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    self.kill9()
            if self.proc.stdout is not None:
                self.proc.stdout.close()
        if self._stderr is not None:
            self._stderr.close()
            self._stderr = None

    def kill(self) -> None:
        """SIGKILL now (no grace period), then close the pipes: the teardown for a server that may hang."""
        self.kill9()
        self.close()

    def connect(self, **kw: Any) -> pymysql.Connection:
        """PyMySQL as sys root, autocommit, bounded timeouts (a hung server fails the test, not pytest)."""
        kw.setdefault("autocommit", True)
        kw.setdefault("connect_timeout", 10)
        kw.setdefault("read_timeout", 30)
        return pymysql.connect(host=self.host, port=self.port, user="root", password=self.password, **kw)

    def ping_query(self) -> Any:
        """A fresh PyMySQL login and a query: the server still serves other clients."""
        conn = self.connect(read_timeout=10)
        try:
            with conn.cursor() as cur:
                cur.execute("select 1 + 1")
                return cur.fetchone()[0]  # type: ignore[index]
        finally:
            conn.close()
