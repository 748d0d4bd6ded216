"""Where the default proof's per-row time goes on matrixone_lite, stage by stage, in one run.

In-process engine (no wire). One table of ``--rows`` rows (int key, varchar, double, decimal,
timestamp), T taken, then 10% of the rows updated (so the read at T goes through the history
table). The provider's fingerprint statement for the read at T is translated by lite; its SQLite
text is then cut into cumulative stages, each run as ``SELECT COUNT(c0), ... FROM (<stage> LIMIT ALL)``
(a derived table SQLite does not flatten, every projected value read, so computed, per row):

1. read every column at T (the ``UNION ALL`` of the live and history tables);
2. + the per-column encodings (``CAST``, ``HEX``, ``MO_DEC_TEXT``, the DOUBLE residual);
3. + ``MO_CONCAT_WS``; 4. + ``MD5``; 5. the whole statement (``CRC32`` halves, ``SUM``, ``BIT_XOR``);

each column's encoding alone (in stage 1's place), then the whole statement for the read now, the
floor of any proof that reads every row on this storage (every column of each arm read natively,
without and with ``MD5`` of the row's text, at T and now), the
same statements through lite's fingerprint fast path (one native aggregate per table arm,
``execution/fingerprints.py``; everything above is the general path, ``MO_LITE_FASTFP=off``), and
``CREATE TABLE ... AS SELECT`` of the table (a native copy, the RESTORE's kind of work) as the unit. Best of ``--repeat``, interleaved. Nothing is
asserted; run ``python bench/proof_breakdown.py [--rows N]`` (``MO_LITE_NATIVE=off`` for Python's).
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from airflow_provider_matrixone.pitr.fingerprint import ALL_ROWS, fingerprint_select  # noqa: E402
from bench.proof_table import COLUMNS, create_and_load, engine_with_account  # noqa: E402
from matrixone_lite import native  # noqa: E402
from matrixone_lite.storage.physical import row_arms  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as data:
        engine = engine_with_account(data)
        s = engine.session("acc", "admin")
        create_and_load(s, args.rows)
        at = engine.storage.now_ns()
        s.execute("update t set label = concat(label, '+') where id % 10 = 0")
        seen: list[str] = []
        os.environ["MO_LITE_FASTFP"] = "off"  # the general path's SQLite text is what is staged
        s.conn.set_trace_callback(seen.append)
        s.execute(fingerprint_select("big", "t", COLUMNS, at))
        s.conn.set_trace_callback(None)
        sql_at = next(q for q in seen if "MO_CONCAT_WS" in q.upper())
        m = re.search(r"MD5\(MO_CONCAT_WS\(',', (?P<enc>.*)\)\) AS h FROM (?P<src>\(.*\) AS \"t\") LIMIT", sql_at,
                      re.S | re.I)
        if m is None:
            raise SystemExit("could not find the stages in lite's translation:\n" + sql_at)
        enc, src = m.group("enc"), m.group("src")
        cols = [f'"{c.name}"' for c in COLUMNS]
        encs = [e.strip() for e in re.split(r", (?=COALESCE\()", enc)]  # one IFNULL(<encoding>, 'N') per column
        if len(encs) != len(COLUMNS):
            raise SystemExit(f"expected {len(COLUMNS)} encodings, found {len(encs)}: {enc}")

        def staged(*values: str) -> str:
            # COUNT(c) of every projected column: SQLite may skip computing a column nothing reads
            names = [f"c{i}" for i in range(len(values))]
            select = ", ".join(f"{v} AS {n}" for v, n in zip(values, names, strict=True))
            counts = ", ".join(f"COUNT({n})" for n in names)
            return f"SELECT {counts} FROM (SELECT {select} FROM {src} LIMIT {ALL_ROWS})"  # noqa: S608

        copies = iter(range(10**6))
        stages = {
            "1. read every column at T (history union)": staged(*cols),
            "2. + per-column encodings": staged(*encs),
            "3. + MO_CONCAT_WS": staged(f"MO_CONCAT_WS(',', {enc})"),
            "4. + MD5": staged(f"MD5(MO_CONCAT_WS(',', {enc}))"),
            "5. whole statement at T (CRC32, SUM, BIT_XOR)": sql_at,
            "whole statement now (no history)": None,
            "fast path: whole statement at T": None,
            "fast path: whole statement now": None,
            "CREATE TABLE AS SELECT (native copy)": None,
        }
        # The floor of any proof that reads every row, on this storage: each arm of the rows read
        # natively, every column touched (count), without and with MD5 of the row's text, at T and now.
        table_id = int(re.search(r"FROM t_(\d+)", sql_at).group(1))  # type: ignore[union-attr]
        plain = " + ".join(f"COUNT({c})" for c in cols)
        row_text = " || ',' || ".join(cols)  # SQLite's own text of each value, no MatrixOne encoding
        hashed = f"COUNT(MD5({row_text}))"  # the native MD5

        def per_arm(expr: str, at_ns: int | None) -> str:
            return "SELECT " + ", ".join(f"(SELECT {expr} FROM {tbl}{' WHERE ' + cond if cond else ''})"
                                         for tbl, cond in row_arms(table_id, at_ns))

        floors = {"floor: every column read, per arm, at T": per_arm(plain, at),
                  "floor: every column read, now": per_arm(plain, None),
                  "floor + MD5 of each row's text, at T": per_arm(hashed, at),
                  "floor + MD5 of each row's text, now": per_arm(hashed, None)}
        stages.update(floors)
        for i, column in enumerate(COLUMNS):  # one column's encoding instead of its plain read
            stages[f"   {column.type} column encoded alone"] = staged(*cols[:i], encs[i], *cols[i + 1:])
        now_sql = fingerprint_select("big", "t", COLUMNS, None)
        at_text = fingerprint_select("big", "t", COLUMNS, at)
        best: dict[str, float] = {}
        answers: dict[str, object] = {}
        for _ in range(args.repeat):
            for name, sql in stages.items():
                start = time.perf_counter()
                os.environ["MO_LITE_FASTFP"] = "on" if name.startswith("fast") else "off"
                if sql is not None:
                    s.conn.execute(sql).fetchall()
                elif name.startswith(("whole", "fast")):
                    answers[name] = s.execute(at_text if name.endswith("at T") else now_sql).rows
                else:
                    s.execute(f"create table c{next(copies)} as select * from t")
                best[name] = min(best.get(name, float("inf")), time.perf_counter() - start)
        copy = best["CREATE TABLE AS SELECT (native copy)"]
        print(f"proof per row, stage by stage ({args.rows:,} rows, 10% updated after T, in-process, best of "
              f"{args.repeat}); native functions: {native.active()}; fast path = general path: "
              f"{answers['fast path: whole statement now'] == answers['whole statement now (no history)']}")
        previous, read = 0.0, best["1. read every column at T (history union)"]
        for name, seconds in best.items():
            if name[0].isdigit():
                step = f"(+{(seconds - previous) * 1e6 / args.rows:5.2f})"
                previous = seconds
            elif name.startswith(" "):
                step = f"(+{(seconds - read) * 1e6 / args.rows:5.2f} over stage 1)"
            else:
                step = " " * 8
            print(f"  {name:<46} {seconds * 1e6 / args.rows:6.2f} us/row {step:<8}  {seconds / copy:5.2f}x the copy")
        two = lambda a, b: (best[a] + best[b]) / copy  # noqa: E731
        print(f"  -> two reads (T + now), nothing hashed: {two(*list(floors)[:2]):.0%} of the copy; with MD5 of each row: "
              f"{two(*list(floors)[2:]):.0%}; the fast path's two reads: "
              f"{two('fast path: whole statement at T', 'fast path: whole statement now'):.0%} (target 25% of the RESTORE)")


if __name__ == "__main__":
    main()
