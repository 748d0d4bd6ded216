"""matrixone_lite under load: N concurrent clients x M mixed statements, errors and latency.

Why: every test and the demo share one embedded server; it must not drop or fail statements
when many clients hit it at once. Each client gets its own table slice and runs a fixed mix
(40% point SELECT, 25% INSERT, 15% UPDATE, 10% range SELECT with aggregate, 5% DELETE,
5% time-travel COUNT), all over real TCP with PyMySQL. At the end each client's rows are
counted and compared with what it believes it wrote, so silent loss counts as an error too.

Target: 0 errors. Run: ``python bench/lite_load.py [--clients 32] [--statements 500]``.
"""

from __future__ import annotations

import argparse
import logging
import random
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import pymysql

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from matrixone_lite import LiteServer  # noqa: E402

PASSWORD = "bench-load-password"
MIX = [("point_select", 40), ("insert", 25), ("update", 15), ("range_select", 10), ("delete", 5),
       ("time_travel", 5)]


def percentile(samples: list[float], pct: float) -> float:
    ordered = sorted(samples)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(pct / 100.0 * (len(ordered) - 1))))
    return ordered[index]


def _client(srv: LiteServer, cid: int, statements: int, barrier: threading.Barrier,
            latencies: dict[str, list[float]], errors: list[str], lock: threading.Lock) -> None:
    rng = random.Random(cid)
    kinds = [k for k, w in MIX for _ in range(w)]
    live: set[int] = set()
    next_id = cid * 1_000_000
    local: dict[str, list[float]] = {k: [] for k, _ in MIX}
    try:
        conn = pymysql.connect(host=srv.host, port=srv.port, user="root", password=PASSWORD, database="load",
                               autocommit=True)
    except Exception as exc:  # noqa: BLE001 - counted as an error
        with lock:
            errors.append(f"client {cid} connect: {exc!r}")
        barrier.abort()
        return
    cur = conn.cursor()
    for _ in range(5):  # a few rows so reads have something to find
        next_id += 1
        cur.execute("INSERT INTO kv (id, owner, v) VALUES (%s, %s, %s)", (next_id, cid, 0))
        live.add(next_id)
    time.sleep(0.01)
    since_ns = time.time_ns()
    try:
        barrier.wait()
    except threading.BrokenBarrierError:
        conn.close()
        return
    for _ in range(statements):
        kind = rng.choice(kinds)
        if kind in ("update", "delete", "point_select") and not live:
            kind = "insert"
        start = time.perf_counter()
        try:
            if kind == "point_select":
                cur.execute("SELECT v FROM kv WHERE id = %s", (rng.choice(sorted(live)),))
                cur.fetchall()
            elif kind == "insert":
                next_id += 1
                cur.execute("INSERT INTO kv (id, owner, v) VALUES (%s, %s, %s)", (next_id, cid, rng.randint(0, 999)))
                live.add(next_id)
            elif kind == "update":
                cur.execute("UPDATE kv SET v = v + 1 WHERE id = %s", (rng.choice(sorted(live)),))
            elif kind == "range_select":
                cur.execute("SELECT COUNT(*), SUM(v) FROM kv WHERE owner = %s", (cid,))
                cur.fetchall()
            elif kind == "delete":
                victim = rng.choice(sorted(live))
                cur.execute("DELETE FROM kv WHERE id = %s", (victim,))
                live.discard(victim)
            else:
                cur.execute(f"SELECT COUNT(*) FROM kv {{MO_TS = {since_ns}}} WHERE owner = %s", (cid,))
                cur.fetchall()
            local[kind].append((time.perf_counter() - start) * 1000.0)
        except Exception as exc:  # noqa: BLE001 - counted as an error
            with lock:
                errors.append(f"client {cid} {kind}: {exc!r}")
    cur.execute("SELECT COUNT(*) FROM kv WHERE owner = %s", (cid,))
    (count,) = cur.fetchone() or (None,)
    if count != len(live):
        with lock:
            errors.append(f"client {cid}: {count} rows on the server, {len(live)} acknowledged")
    conn.close()
    with lock:
        for k, v in local.items():
            latencies[k].extend(v)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--statements", type=int, default=500)
    args = parser.parse_args(argv)
    logging.getLogger("mysql_mimic").setLevel(logging.CRITICAL)

    latencies: dict[str, list[float]] = {k: [] for k, _ in MIX}
    errors: list[str] = []
    lock = threading.Lock()
    with tempfile.TemporaryDirectory() as data_dir, LiteServer(data_dir=data_dir, port=0, root_password=PASSWORD,
                                                               timezone="UTC") as srv:
        setup = pymysql.connect(host=srv.host, port=srv.port, user="root", password=PASSWORD, autocommit=True)
        with setup.cursor() as cur:
            cur.execute("CREATE DATABASE load")
            cur.execute("CREATE TABLE load.kv (id BIGINT PRIMARY KEY, owner INT, v INT)")
        setup.close()
        barrier = threading.Barrier(args.clients + 1)
        threads = [threading.Thread(target=_client, args=(srv, c, args.statements, barrier, latencies, errors, lock))
                   for c in range(args.clients)]
        for t in threads:
            t.start()
        try:
            barrier.wait(timeout=120)
        except threading.BrokenBarrierError:
            pass
        start = time.perf_counter()
        for t in threads:
            t.join()
        elapsed = time.perf_counter() - start

    everything = [x for v in latencies.values() for x in v]
    total = args.clients * args.statements
    print(f"matrixone_lite load: {args.clients} concurrent clients x {args.statements} mixed statements "
          f"= {total} statements in {elapsed:.1f} s ({len(everything) / elapsed:,.0f} statements/s)")
    print(f"errors: {len(errors)} (target 0)" + (f"; first: {errors[0]}" if errors else ""))
    print(f"{'statement':<16}{'count':>8}{'p50 ms':>10}{'p99 ms':>10}")
    rows = {}
    for kind, samples in [*latencies.items(), ("all", everything)]:
        rows[kind] = {"count": len(samples), "p50_ms": percentile(samples, 50), "p99_ms": percentile(samples, 99)}
        print(f"{kind:<16}{len(samples):>8}{rows[kind]['p50_ms']:>10.2f}{rows[kind]['p99_ms']:>10.2f}")
    return {"clients": args.clients, "statements": args.statements, "total": total, "seconds": elapsed,
            "errors": len(errors), "first_error": errors[0] if errors else None, "latency": rows}


if __name__ == "__main__":
    main()
