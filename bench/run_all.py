"""`make bench`: run every benchmark script in this folder, one after the other, in one process.

Each script prints its own table of figures and ratios measured side by side in the same run;
bench/perf_report.py then writes docs/performance.md from the same figures, with the previous run's
figures (read from the page it replaces) next to them; hand-written analysis lives in
docs/performance_notes.md, which no benchmark touches.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ORDER = ["import_cost", "lite_core", "lite_history", "verify", "proof_rowcost", "lite_engine_spike", "restore_e2e",
         "lite_load"]


def main() -> int:
    spec = importlib.util.spec_from_file_location("bench_perf_report", HERE / "perf_report.py")
    assert spec and spec.loader
    report = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(report)
    return int(report.main(ORDER))


if __name__ == "__main__":
    sys.exit(main())
