"""`make bench`'s page: the previous run's figures are read back and shown next to the new ones.

bench/perf_report.py rewrites docs/performance.md on every run; these tests pin that the page it is
about to overwrite is parsed (old 3-column and new 4-column Targets tables), that the before ->
after column is rendered from it, and that the sections added for issues 11 and 13 render from the
figures the benchmarks return. Pure text: no benchmark runs here and nothing is timed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bench.perf_previous import Previous, read_previous, targets_table
from bench.perf_report import NOTES, render
from bench.perf_sections import history_ratios, history_targets, rowcost_section, spike_section

ROOT = Path(__file__).resolve().parents[2]

OLD_PAGE = """# Performance

Written by `make bench`; do not edit by hand.

Run: 2026-11-24 00:39 UTC, 2 CPU cores, Python 3.11.7, Linux x86_64; whole suite 169 s.

## Targets

| target | measured | met |
|---|---:|---|
| provider operators/sensor import <= 50 ms over airflow.sdk | 20.7 ms (worst) | yes |
| default verification (content + columns) <= 25% of the RESTORE (1,000 tables) | 88-129% | **no** |
| a \\| piped target | 3x | yes |
| make bench under 10 minutes | 2.8 min | yes |

## Provider import cost

| module | ms | met |
|---|---:|---|
| `x` | 1.0 | yes |
"""

HISTORY_TEXT = """1. one table
  -> COUNT(*) at T / COUNT(*) now = 1.52x (target <= 2x)
  SELECT SUM(price) FROM t {MO_TS = T}                                127.3 ms   4963162425.00
  -> table restore / CTAS = 3.40x (target <= 3x)
