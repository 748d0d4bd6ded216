"""Ingest rate and peak server memory of one large multi-row INSERT (issue 14 case 4).

For 1, 4 and 16 MiB statements: a fresh ``matrixone-lite serve`` process per run, one
``INSERT INTO t VALUES (...), (...), ...`` of that size sent with PyMySQL, then the server's
peak RSS (``VmHWM`` in /proc/<pid>/status) and its growth over the idle server's RSS. Baseline
in the same run: the same rows sent as small statements of 100 rows each to another fresh
server. Prints MiB/s, rows/s, the time ratio big/small and the memory per MiB of statement.

    .venv/bin/python bench/lite_big_insert.py [--sizes 1,4,16]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pymysql

ROOT = Path(__file__).resolve().parent.parent
SMALL_ROWS = 100


def _status_kib(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"{field} not in /proc/{pid}/status")


class Server:
    """A ``matrixone-lite serve`` subprocess on a free port (its own memory, measured from outside)."""

    def __init__(self, data_dir: str) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "matrixone_lite", "serve", "--port", "0", "--data-dir", data_dir,
             "--root-password", "111", "--gc-interval", "0"],
            cwd=ROOT, stdout=subprocess.PIPE, text=True,
        )
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        self.port = int(line.rsplit(":", 1)[1])

    def connect(self) -> pymysql.Connection:
        return pymysql.connect(host="127.0.0.1", port=self.port, user="root", password="111", autocommit=True,
                               max_allowed_packet=64 << 20)

    def rss_mib(self) -> float:
        return _status_kib(self.proc.pid, "VmRSS") / 1024

    def peak_mib(self) -> float:
        return _status_kib(self.proc.pid, "VmHWM") / 1024

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=30)


def _row(i: int) -> str:
    return f"({i}, 'customer {i:08d} with some text', {i % 100000}.{i % 100:02d}, {i * 7 % 1000})"


def _rows_for(size_mib: float) -> list[str]:
    target = int(size_mib * (1 << 20))
    rows: list[str] = []
    n = 60  # length of the statement head
    while n < target:
        rows.append(_row(len(rows)))
        n += len(rows[-1]) + 1
    return rows


def _setup(srv: Server) -> pymysql.Connection:
    c = srv.connect()
    with c.cursor() as cur:
        cur.execute("create database b")
        cur.execute("create table b.t (id int primary key, name varchar(40), amount decimal(12,2), q int)")
        cur.execute("insert into b.t values (-1, 'warm-up: sqlglot loads on first use', 1, 1)")
        cur.execute("delete from b.t")
    return c


def measure(size_mib: float) -> dict[str, float]:
    rows = _rows_for(size_mib)
    sql = "insert into b.t values " + ",".join(rows)
    with tempfile.TemporaryDirectory() as tmp:
        srv = Server(str(Path(tmp) / "big"))
        try:
            c = _setup(srv)
            idle = srv.rss_mib()
            t0 = time.perf_counter()
            with c.cursor() as cur:
                cur.execute(sql)
                cur.execute("select count(*) from b.t")
                assert cur.fetchone() == (len(rows),)
            big_s = time.perf_counter() - t0
            peak = srv.peak_mib()
        finally:
            srv.stop()
        srv = Server(str(Path(tmp) / "small"))
        try:
            c = _setup(srv)
            t0 = time.perf_counter()
            with c.cursor() as cur:
                for k in range(0, len(rows), SMALL_ROWS):
                    cur.execute("insert into b.t values " + ",".join(rows[k : k + SMALL_ROWS]))
            small_s = time.perf_counter() - t0
            small_peak = srv.peak_mib()
        finally:
            srv.stop()
    mib = len(sql) / (1 << 20)
    return {
        "mib": mib, "rows": len(rows), "big_s": big_s, "small_s": small_s, "idle": idle, "peak": peak,
        "small_peak": small_peak, "per_mib": (peak - idle) / mib,
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="1,4,16", help="statement sizes in MiB (default 1,4,16)")
    args = ap.parse_args(argv)
    print(f"{'size':>8} {'rows':>8} {'one stmt':>9} {'MiB/s':>6} {'rows/s':>8} {'small stmts':>11} "
          f"{'ratio':>6} {'idle RSS':>9} {'peak RSS':>9} {'small peak':>10} {'MiB/MiB':>8}")
    for s in (float(x) for x in args.sizes.split(",")):
        r = measure(s)
        print(f"{r['mib']:>6.2f}Mi {r['rows']:>8} {r['big_s']:>8.2f}s {r['mib'] / r['big_s']:>6.2f} "
              f"{r['rows'] / r['big_s']:>8.0f} {r['small_s']:>10.2f}s {r['big_s'] / r['small_s']:>5.2f}x "
              f"{r['idle']:>7.0f}Mi {r['peak']:>7.0f}Mi {r['small_peak']:>8.0f}Mi {r['per_mib']:>8.1f}",
              flush=True)
    print("ratio: time of the one statement / time of the same rows in 100-row statements; "
          "MiB/MiB: (peak - idle RSS) per MiB of statement")
    return 0


if __name__ == "__main__":
    sys.exit(main())
