"""Did splitting EngineSession and classifying statements once slow a statement down?

Runs the same point-SELECT measurement (bench/lite_core.py's "point SELECT by PK" over TCP with
PyMySQL, and the same query on ``EngineSession.execute`` in-process) on this tree and on a
baseline commit (default: the merge base with ``main``, exported with ``git archive``), each in
its own subprocess, alternating A/B for several rounds so both see the same machine load. Prints
the median p50 of each side and the ratio this tree / baseline (1.00 = no change). INSERTs run
inside one transaction: an autocommit INSERT is dominated by the commit's fsync, which on a shared
disk varies several-fold between runs and would hide the statement's own cost. Nothing is
asserted; run ``python bench/lite_engine_split.py [--baseline REF] [--rounds N]``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

MEASURE = r"""
import json, statistics, sys, tempfile, time
import pymysql
from matrixone_lite import LiteServer
rows, n = int(sys.argv[1]), int(sys.argv[2])
def p50(fn):
    s = []
    for i in range(n):
        t = time.perf_counter(); fn(i); s.append((time.perf_counter() - t) * 1000.0)
    return statistics.median(s)
with tempfile.TemporaryDirectory() as d, LiteServer(data_dir=d, port=0, root_password="b", timezone="UTC") as srv:
    c = pymysql.connect(host=srv.host, port=srv.port, user="root", password="b", autocommit=True)
    cur = c.cursor()
    cur.execute("CREATE DATABASE bench")
    cur.execute("CREATE TABLE bench.kv (id INT PRIMARY KEY, v VARCHAR(64))")
    cur.execute("INSERT INTO bench.kv VALUES " + ", ".join(f"({i}, 'value-{i}')" for i in range(1, rows + 1)))
    cur.execute("USE bench")
    def tcp(i):
        cur.execute("SELECT v FROM kv WHERE id = %s", ((i * 7919) % rows + 1,)); cur.fetchall()
    def ins(i):
        cur.execute("INSERT INTO kv (id, v) VALUES (%s, 'x')", (rows + 1 + i,))
    es = srv.engine.session("sys", "root", None); es.use("bench")
    def engine(i):
        es.execute(f"SELECT v FROM kv WHERE id = {(i * 7919) % rows + 1}")
    def engine_ins(i):
        es.execute(f"INSERT INTO kv (id, v) VALUES ({10 * rows + i}, 'y')")
    tcp(0); engine(0)
    out = {"tcp point SELECT": p50(tcp), "engine point SELECT": p50(engine)}
    cur.execute("BEGIN")  # inside one transaction: the statement's own cost, not the commit's fsync
    out["tcp point INSERT (txn)"] = p50(ins)
    cur.execute("COMMIT")
    es.execute("BEGIN")
    out["engine point INSERT (txn)"] = p50(engine_ins)
    es.execute("COMMIT")
    es.close(); c.close()
print(json.dumps(out))
"""


def export(ref: str, into: Path) -> Path:
    """The baseline tree at ``ref`` (``git archive``), so both sides run from files."""
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", "--format=tar", ref], check=True,
                             capture_output=True).stdout
    tar_path = into / "baseline.tar"
    tar_path.write_bytes(archive)
    with tarfile.open(tar_path) as tar:
        tar.extractall(into / "tree", filter="data")
    return into / "tree"


def measure(tree: Path, rows: int, iterations: int) -> dict[str, float]:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    out = subprocess.run([sys.executable, "-c", MEASURE, str(rows), str(iterations)], cwd=str(tree), env=env,
                         check=True, capture_output=True, text=True).stdout
    return dict(json.loads(out.strip().splitlines()[-1]))


def main(argv: list[str] | None = None) -> dict[str, float]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", default="")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--rows", type=int, default=2_000)
    parser.add_argument("--iterations", type=int, default=800)
    args = parser.parse_args(argv)
    ref = args.baseline or subprocess.run(["git", "-C", str(ROOT), "merge-base", "HEAD", "main"], check=True,
                                          capture_output=True, text=True).stdout.strip()
    samples: dict[str, dict[str, list[float]]] = {"baseline": {}, "this tree": {}}
    with tempfile.TemporaryDirectory() as tmp:
        trees = {"baseline": export(ref, Path(tmp)), "this tree": ROOT}
        for r in range(args.rounds):
            order = ["baseline", "this tree"] if r % 2 == 0 else ["this tree", "baseline"]
            for side in order:
                for k, v in measure(trees[side], args.rows, args.iterations).items():
                    samples[side].setdefault(k, []).append(v)
    print(f"EngineSession split, baseline {ref[:12]}: median of {args.rounds} rounds of p50 "
          f"({args.iterations} iterations, {args.rows} rows)")
    print(f"{'measurement':<24}{'baseline ms':>13}{'this tree ms':>14}{'ratio':>8}")
    ratios: dict[str, float] = {}
    for k in samples["baseline"]:
        before = statistics.median(samples["baseline"][k])
        after = statistics.median(samples["this tree"][k])
        ratios[k] = after / before
        print(f"{k:<24}{before:>13.3f}{after:>14.3f}{ratios[k]:>7.2f}x")
    tax_b = statistics.median(samples["baseline"]["tcp point SELECT"]) / statistics.median(
        samples["baseline"]["engine point SELECT"])
    tax_a = statistics.median(samples["this tree"]["tcp point SELECT"]) / statistics.median(
        samples["this tree"]["engine point SELECT"])
    print(f"wire tax (tcp / engine p50): baseline {tax_b:.1f}x, this tree {tax_a:.1f}x")
    return ratios


if __name__ == "__main__":
    main()