"""

ROWCOST: dict[str, Any] = {
    "rows": 1000, "repeat": 3, "native": True, "same_digest": True, "tables": 10,
    "per_row_us": {"fingerprint as emitted (not flattened)": 5.0, "same, Python functions (no native)": 7.5,
                   "CREATE TABLE AS SELECT (native copy)": 2.5},
    "vs_copy": {"fingerprint as emitted (not flattened)": 2.0, "same, Python functions (no native)": 3.0,
                "CREATE TABLE AS SELECT (native copy)": 1.0},
    "per_table_ms": 6.0, "copy_table_ms": 3.0}

SIDE: dict[str, Any] = {"load": 2.0, "fingerprint": 1.0, "sum": 0.5, "ctas": 1.0, "point": 0.0001,
        "exact": ["12345678901234567890.1234567891", "1.01"]}
SPIKE: dict[str, Any] = {"rows": 1000, "sqlite": SIDE,
                         "duckdb": {**{k: v / 10 for k, v in SIDE.items() if k != "exact"},
                                    "exact": SIDE["exact"], "version": "9.9"}}


def _run(result: Any = None, text: str = "") -> dict[str, Any]:
    return {"result": result, "text": text, "seconds": 1.0, "error": None}


def test_reads_the_old_three_column_page() -> None:
    prev = read_previous(OLD_PAGE)
    assert prev.run == "2026-11-24 00:39 UTC, 2 CPU cores, Python 3.11.7, Linux x86_64; whole suite 169 s."
    assert prev.when == "2026-11-24 00:39 UTC"
    assert prev.targets == {
        "provider operators/sensor import <= 50 ms over airflow.sdk": "20.7 ms (worst)",
        "default verification (content + columns) <= 25% of the RESTORE (1,000 tables)": "88-129%",
        "a \\| piped target": "3x",
        "make bench under 10 minutes": "2.8 min",
    }  # the next section's table is not read as targets
    assert prev.cell("Provider import cost", "`x`", "ms") == "1.0"
    assert prev.cell("Provider import cost", "`y`", "ms") == "-"


def test_page_without_targets_gives_nothing() -> None:
    prev = read_previous("# Performance\n\nnothing measured yet\n")
    assert prev.run is None and prev.targets == {} and prev.when == "previous run"


def test_targets_table_shows_previous_next_to_new() -> None:
    rows: list[tuple[str, str, bool | None]] = [
        ("provider operators/sensor import <= 50 ms over airflow.sdk", "25.0 ms (worst)", True),
        ("a new target", "1%", False), ("a target not run here", "see notes", None)]
    table = targets_table(rows, read_previous(OLD_PAGE))
    assert "| target | previous (2026-11-24 00:39 UTC) | measured | met |" in table
    assert "| provider operators/sensor import <= 50 ms over airflow.sdk | 20.7 ms (worst) | 25.0 ms (worst) | yes |" \
        in table
    assert "| a new target | - | 1% | **no** |" in table
    assert "| a target not run here | - | see notes | not measured |" in table
    # targets of the previous page this run did not measure are kept, not silently dropped
    assert "| make bench under 10 minutes | 2.8 min | not measured in this run | - |" in table
    assert any(line.startswith("Previous run (the page this one replaced): 2026-11-24 00:39 UTC") for line in table)


def test_history_ratio_targets() -> None:
    assert history_ratios(HISTORY_TEXT) == [("COUNT(*) at T / COUNT(*) now", 1.52, 2.0),
                                            ("table restore / CTAS", 3.4, 3.0)]
    assert history_targets(HISTORY_TEXT) == [
        ("matrixone_lite: COUNT(*) at T / COUNT(*) now <= 2x (bench/lite_history.py)", "1.52x", True),
        ("matrixone_lite: table restore / CTAS <= 3x (bench/lite_history.py)", "3.40x", False)]


def test_new_sections_render_from_returned_figures() -> None:
    rowcost = "\n".join(rowcost_section(ROWCOST))
    assert "| fingerprint as emitted (not flattened) | 5.00 | 2.00x |" in rowcost
    assert "Native vs Python functions: 1.5x faster." in rowcost
    assert "6.00 ms of fingerprint statement per table against 3.00 ms" in rowcost
    spike = "\n".join(spike_section(SPIKE))
    assert "| DuckDB 9.9 | DuckDB / SQLite |" in spike
    assert "| load 1,000 rows (`INSERT ... SELECT`, one transaction) | 2,000.0 ms | 200.0 ms | 0.10x |" in spike
    assert "| point SELECT by primary key, in-process, per query | 0.100 ms | 0.010 ms | 0.10x |" in spike
    without = "\n".join(spike_section({**SPIKE, "duckdb": None}))
    assert "DuckDB is not installed" in without and "| 2,000.0 ms | - | - |" in without


def test_rerun_shows_before_and_after() -> None:
    """Render, read the page back as the previous run, render again: the first figures are the 'previous'."""
    runs = {"lite_history": _run(text=HISTORY_TEXT), "proof_rowcost": _run(ROWCOST),
            "lite_engine_spike": _run(SPIKE)}
    first = render(runs, 60.0)
    assert f"[Performance notes]({NOTES})" in first
    assert "## Default proof per row: native vs Python functions (issue 13)" in first
    assert "## Storage engine spike (issue 11)" in first
    prev = read_previous(first)
    name = "matrixone_lite: COUNT(*) at T / COUNT(*) now <= 2x (bench/lite_history.py)"
    assert prev.targets[name] == "1.52x"
    assert prev.targets["make bench under 15 minutes"] == "1.0 min"
    later = HISTORY_TEXT.replace("1.52x", "1.10x")
    faster = {**SPIKE, "sqlite": {**SIDE, "load": 1.0}}
    cheaper = {**ROWCOST, "per_row_us": {**ROWCOST["per_row_us"], "fingerprint as emitted (not flattened)": 4.0}}
    second = render({"lite_history": _run(text=later), "proof_rowcost": _run(cheaper),
                     "lite_engine_spike": _run(faster)}, 120.0, prev)
    assert f"| {name} | 1.52x | 1.10x | yes |" in second
    # the sections' own figures: this run's, then the previous run's
    assert "| load 1,000 rows (`INSERT ... SELECT`, one transaction) | 1,000.0 ms | 200.0 ms | 0.20x | 2,000.0 ms " \
           "| 0.10x |" in second
    assert "| fingerprint as emitted (not flattened) | 4.00 | 2.00x | 5.00 | 2.00x |" in second
    assert "previous (" in first and "| - | - |" in first  # the first run had nothing before it
    assert "| make bench under 15 minutes | 1.0 min | 2.0 min | yes |" in second
    # the 1M/10M-row proof targets are stated, honestly not measured by make bench
    assert "| default verification (content + columns) <= 25% of the RESTORE (10,000,000 rows) | " \
           f"not in `make bench`: see [notes]({NOTES}) | not in `make bench`: see [notes]({NOTES}) | " \
           "not measured |" in second


def test_partial_runs_keep_the_last_real_figure() -> None:
    """A target a run did not measure keeps its last figure (marked older), not 'not measured'."""
    once = "\n".join(targets_table([], read_previous(OLD_PAGE)))
    assert "| make bench under 10 minutes | 2.8 min | not measured in this run | - |" in once
    twice = "\n".join(targets_table([], read_previous("Run: 2026-12-01 10:00 UTC, x\n\n" + once)))
    assert "| make bench under 10 minutes | 2.8 min (an earlier run) | not measured in this run | - |" in twice
    thrice = "\n".join(targets_table([("make bench under 10 minutes", "3.0 min", True)],
                                     read_previous("Run: 2026-12-02 10:00 UTC, x\n\n" + twice)))
    assert "| make bench under 10 minutes | 2.8 min (an earlier run) | 3.0 min | yes |" in thrice


def test_committed_page_is_readable_as_a_previous_run() -> None:
    """The page in the repository must stay parseable, or the next `make bench` loses its 'before'."""
    prev = read_previous((ROOT / "docs" / "performance.md").read_text(encoding="utf-8"))
    assert prev.run and prev.when != "previous run"
    assert len(prev.targets) >= 5
    assert Previous().targets == {}
