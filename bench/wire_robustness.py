"""Wire robustness figures for docs/reliability.md (issue 14): fuzzing, SIGTERM, runaway statements.

Each figure is measured next to its baseline in the same run, on a real ``matrixone-lite serve``
subprocess over TCP:

- fuzz: N seeded cases (handshake / command / COM_CHANGE_USER), how many the server survived
  (answered or closed within 5 s), and a bystander PyMySQL client's median latency during the
  fuzzing against its median latency on an idle server;
- SIGTERM: time to exit with two runaway statements running, against an idle server;
- runaway statements: time from the client's disconnect until the statement is interrupted and
  its session gone, the server's CPU use in the second after, and time to error 3024 with a 1 s
  limit (baseline: the limit itself).

Run: ``python bench/wire_robustness.py [--cases 3000] [--seed 14]``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import pymysql

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.lite.wire.serve_support import ServeProcess  # noqa: E402
from tests.lite.wire.wire_fuzz import fuzz  # noqa: E402

CTE = "WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n+1 FROM c) SELECT count(*) FROM c"


def _latencies(srv: ServeProcess, stop: threading.Event, out: list[float], errors: list[str]) -> None:
    conn = srv.connect(read_timeout=10)
    try:
        while not stop.is_set():
            t = time.perf_counter()
            try:
                with conn.cursor() as cur:
                    cur.execute("select 6 * 7")
                    if cur.fetchall()[0][0] != 42:
                        errors.append("wrong answer")
            except pymysql.MySQLError as e:
                errors.append(repr(e))
                return
            out.append(time.perf_counter() - t)
            stop.wait(0.01)
    finally:
        conn.close()


def bench_fuzz(tmp: Path, cases: int, seed: int) -> None:
    srv = ServeProcess(tmp / "fuzz").start()
    try:
        idle: list[float] = []
        errors: list[str] = []
        stop = threading.Event()
        t = threading.Thread(target=_latencies, args=(srv, stop, idle, errors))
        t.start()
        time.sleep(2.0)
        stop.set()
        t.join()
        busy: list[float] = []
        stop = threading.Event()
        t = threading.Thread(target=_latencies, args=(srv, stop, busy, errors))
        t.start()
        report = fuzz(srv, seed, cases, budget_s=600)
        stop.set()
        t.join()
        survived = report.total - len(report.hung)
        alive = srv.proc is not None and srv.proc.poll() is None
        took = srv.terminate(timeout=5.0)
        print(f"fuzz seed {seed}: {report.total} cases {report.cases} in {report.elapsed:.1f} s, "
              f"survived {survived}/{report.total}, server alive after: {alive}, SIGTERM after fuzzing: "
              + (f"{took:.2f} s" if took is not None else "IGNORED"))
        ratio = statistics.median(busy) / statistics.median(idle)
        print(f"bystander latency: median {statistics.median(idle) * 1e3:.2f} ms idle, "
              f"{statistics.median(busy) * 1e3:.2f} ms during fuzzing (x{ratio:.2f}); "
              f"max {max(busy) * 1e3:.1f} ms; {len(busy)} answers, {len(errors)} errors")
    finally:
        srv.kill()


def _runaway(srv: ServeProcess, sql: str) -> threading.Thread:
    def target() -> None:
        conn = srv.connect(read_timeout=60)
        try:
            with conn.cursor() as cur:
                cur.execute(sql)
        except pymysql.MySQLError:
            pass
        finally:
            conn.close()

    t = threading.Thread(target=target, daemon=True)
    t.start()
    return t


def bench_sigterm(tmp: Path) -> None:
    srv = ServeProcess(tmp / "idle").start()
    idle = srv.terminate(timeout=30.0)
    srv.kill()
    srv = ServeProcess(tmp / "load", "--max-execution-time", "0").start()
    try:
        for _ in range(2):
            _runaway(srv, CTE)
        time.sleep(1.5)
        loaded = srv.terminate(timeout=30.0)
    finally:
        srv.kill()
    assert idle is not None
    print(f"SIGTERM: idle server exits in {idle:.2f} s; with 2 runaway statements running "
          + (f"{loaded:.2f} s (x{loaded / idle:.2f})" if loaded is not None else "NOT within 30 s"))


def _processlist_ids(srv: ServeProcess) -> set[int]:
    conn = srv.connect(read_timeout=10)
    try:
        with conn.cursor() as cur:
            cur.execute("show processlist")
            return {int(r[0]) for r in cur.fetchall()}
    finally:
        conn.close()


def bench_cancel(tmp: Path, rounds: int = 3) -> None:
    srv = ServeProcess(tmp / "cancel", "--max-execution-time", "0").start()
    try:
        times, cpu_after = [], []
        for _ in range(rounds):
            conn = srv.connect(read_timeout=1)
            with conn.cursor() as cur:
                cur.execute("select connection_id()")
                cid = int(cur.fetchone()[0])  # type: ignore[index]
                try:
                    cur.execute(CTE)
                except pymysql.err.OperationalError:
                    pass
            conn.close()
            gone_at = time.monotonic()
            while cid in _processlist_ids(srv) and time.monotonic() - gone_at < 30:
                time.sleep(0.02)
            times.append(time.monotonic() - gone_at)
            cpu = srv.cpu_seconds()
            time.sleep(1.0)
            cpu_after.append(srv.cpu_seconds() - cpu)
        print(f"disconnect -> statement interrupted and session gone: {rounds}/{rounds} cancelled, "
              f"median {statistics.median(times):.2f} s, max {max(times):.2f} s; server CPU in the next second: "
              f"median {statistics.median(cpu_after):.2f} s (a runaway uses ~1.0)")
    finally:
        srv.kill()
    srv = ServeProcess(tmp / "limit", "--max-execution-time", "1").start()
    try:
        conn = srv.connect(read_timeout=30)
        t = time.monotonic()
        with conn.cursor() as cur:
            try:
                cur.execute(CTE)
                code = 0
            except pymysql.err.OperationalError as e:
                code = e.args[0]
        took = time.monotonic() - t
        conn.close()
        print(f"--max-execution-time 1: error {code} after {took:.2f} s (x{took:.2f} the limit)")
    finally:
        srv.kill()


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cases", type=int, default=3000)
    ap.add_argument("--seed", type=int, default=14)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="mo-wire-bench-") as d:
        tmp = Path(d)
        bench_fuzz(tmp, args.cases, args.seed)
        bench_sigterm(tmp)
        bench_cancel(tmp)
    return 0


if __name__ == "__main__":
    sys.exit(main())
