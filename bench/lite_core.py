"""matrixone_lite core latency and throughput, printed as figures and ratios from one run.

What it measures (issue "matrixone_lite core", Performance):
- p50 / p99 latency over one PyMySQL connection of ``SELECT 1``, a point INSERT and a point
  SELECT by primary key;
- throughput (statements/s) of point SELECTs with 1, 8 and 32 concurrent connections;
- the wire-protocol tax: the same point query over TCP vs run directly on the embedded engine
  in-process (``EngineSession.execute``), as a ratio.

Targets: p50 point query <= 3 ms, wire tax <= 5x. Nothing here is asserted; run
``python bench/lite_core.py [--rows N] [--iterations N]`` and read the table.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pymysql

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from matrixone_lite import LiteServer  # noqa: E402

PASSWORD = "bench-password"


def percentile(samples: list[float], pct: float) -> float:
    ordered = sorted(samples)
    index = min(len(ordered) - 1, max(0, round(pct / 100.0 * (len(ordered) - 1))))
    return ordered[index]


def timed(fn: Callable[[int], object], iterations: int) -> list[float]:
    """Latency of each call in milliseconds."""
    samples = []
    for i in range(iterations):
        start = time.perf_counter()
        fn(i)
        samples.append((time.perf_counter() - start) * 1000.0)
    return samples


def connect(srv: LiteServer) -> pymysql.connections.Connection:
    return pymysql.connect(
        host=srv.host, port=srv.port, user="root", password=PASSWORD, database="bench", autocommit=True
    )


def throughput(srv: LiteServer, clients: int, per_client: int, rows: int) -> float:
    """Point SELECTs per second with ``clients`` concurrent connections."""
    errors: list[BaseException] = []
    barrier = threading.Barrier(clients + 1)

    def worker(seed: int) -> None:
        try:
            conn = connect(srv)
            with conn.cursor() as cur:
                barrier.wait()
                for i in range(per_client):
                    cur.execute("SELECT v FROM kv WHERE id = %s", ((seed * 7919 + i) % rows + 1,))
                    cur.fetchall()
            conn.close()
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
            barrier.abort()

    threads = [threading.Thread(target=worker, args=(c,)) for c in range(clients)]
    for t in threads:
        t.start()
    barrier.wait()
    start = time.perf_counter()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - start
    if errors:
        raise RuntimeError(f"{len(errors)} client(s) failed: {errors[0]!r}")
    return clients * per_client / elapsed


def main(argv: list[str] | None = None) -> dict[str, float]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--iterations", type=int, default=2_000)
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as data_dir, LiteServer(
        data_dir=data_dir, port=0, root_password=PASSWORD, timezone="UTC"
    ) as srv:
        setup = pymysql.connect(host=srv.host, port=srv.port, user="root", password=PASSWORD, autocommit=True)
        with setup.cursor() as cur:
            cur.execute("CREATE DATABASE bench")
            cur.execute("CREATE TABLE bench.kv (id INT PRIMARY KEY, v VARCHAR(64))")
            batch = 1000
            for start in range(0, args.rows, batch):
                values = ", ".join(f"({i + 1}, 'value-{i + 1}')" for i in range(start, min(args.rows, start + batch)))
                cur.execute(f"INSERT INTO bench.kv (id, v) VALUES {values}")
            cur.execute("CREATE TABLE bench.ins (id INT PRIMARY KEY, v VARCHAR(64))")
        setup.close()

        conn = connect(srv)
        cur = conn.cursor()
        rows = args.rows
        n = args.iterations

        def select_one(_: int) -> None:
            cur.execute("SELECT 1")
            cur.fetchall()

        def point_insert(i: int) -> None:
            cur.execute("INSERT INTO ins (id, v) VALUES (%s, 'x')", (i + 1,))

        def point_select(i: int) -> None:
            cur.execute("SELECT v FROM kv WHERE id = %s", ((i * 7919) % rows + 1,))
            cur.fetchall()

        results: dict[str, list[float]] = {
            "SELECT 1": timed(select_one, n),
            "point INSERT": timed(point_insert, n),
            "point SELECT by PK": timed(point_select, n),
        }
        cur.close()
        conn.close()

        # The same point query on the embedded engine, in-process: the floor the wire adds to.
        session = srv.engine.session("sys", "root", None)
        session.use("bench")

        def engine_select(i: int) -> None:
            session.execute(f"SELECT v FROM kv WHERE id = {(i * 7919) % rows + 1}")

        engine_samples = timed(engine_select, n)
        session.close()

        tput = {c: throughput(srv, c, max(50, n // c), rows) for c in (1, 8, 32)}

    print(f"matrixone_lite core benchmark: {rows} rows, {n} iterations per measurement")
    print(f"{'measurement':<28}{'p50 ms':>10}{'p99 ms':>10}")
    for name, samples in results.items():
        print(f"{name:<28}{percentile(samples, 50):>10.3f}{percentile(samples, 99):>10.3f}")
    print(f"{'engine point SELECT (no wire)':<28}{percentile(engine_samples, 50):>10.3f}{percentile(engine_samples, 99):>10.3f}")
    wire_tax = statistics.median(results["point SELECT by PK"]) / statistics.median(engine_samples)
    print(f"wire tax (TCP p50 / in-process p50): {wire_tax:.2f}x   (target <= 5x)")
    p50_point = percentile(results["point SELECT by PK"], 50)
    print(f"p50 point query: {p50_point:.3f} ms   (target <= 3 ms)")
    for clients, rate in tput.items():
        print(f"throughput, {clients:>2} connection(s): {rate:,.0f} point SELECTs/s")
    return {"wire_tax": wire_tax, "p50_point_ms": p50_point, **{f"tput_{c}": r for c, r in tput.items()}}


if __name__ == "__main__":
    main()
