"""Where the default proof's time goes on matrixone_lite: per row and per table, in one run.

In-process engine (no wire), so the figures are the engine's own work:

- per row: one table of ``--rows`` rows (int key, varchar, double, decimal, timestamp) fingerprinted
  by the provider's statement as emitted (derived tables with the no-op ``LIMIT``, evaluated once
  per row) with lite's native (C) per-row functions and with the Python ones (``MO_LITE_NATIVE=off``
  for that session), and the same statement without the ``LIMIT`` (SQLite flattens it and evaluates
  the row digest once per aggregate), against ``COUNT(*)`` and ``CREATE TABLE ... AS SELECT`` of the
  same table (a native copy, the RESTORE's kind of work); best of ``--repeat``, interleaved;
- per table: ``--tables`` two-row tables fingerprinted at T in ``UNION ALL`` batches of 50 (the
  provider's batch), i.e. the fixed cost of one table's statement (translation + resolution).

Each fingerprint is measured through lite's general path (``MO_LITE_FASTFP=off``: sqlglot, the
translator's SQL) and through its fingerprint fast path (one native aggregate per table arm,
``execution/fingerprints.py``), now and at T (after updating a tenth of the rows), in the same run.

Nothing is asserted; run ``python bench/proof_rowcost.py [--rows N] [--tables N]``. ``make bench`` runs it
(bench/perf_report.py's PLAN) and renders the figures ``main()`` returns into docs/performance.md.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from airflow_provider_matrixone.pitr.fingerprint import ALL_ROWS, Column, fingerprint_select  # noqa: E402
from bench.proof_table import COLUMNS, create_and_load, engine_with_account  # noqa: E402
from matrixone_lite import native  # noqa: E402
from matrixone_lite.execution import fingerprints  # noqa: E402


def fastfp(on: bool) -> None:
    """Turn lite's fingerprint fast path on or off (read per statement)."""
    os.environ["MO_LITE_FASTFP"] = "on" if on else "off"


def general(fn: Callable[[], Any]) -> Callable[[], Any]:
    """``fn`` run through lite's general path (the fast path off for it)."""
    def run() -> Any:
        fastfp(False)
        try:
            return fn()
        finally:
            fastfp(True)
    return run


