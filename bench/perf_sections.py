"""Sections of docs/performance.md for the benchmarks issues 11 and 13 measure.

Why a module of its own: bench/perf_report.py renders the page and must stay small; the engine
spike (issue 11, point 2), the proof's per-row cost (issue 13, point 7) and the ratio targets that
bench/lite_history.py prints each need their own rendering. Every number comes from the figures the
benchmark returned or printed in this run; pure functions, unit-tested in tests/unit.
"""

from __future__ import annotations

import re
from typing import Any

from bench.perf_previous import Previous

SPIKE = "Storage engine spike (issue 11)"
ROWCOST = "Default proof per row: native vs Python functions (issue 13)"

_RATIO = re.compile(r"^\s*-> (.+?) = ([\d.]+)x \(target <= ([\d.]+)x\)\s*$", re.M)


def history_ratios(text: str) -> list[tuple[str, float, float]]:
    """The ``-> A / B = 1.52x (target <= 2x)`` lines bench/lite_history.py prints: (what, ratio, limit)."""
    return [(m.group(1), float(m.group(2)), float(m.group(3))) for m in _RATIO.finditer(text)]


def history_targets(text: str) -> list[tuple[str, str, bool | None]]:
    """Targets rows for issue 11's ratio targets (COUNT at T vs now; table restore vs the engine's copy)."""
    return [(f"matrixone_lite: {what} <= {limit:g}x (bench/lite_history.py)", f"{ratio:.2f}x", ratio <= limit)
            for what, ratio, limit in history_ratios(text)]


_SPIKE_ROWS = (("load", "load {n} rows (`INSERT ... SELECT`, one transaction)", 1000, "ms"),
               ("fingerprint", "order-independent fingerprint of {n} rows", 1000, "ms"),
               ("sum", "`SUM(price)` of {n} `DECIMAL(38,10)` values", 1000, "ms"),
               ("ctas", "`CREATE TABLE c AS SELECT * FROM t`", 1000, "ms"),
               ("point", "point SELECT by primary key, in-process, per query", 1000, "ms"))


def spike_section(result: dict[str, Any], previous: Previous | None = None) -> list[str]:
    """The storage engine spike (bench/lite_engine_spike.py): SQLite with the exact encoding vs DuckDB.

    The previous run's SQLite figure and ratio (same row label, so same size) are shown next to
    this run's: the before -> after of a change to the engine.
    """
    prev = previous or Previous()
    lite, duck, rows = result["sqlite"], result.get("duckdb"), result["rows"]
    head = f"DuckDB {duck['version']}" if duck else "DuckDB"
    lines = [f"## {SPIKE}", "",
             f"`bench/lite_engine_spike.py --rows {rows}`: one table `(id bigint primary key, grp int, "
             f"price decimal(38,10), name varchar(30))` of {rows:,} rows, both engines in-process, same run. "
             "SQLite = the matrixone_lite engine (exact DECIMAL as canonical text, fingerprint "
             "`count(*), bit_xor(crc32(concat_ws(...)))`); DuckDB = `count(*), bit_xor(hash(t))`. "
             "The decision (stay on SQLite with the exact encoding) and its reasons: "
             "[lite design](lite/design.md), \"Storage engine spike\".", ""]
    if not duck:
        lines += ["DuckDB is not installed in this environment (not a dependency; `pip install duckdb` for the "
                  "spike): only the SQLite side was measured.", ""]
    lines += [f"| measurement | SQLite (matrixone_lite) | {head} | DuckDB / SQLite | previous ({prev.when}): "
              "SQLite | previous: DuckDB / SQLite |", "|---|---:|---:|---:|---:|---:|"]
    exact = "`DECIMAL(38,10)` `12345678901234567890.1234567891`, `1.005` into `DECIMAL(10,2)`"
    lines.append(f"| {exact} | {', '.join(lite['exact'])} | {', '.join(duck['exact']) if duck else '-'} | | "
                 f"{prev.cell(SPIKE, exact, 'SQLite (matrixone_lite)')} | |")
    for key, label, scale, unit in _SPIKE_ROWS:
        digits = 3 if key == "point" else 1
        other = f"{duck[key] * scale:,.{digits}f} {unit}" if duck else "-"
        ratio = f"{duck[key] / lite[key]:.2f}x" if duck and lite[key] else "-"
        name = label.format(n=f"{rows:,}")
        lines.append(f"| {name} | {lite[key] * scale:,.{digits}f} {unit} | {other} | {ratio} | "
                     f"{prev.cell(SPIKE, name, 'SQLite (matrixone_lite)')} | {prev.cell(SPIKE, name, 'DuckDB / SQLite')} |")
    return [*lines, ""]


def rowcost_section(result: dict[str, Any], previous: Previous | None = None) -> list[str]:
    """Per-row and per-table cost of the default proof, native vs Python functions (bench/proof_rowcost.py).

    The previous run's us per row and ratio to the copy are shown next to this run's.
    """
    prev = previous or Previous()
    lines = [f"## {ROWCOST}", "",
             f"`bench/proof_rowcost.py --rows {result['rows']} --tables {result['tables']}`: one table of "
             f"{result['rows']:,} rows (int key, varchar, double, decimal, timestamp), in-process engine (no wire), "
             f"best of {result['repeat']}, interleaved. The provider's fingerprint statement as emitted, with "
             "lite's native (C) per-row functions and with the Python ones (`MO_LITE_NATIVE=off`), and flattened "
             "(without the no-op `LIMIT`), against `COUNT(*)` and a native copy (the RESTORE's kind of work). "
             f"Native functions loaded: {'yes' if result['native'] else '**no**'}; the same digest every way: "
             f"{'yes' if result['same_digest'] else '**NO**'}.", "",
             f"| statement | us per row | vs the copy | previous ({prev.when}): us per row | previous: vs the copy |",
             "|---|---:|---:|---:|---:|"]
    for name, us in result["per_row_us"].items():
        lines.append(f"| {name} | {us:.2f} | {result['vs_copy'][name]:.2f}x | {prev.cell(ROWCOST, name, 'us per row')} "
                     f"| {prev.cell(ROWCOST, name, 'vs the copy')} |")
    per_row = result["per_row_us"]
    native_key, python_key = "fingerprint as emitted (not flattened)", "same, Python functions (no native)"
    if native_key in per_row and python_key in per_row and per_row[native_key]:
        lines += ["", f"Native vs Python functions: {per_row[python_key] / per_row[native_key]:.1f}x faster."]
    if "per_table_ms" in result:
        lines += ["", f"Per table ({result['tables']} two-row tables at T, `UNION ALL` batches of 50): "
                  f"{result['per_table_ms']:.2f} ms of fingerprint statement per table against "
                  f"{result['copy_table_ms']:.2f} ms for `CREATE TABLE ... AS SELECT` of one table "
                  f"({result['per_table_ms'] / result['copy_table_ms']:.1f}x)."]
    return [*lines, ""]
