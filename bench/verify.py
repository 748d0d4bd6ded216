"""Restore verification cost: batched provider reads vs a per-table loop, printed from one run.

Scenario: an account with ``--tables`` tables (default 1,000 in 10 databases, a few rows each).
Verifying means counting every table at T (time travel) and now. Three ways, same answer:

- provider: ``capture_reference`` + ``capture_state`` + ``compare`` (UNION ALL batches);
- naive loop: one ``SELECT COUNT(*)`` per table and instant over one connection;
- hook per table: one ``hook.get_first(...)`` per table and instant, i.e. what a chain of
  ``SQLValueCheckOperator`` tasks does (a new connection each call).

Round trips are counted from the server's statement log. Each method runs once to warm the
server's caches (a sensor polls the same statements again and again), then is measured. The
per-table hook method opens two connections per table, so it is measured on ``--hook-sample``
tables and extrapolated linearly (printed as such). Target: provider >= 10x faster than the naive
loop. Then the cost of the default proof (counts + columns + content) against counts only and
against the RESTORE's own time (:mod:`bench.verify_proof`). Nothing is asserted; run
``python bench/verify.py [--tables N] [--proof-rows 100000,1000000] [--proof-tables 1000]``.
"""

from __future__ import annotations

import argparse
import json
import logging
import socket
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pymysql

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from airflow_provider_matrixone.pitr.identifiers import Login  # noqa: E402
from airflow_provider_matrixone.pitr.models import Scope  # noqa: E402
from airflow_provider_matrixone.pitr.timestamps import to_epoch_ns  # noqa: E402
from airflow_provider_matrixone.pitr.verify import compare  # noqa: E402
from airflow_provider_matrixone.sql_io.capture import capture_reference, capture_state  # noqa: E402
from airflow_provider_matrixone.sql_io.operations import PitrClient  # noqa: E402
from matrixone_lite import LiteServer  # noqa: E402

PASSWORD = "bench-password"
TENANT = "benchacc"
TENANT_PASSWORD = "bench-tenant-password"


def connect(srv: LiteServer, port: int | None = None) -> pymysql.connections.Connection:
    return pymysql.connect(host=srv.host, port=port or srv.port, user=f"{TENANT}#admin", password=TENANT_PASSWORD,
                           autocommit=True)