def best(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    out, low = None, float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        out = fn()
        low = min(low, time.perf_counter() - start)
    return low, out


def main() -> dict[str, Any]:
    """Measure; returns the figures (us per row, ratios to the copy, ms per table) for perf_report."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--tables", type=int, default=200, help="0 to skip the per-table part")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as data:
        engine = engine_with_account(data)
        os.environ["MO_LITE_NATIVE"] = "off"  # read when a session registers its functions
        py = engine.session("acc", "admin")
        del os.environ["MO_LITE_NATIVE"]
        s = engine.session("acc", "admin")
        create_and_load(s, args.rows)
        at = engine.storage.now_ns()
        s.execute("update t set label = concat(label, '+') where id % 10 = 0")
        emitted = fingerprint_select("big", "t", COLUMNS, None)
        at_t = fingerprint_select("big", "t", COLUMNS, at)
        flattened = emitted.replace(f" LIMIT {ALL_ROWS}", "")
        copies = iter(range(10**6))
        figures: dict[str, float] = {}
        answers = set()
        for _ in range(args.repeat):
            for name, fn in (("fingerprint as emitted (not flattened)", general(lambda: s.execute(emitted).rows[0][3:])),
                             ("same, Python functions (no native)", general(lambda: py.execute(emitted).rows[0][3:])),
                             ("same without LIMIT (flattened)", general(lambda: s.execute(flattened).rows[0][3:])),
                             ("same, lite's fingerprint fast path", lambda: s.execute(emitted).rows[0][3:]),
                             ("at T: general path", general(lambda: ("T", *s.execute(at_t).rows[0][3:]))),
                             ("at T: fingerprint fast path", lambda: ("T", *s.execute(at_t).rows[0][3:])),
                             ("COUNT(*)", lambda: s.execute("select count(*) from t").rows),
                             ("CREATE TABLE AS SELECT (native copy)",
                              lambda: s.execute(f"create table c{next(copies)} as select * from t"))):
                seconds, out = best(fn, 1)
                figures[name] = min(figures.get(name, float("inf")), seconds)
                if name.startswith(("fingerprint", "same", "at T")):  # every way gives the same digest (now, at T)
                    answers.add(out)
        print(f"per row ({args.rows:,} rows, in-process, best of {args.repeat}); native functions: "
              f"{native.active()}; same digest every way: {len(answers) == 2}; "
              f"fast path answered {fingerprints.stats['runs']} statements")
        copy = figures["CREATE TABLE AS SELECT (native copy)"]
        for name, seconds in figures.items():
            print(f"  {name:<42} {seconds * 1e6 / args.rows:8.2f} us/row   {seconds / copy:6.2f}x the copy")
        gain = figures["same without LIMIT (flattened)"] / figures["fingerprint as emitted (not flattened)"]
        print(f"  -> not flattening: {gain:.1f}x faster")
        speedup = figures["same, Python functions (no native)"] / figures["fingerprint as emitted (not flattened)"]
        print(f"  -> native functions: {speedup:.1f}x faster than the Python ones")
        fast = figures["fingerprint as emitted (not flattened)"] / figures["same, lite's fingerprint fast path"]
        fast_t = figures["at T: general path"] / figures["at T: fingerprint fast path"]
        print(f"  -> fingerprint fast path: {fast:.1f}x faster now, {fast_t:.1f}x at T")
        result: dict[str, Any] = {
            "rows": args.rows, "repeat": args.repeat, "native": native.active(), "same_digest": len(answers) == 2,
            "per_row_us": {name: seconds * 1e6 / args.rows for name, seconds in figures.items()},
            "vs_copy": {name: seconds / copy for name, seconds in figures.items()},
            "tables": args.tables}
        if args.tables <= 0:
            return result

        for d in range(10):
            s.execute(f"create database db{d}")
        for i in range(args.tables):
            s.execute(f"create table db{i % 10}.t{i} (id int primary key, v varchar(20))")
            s.execute(f"insert into db{i % 10}.t{i} values (1, 'a'), (2, 'b')")
        at = engine.storage.now_ns()
        small = [Column("id", "int", False, None, 1, "PRI"), Column("v", "varchar(20)", True, None, 2)]
        batches = [" UNION ALL ".join(fingerprint_select(f"db{i % 10}", f"t{i}", small, at)
                                      for i in range(lo, min(lo + 50, args.tables))) for lo in range(0, args.tables, 50)]
        per: dict[bool, float] = {}
        digests: dict[bool, list[Any]] = {}
        for on in (False, True):  # the general path first: it is each statement's first read
            fastfp(on)
            engine.drop_caches()  # neither mode finds what the other parsed or translated
            start = time.perf_counter()
            digests[on] = [s.execute(b).rows for b in batches]
            per[on] = (time.perf_counter() - start) / args.tables
        fastfp(True)
        per_table = per[False]
        start = time.perf_counter()
        for i in range(args.tables):
            s.execute(f"create table db{i % 10}.c{i} as select * from db{i % 10}.t{i}")
        copy_table = (time.perf_counter() - start) / args.tables
        print(f"per table ({args.tables} two-row tables at T, batches of 50): {per_table * 1000:.2f} ms of "
              f"fingerprint statement per table; CREATE TABLE AS SELECT {copy_table * 1000:.2f} ms per table "
              f"({per_table / copy_table:.1f}x)")
        print(f"  fingerprint fast path: {per[True] * 1000:.2f} ms per table ({per[True] / copy_table:.1f}x the copy); "
              f"same digests: {digests[True] == digests[False]}")
        result["per_table_ms"], result["copy_table_ms"] = per_table * 1000, copy_table * 1000
        result["per_table_fast_ms"] = per[True] * 1000
        return result


if __name__ == "__main__":
    main()
