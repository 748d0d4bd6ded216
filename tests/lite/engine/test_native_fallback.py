"""When the native functions cannot be built, lite says so once and answers with the Python ones;
under ``MO_LITE_NATIVE=required`` (``make test``) the same failure is an error, never a silent fallback.

Each case is a fresh Python process (the library is loaded once per process) whose compiler is
``false`` and whose build cache is empty, so the build really fails; it starts a lite server and
queries it over TCP with PyMySQL.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]

SCRIPT = textwrap.dedent("""
    import sys, tempfile
    import pymysql
    from matrixone_lite import LiteServer, native
    with tempfile.TemporaryDirectory() as data, LiteServer(data_dir=data, port=0, root_password="111") as srv:
        for _ in range(3):  # three sessions: one log line, not three
            conn = pymysql.connect(host=srv.host, port=srv.port, user="root", password="111", autocommit=True)
            with conn.cursor() as cur:
                cur.execute("select md5('abc'), hex('a'), crc32('MySQL'), concat_ws(',', 'a', NULL, 'b')")
                print(cur.fetchone())
            conn.close()
        print("native active:", native.active())
""")


def _run(tmp_path: Path, mode: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "MO_LITE_NATIVE": mode, "CC": "false", "MO_LITE_NATIVE_CACHE": str(tmp_path / "cache"),
           "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-c", SCRIPT], env=env, cwd=ROOT, capture_output=True, text=True,
                          timeout=120, check=False)


def test_build_failure_logs_one_line_and_python_answers(tmp_path: Path) -> None:
    done = _run(tmp_path, "auto")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[:3] == ["('900150983cd24fb0d6963f7d28e17f72', '61', 3259397556, 'a,b')"] * 3
    assert lines[3] == "native active: False"
    warned = [line for line in done.stderr.splitlines() if "native SQL functions unavailable" in line]
    assert len(warned) == 1, done.stderr
    assert "using the Python ones" in warned[0] and "compiling mo_native.c failed" in warned[0]


def test_build_failure_is_an_error_when_required(tmp_path: Path) -> None:
    done = _run(tmp_path, "required")
    assert done.returncode != 0
    assert "NativeUnavailable" in done.stderr and "MO_LITE_NATIVE=required" in done.stderr
    assert "900150983cd24fb0d6963f7d28e17f72" not in done.stdout  # nothing was answered