class LatencyProxy:
    """Loopback has ~0.05 ms round trips; a real MatrixOne is across a network. This TCP proxy
    delays every forwarded chunk by half the RTT in each direction, so round trips cost what they
    cost in a data centre (``--rtt-ms``)."""

    def __init__(self, host: str, port: int, rtt_ms: float) -> None:
        self.upstream, self.half = (host, port), rtt_ms / 2000.0
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.sock.accept()
            except OSError:
                return
            up = socket.create_connection(self.upstream)
            for a, b in ((client, up), (up, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    def _pump(self, src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                time.sleep(self.half)
                dst.sendall(data)
        except OSError:
            pass
        finally:
            dst.close()

    def close(self) -> None:
        self.sock.close()


def seed(srv: LiteServer, tables: int, databases: int) -> list[tuple[str, str]]:
    root = pymysql.connect(host=srv.host, port=srv.port, user="root", password=PASSWORD, autocommit=True)
    with root.cursor() as cur:
        cur.execute(f"create account {TENANT} admin_name 'admin' identified by '{TENANT_PASSWORD}'")
    root.close()
    pairs = [(f"db{i % databases}", f"t{i}") for i in range(tables)]
    conn = connect(srv)
    with conn.cursor() as cur:
        for d in range(databases):
            cur.execute(f"create database db{d}")
        for i, (db, t) in enumerate(pairs):
            cur.execute(f"create table {db}.{t} (id int primary key, v varchar(20))")
            values = ", ".join(f"({k}, 'r{k}')" for k in range(1 + i % 5))
            cur.execute(f"insert into {db}.{t} values {values}")
    conn.close()
    return pairs


def measure(srv: LiteServer, fn: Callable[[], Any]) -> tuple[float, int, int, Any]:
    """Seconds, statements and connections (distinct conn ids in the log) of one call."""
    mark = len(srv.statement_log.entries)
    start = time.perf_counter()
    result = fn()
    seconds = time.perf_counter() - start
    entries = srv.statement_log.entries[mark:]
    return seconds, len(entries), len({e["conn"] for e in entries}), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tables", type=int, default=1000)
    parser.add_argument("--databases", type=int, default=10)
    parser.add_argument("--rtt-ms", type=float, default=1.0, help="simulated network round trip (0 to skip)")
    parser.add_argument("--hook-sample", type=int, default=100, help="tables measured for the hook method")
    parser.add_argument("--proof-rows", default="100000", help="table sizes for the default-proof vs RESTORE "
                        "cost (bench/verify_proof.py); empty to skip")
    parser.add_argument("--proof-tables", type=int, default=1000, help="small tables for the same (0 to skip)")
    args = parser.parse_args()
    logging.getLogger("mysql_mimic").setLevel(logging.CRITICAL)
    logging.getLogger("airflow_provider_matrixone").setLevel(logging.WARNING)

    with tempfile.TemporaryDirectory() as tmp, LiteServer(data_dir=tmp, port=0, version="4.2.0",
                                                          timezone="Asia/Shanghai", root_password=PASSWORD) as srv:
        t0 = time.perf_counter()
        pairs = seed(srv, args.tables, args.databases)
        print(f"seeded {len(pairs)} tables in {args.databases} databases in {time.perf_counter() - t0:.1f} s")
        time.sleep(0.05)
        import pendulum

        at = pendulum.now("UTC")
        at_ns = to_epoch_ns(at)
        time.sleep(0.05)
        conn = connect(srv)
        with conn.cursor() as cur:  # a few changes after T so "now" differs from T
            cur.execute("delete from db0.t0")
            cur.execute("insert into db1.t1 values (100, 'late')")
        conn.close()

        client = PitrClient(lambda: connect(srv), Login(TENANT, "admin"), log_sql=False)
        scope = Scope.build("account")

        def provider() -> dict[str, Any]:
            # counts only here (what the loops compare); the default content proof is measured below
            ref = capture_reference(client, scope, at_ns, fingerprint=False)
            report = compare(ref, capture_state(client, ref))
            return {r.name: (r.expected_rows, r.actual_rows) for r in report.results if r.object_type == "table"}

        def naive() -> dict[str, Any]:
            out: dict[str, Any] = {}
            c = connect(srv)
            with c.cursor() as cur:
                for db, t in pairs:
                    cur.execute(f"SELECT COUNT(*) FROM `{db}`.`{t}` {{MO_TS = {at_ns}}}")
                    then = (cur.fetchone() or (None,))[0]
                    cur.execute(f"SELECT COUNT(*) FROM `{db}`.`{t}`")
                    out[f"{db}.{t}"] = (then, (cur.fetchone() or (None,))[0])
            c.close()
            return out

        sample = pairs[: max(1, min(args.hook_sample, len(pairs)))]

        def hook_per_table() -> dict[str, Any]:
            from airflow.sdk import Connection

            from airflow_provider_matrixone.hooks.matrixone import MatrixOneHook

            hook = MatrixOneHook(connection=Connection(
                conn_id="bench", conn_type="matrixone", host=srv.host, port=srv.port, login=f"{TENANT}#admin",
                password=TENANT_PASSWORD, extra=json.dumps({"client": "pymysql"})))
            out: dict[str, Any] = {}
            for db, t in sample:
                then = hook.get_first(f"SELECT COUNT(*) FROM `{db}`.`{t}` {{MO_TS = {at_ns}}}")[0]
                out[f"{db}.{t}"] = (then, hook.get_first(f"SELECT COUNT(*) FROM `{db}`.`{t}`")[0])
            return out

        rows = []
        answers = {}
        scale = len(pairs) / len(sample)
        for name, fn in (("provider (batched)", provider), ("naive loop, 1 connection", naive),
                         ("hook call per table", hook_per_table)):
            fn()  # warm-up
            seconds, stmts, conns, answer = measure(srv, fn)
            answers[name] = answer
            if name.startswith("hook"):
                name = f"hook call per table (x{scale:g})"
                seconds, stmts, conns = seconds * scale, round(stmts * scale), round(conns * scale)
            rows.append((name, seconds, stmts, conns))
        base = rows[0][1]
        reference = answers["provider (batched)"]
        same = answers["naive loop, 1 connection"] == reference and all(
            reference.get(k) == v for k, v in answers["hook call per table"].items())
        print(f"\nverifying {len(pairs)} tables (counts at T and now); all methods agree: {same}")
        print(f"{'method':<30} {'seconds':>9} {'statements':>11} {'connections':>12} {'vs provider':>12}")
        for name, seconds, stmts, conns in rows:
            print(f"{name:<30} {seconds:>9.3f} {stmts:>11} {conns:>12} {seconds / base:>11.1f}x")
        if args.rtt_ms > 0:
            proxy = LatencyProxy(srv.host, srv.port, args.rtt_ms)
            remote = PitrClient(lambda: connect(srv, proxy.port), Login(TENANT, "admin"), log_sql=False)

            def provider_remote() -> Any:
                ref = capture_reference(remote, scope, at_ns, fingerprint=False)
                return compare(ref, capture_state(remote, ref))

            def naive_remote() -> Any:
                c = connect(srv, proxy.port)
                with c.cursor() as cur:
                    for db, t in pairs:
                        cur.execute(f"SELECT COUNT(*) FROM `{db}`.`{t}` {{MO_TS = {at_ns}}}")
                        cur.fetchone()
                        cur.execute(f"SELECT COUNT(*) FROM `{db}`.`{t}`")
                        cur.fetchone()
                c.close()

            p_s = measure(srv, provider_remote)[0]
            n_s = measure(srv, naive_remote)[0]
            proxy.close()
            print(f"with a {args.rtt_ms:g} ms network round trip: provider {p_s:.3f} s, naive loop {n_s:.3f} s "
                  f"({n_s / p_s:.1f}x)")
        print(f"round trips: provider {rows[0][2]} vs naive {rows[1][2]} ({rows[1][2] / rows[0][2]:.0f}x fewer); "
              f"hook-per-table figures extrapolated from {len(sample)} tables")
        sizes = [int(x) for x in args.proof_rows.split(",") if x.strip()]
        if sizes or args.proof_tables:
            from bench.verify_proof import run as run_proof

            run_proof(srv, PASSWORD, sizes, args.proof_tables)


if __name__ == "__main__":
    main()
