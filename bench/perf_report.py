"""Run every benchmark in one process and write docs/performance.md from the figures measured.

Why one run: the ratios in the tables (provider vs MySQL hook, batched vs naive verification,
verification vs RESTORE) only mean something when both sides ran on the same machine at the
same moment. Each benchmark still prints its own table; this module captures the printed text
and the returned figures and renders the Markdown page. ``make bench`` calls it via run_all.py.

The page is owned by this module (hand-written analysis lives in docs/performance_notes.md, which it
links to and never touches). Before -> after: the page about to be overwritten is read first and its
Targets figures are rendered as a "previous" column (bench/perf_previous.py).
"""

from __future__ import annotations

import contextlib
import importlib.util
import inspect
import io
import os
import platform
import re
import sys
import tempfile
import time
from pathlib import Path
from types import ModuleType
from typing import Any, TextIO

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))  # `bench.*` helpers, whether run as a script or imported

from bench.perf_previous import Previous, read_previous, targets_table  # noqa: E402
from bench.perf_sections import history_targets, rowcost_section, spike_section  # noqa: E402

DOC = ROOT / "docs" / "performance.md"
NOTES = "performance_notes.md"  # relative to DOC

# name -> argv (or positional argument) given to the benchmark's main(); the scale used is printed
# in the tables, so a scaled-down measurement says so. Sizes keep the whole plan under ~15 minutes on
# 2 cores; the 1M/10M-row proof runs are too slow for that and stay in docs/performance_notes.md.
PLAN: dict[str, Any] = {
    "import_cost": ["--runs", "5"],
    "lite_core": [],
    "lite_history": [],
    # counts: batched vs loops on 1,000 tables; then the default proof vs counts vs the RESTORE
    # (bench/verify_proof.py) at 100,000 rows and on 1,000 tables (issue 13, point 7)
    "verify": ["--tables", "1000", "--hook-sample", "50", "--proof-rows", "100000,1000000", "--proof-tables", "1000"],
    "proof_rowcost": ["--rows", "100000", "--tables", "200"],  # native vs Python per-row cost (issue 13)
    "lite_engine_spike": ["--rows", "1000000"],  # SQLite exact encoding vs DuckDB (issue 11, point 2)
    "restore_e2e": ["--rows", "1000000", "--tables", "10"],
    "lite_load": ["--clients", "32", "--statements", "500"],
}
BUDGET_S = 15 * 60  # the whole plan on 2 cores


class _Tee(io.TextIOBase):
    """Writes to the real stdout and keeps a copy (for figures only printed, e.g. bench/verify.py)."""

    def __init__(self, real: TextIO) -> None:
        self.real, self.copy = real, io.StringIO()

    def write(self, s: str) -> int:
        self.real.write(s)
        self.real.flush()
        return self.copy.write(s)


def _load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"bench_{name}", HERE / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run_one(name: str, arg: Any) -> dict[str, Any]:
    """Run one benchmark's main(); returns its result, printed text, seconds and error (if any)."""
    tee = _Tee(sys.stdout)
    start = time.perf_counter()
    result: Any = None
    error = None
    with contextlib.redirect_stdout(tee):
        try:
            main = _load(name).main
            params = inspect.signature(main).parameters
            if not params:  # a main() that reads sys.argv itself
                saved = sys.argv
                sys.argv = [name, *(arg if isinstance(arg, list) else [str(arg)])]
                try:
                    result = main()
                finally:
                    sys.argv = saved
            else:
                result = main(arg)
        except Exception as exc:  # report and go on with the other benchmarks
            error = repr(exc)
            print(f"!! {name} failed: {exc!r}")
    return {"result": result, "text": tee.copy.getvalue(), "seconds": time.perf_counter() - start, "error": error}


def parse_verify(text: str) -> dict[str, Any]:
    """Figures bench/verify.py prints (it returns nothing)."""
    rows = {}
    for match in re.finditer(r"^(provider \(batched\)|naive loop, 1 connection|hook call per table \(x[\d.]+\))\s+"
                         r"([\d.]+)\s+(\d+)\s+(\d+)\s+([\d.]+)x\s*$", text, re.M):
        rows[match.group(1)] = {"seconds": float(match.group(2)), "statements": int(match.group(3)),
                                "connections": int(match.group(4))}
    out: dict[str, Any] = {"rows": rows}
    if m := re.search(r"verifying (\d+) tables .*all methods agree: (\w+)", text):
        out["tables"], out["agree"] = int(m.group(1)), m.group(2) == "True"
    if m := re.search(r"with a ([\d.]+) ms network round trip: provider ([\d.]+) s, naive loop ([\d.]+) s", text):
        out["rtt"] = {"ms": float(m.group(1)), "provider": float(m.group(2)), "naive": float(m.group(3))}
    if m := re.search(r"extrapolated from (\d+) tables", text):
        out["hook_sample"] = int(m.group(1))
    return out


_PROOF_ROW = re.compile(r"^([\d,]+ (?:rows|tables))\s+([\d.]+) (counts only|default, lite general path|"
                        r"default \(content\+columns\))\s+"
                        r"([\d.]+)\s+(\d+)\s+([\d,]+)\s+(\d+)%\s+(\w+)\s*$", re.M)


def parse_proof(text: str) -> dict[str, dict[str, Any]]:
    """Figures bench/verify_proof.py prints: per profile, the RESTORE and both verification modes."""
    out: dict[str, dict[str, Any]] = {}
    for m in _PROOF_ROW.finditer(text):
        prof = out.setdefault(m.group(1), {"restore_s": float(m.group(2))})
        key = {"counts only": "counts", "default, lite general path": "general"}.get(m.group(3), "default")
        prof[key] = {"seconds": float(m.group(4)), "statements": int(m.group(5)),
                     "rows": int(m.group(6).replace(",", "")), "verdict": m.group(8)}
    return out


def proof_section(text: str) -> list[str]:
    """The Markdown of the default-proof vs counts vs RESTORE comparison."""
    profiles = parse_proof(text)
    if not profiles:
        return []
    lines = ["## Default proof vs counts vs the RESTORE", "",
             "One account per profile: a PITR, T, an incident (rows deleted, values updated), the RESTORE "
             "(timed), then the verification a restore gets (reference read at T + state read now), counts only "
             "(`fingerprint=False`: counts and columns) and the default (counts, columns and content "
             "fingerprints), the default both through lite's general SQL path (`MO_LITE_FASTFP=off`) and as lite "
             "serves it (its fingerprint fast path); each mode starts with lite's caches dropped, as the first "
             "verification after a RESTORE does. Source: `bench/verify.py` -> `bench/verify_proof.py`. Target: "
             "default verification <= 25% of the RESTORE.", "",
             "| profile | RESTORE s | counts only s | default s | default statements | rows read | counts / RESTORE "
             "| default, general path / RESTORE | default / RESTORE | default / counts | verdict |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
    for name, p in profiles.items():
        c, d = p.get("counts"), p.get("default")
        if not c or not d:
            continue
        g = p.get("general")
        general = f"{g['seconds'] / p['restore_s']:.0%}" if g else "-"
        lines.append(f"| {name} | {p['restore_s']:.3f} | {c['seconds']:.3f} | {d['seconds']:.3f} | "
                     f"{d['statements']} | {d['rows']:,} | {c['seconds'] / p['restore_s']:.0%} | {general} | "
                     f"{d['seconds'] / p['restore_s']:.0%} | {d['seconds'] / c['seconds']:.1f}x | {d['verdict']} |")
    lines += ["", "On matrixone_lite the fingerprint statement is answered by its fast path: one native aggregate per "
              "table arm (encoding, `MD5`, two `CRC32`s and the sums in C, the DOUBLE's exact encoding left to "
              "SQLite), no SQL translation, results bit-identical to the general path's; the RESTORE copies rows "
              "natively once while the proof hashes every row twice (at T and now): these ratios describe lite, "
              "not MatrixOne (not measured here). Why the "
              "proof is built this way: [restore proof](operators/restore_proof.md); the 1M/10M-row runs and "
              f"the analysis: [notes]({NOTES})."]
    return [*lines, ""]


def _fmt(x: float, digits: int = 1) -> str:
    return f"{x:,.{digits}f}"


def _targets(runs: dict[str, dict[str, Any]], total_s: float, previous: Previous) -> list[str]:
    """One row per target of the issues, with the figure measured in this run and the previous run's."""
    rows: list[tuple[str, str, bool | None]] = []
    if runs.get("import_cost") and not runs["import_cost"]["error"]:
        ms = runs["import_cost"]["result"]["imports_ms"]
        worst = max(v for k, v in ms.items() if k.startswith("airflow_provider_matrixone"))
        rows.append(("provider operators/sensor import <= 50 ms over airflow.sdk", f"{worst:.1f} ms (worst)",
                     worst <= 50))
    if runs.get("verify") and not runs["verify"]["error"]:
        v = parse_verify(runs["verify"]["text"])
        prov, naive = v["rows"].get("provider (batched)"), v["rows"].get("naive loop, 1 connection")
        if prov and naive:
            trips = naive["statements"] / prov["statements"]
            rows.append(("verification: >= 10x fewer round trips than a per-table loop", f"{trips:.0f}x", trips >= 10))
            speed = naive["seconds"] / prov["seconds"]
            rows.append(("verification: >= 10x faster than a per-table loop (loopback, ~0.05 ms RTT)",
                         f"{speed:.1f}x", speed >= 10))
        if "rtt" in v:
            rtt = v["rtt"]
            ratio = rtt["naive"] / rtt["provider"]
            rows.append((f"verification: >= 10x faster with a {rtt['ms']:g} ms network round trip", f"{ratio:.1f}x",
                         ratio >= 10))
    proofs = parse_proof(runs["verify"]["text"]) if runs.get("verify") and not runs["verify"]["error"] else {}
    for name, p in proofs.items():
        if p.get("default"):
            share = p["default"]["seconds"] / p["restore_s"]
            rows.append((f"default verification (content + columns) <= 25% of the RESTORE ({name})",
                         f"{share:.0%}", share <= 0.25))
    for size in ("1,000,000 rows", "10,000,000 rows"):  # issue 13, point 7: 10M is too slow for make bench
        if size not in proofs:
            rows.append((f"default verification (content + columns) <= 25% of the RESTORE ({size})",
                         f"not in `make bench`: see [notes]({NOTES})", None))
    if runs.get("lite_history") and not runs["lite_history"]["error"]:
        rows += history_targets(runs["lite_history"]["text"])
    if runs.get("restore_e2e") and not runs["restore_e2e"]["error"]:
        large = runs["restore_e2e"]["result"]["large"]
        share = large["verify_s"] / large["phases"]["restore"]
        rows.append((f"verification <= 25% of the RESTORE ({large['rows']:,} rows)", f"{share:.1%}", share <= 0.25))
    if runs.get("lite_load") and not runs["lite_load"]["error"]:
        r = runs["lite_load"]["result"]
        rows.append((f"matrixone_lite load: 0 errors ({r['clients']} clients x {r['statements']} statements)",
                     str(r["errors"]), r["errors"] == 0))
    rows.append((f"make bench under {BUDGET_S // 60} minutes", f"{total_s / 60:.1f} min", total_s < BUDGET_S))
    return targets_table(rows, previous)


def render(runs: dict[str, dict[str, Any]], total_s: float, previous: Previous | None = None) -> str:
    """The Markdown page; every number comes from ``runs`` (and the previous column from ``previous``)."""
    ok = lambda name: runs.get(name) and not runs[name]["error"]  # noqa: E731
    lines = [
        "# Performance",
        "",
        "Written by `make bench` (`bench/run_all.py` -> `bench/perf_report.py`); do not edit by hand. Every",
        "ratio below compares two things measured side by side in the same run on the same machine.",
        "",
        f"Run: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {os.cpu_count()} CPU cores, Python "
        f"{platform.python_version()}, {platform.system()} {platform.machine()}; whole suite {_fmt(total_s, 0)} s.",
        "",
        f"Hand-written analysis (branch by branch, before/after pairs, where the time goes, the 1M/10M-row "
        f"proof runs) is in [Performance notes]({NOTES}); this page keeps only what `make bench` measures.",
        "",
    ]
    previous = previous or Previous()
    lines += _targets(runs, total_s, previous)
    if ok("import_cost"):
        r = runs["import_cost"]["result"]
        mysql = r["imports_ms"]["airflow.providers.mysql.hooks.mysql"]
        lines += ["## Provider import cost", "",
                  f"Fresh interpreter per sample, median of {r['runs']} runs; cost measured on top of "
                  f"`import airflow.sdk` (itself {_fmt(r['sdk_ms'], 0)} ms). Target: <= 50 ms over airflow.sdk.", "",
                  "| module | ms over airflow.sdk | vs MySQL provider hook | target met |", "|---|---:|---:|---|"]
        for module, ms in r["imports_ms"].items():
            target = "yes" if ms <= 50 else "NO"
            if not module.startswith("airflow_provider_matrixone"):
                target = "(reference)"
            lines.append(f"| `{module}` | {_fmt(ms)} | {ms / mysql:.2f}x | {target} |")
        lines += ["", "### Sample DAG parse time", "",
                  f"Executing each DAG file once airflow.sdk is loaded, fresh interpreter, median of "
                  f"{r['parse_runs']} runs.", "", "| DAG file | parse ms |", "|---|---:|"]
        lines += [f"| `dags/{n}` | {_fmt(ms)} |" for n, ms in r["parse_ms"].items()]
        lines.append("")
    if ok("verify"):
        v = parse_verify(runs["verify"]["text"])
        rows = v["rows"]
        prov = rows.get("provider (batched)")
        lines += ["## Restore verification: batched vs per-table", "",
                  f"{v.get('tables', '?')} tables in one account, row counts at T (time travel) and now; all methods "
                  f"returned the same answer: {'yes' if v.get('agree') else 'NO'}. Source: `bench/verify.py`. Target: "
                  ">= 10x fewer round trips / less time than a naive per-table loop.", "",
                  "| method | seconds | statements (round trips) | connections | time vs batched | round trips vs "
                  "batched |", "|---|---:|---:|---:|---:|---:|"]
        for name, row in rows.items():
            note = f" (measured on {v.get('hook_sample')} tables, scaled)" if name.startswith("hook") else ""
            lines.append(f"| {name}{note} | {row['seconds']:.3f} | {row['statements']} | {row['connections']} | "
                         f"{row['seconds'] / prov['seconds']:.1f}x | {row['statements'] / prov['statements']:.0f}x |")
        if "rtt" in v:
            rtt = v["rtt"]
            lines += ["", f"With a simulated {rtt['ms']:g} ms network round trip (TCP proxy): batched "
                      f"{rtt['provider']:.3f} s, naive loop {rtt['naive']:.3f} s ({rtt['naive'] / rtt['provider']:.1f}x)."]
        lines.append("")
        lines += proof_section(runs["verify"]["text"])
    if ok("proof_rowcost"):
        lines += rowcost_section(runs["proof_rowcost"]["result"], previous)
    if ok("lite_engine_spike"):
        lines += spike_section(runs["lite_engine_spike"]["result"], previous)
    if ok("restore_e2e"):
        r = runs["restore_e2e"]["result"]
        lines += ["## Restore end to end on matrixone_lite", "",
                  "MatrixOnePITRRestoreOperator (account level, safety snapshot, reference of counts at T) then one "
                  "poke of the verification sensor, over TCP. Seed = the seed guide's tenant; large = "
                  f"{r['rows']:,} rows in {r['tables']} tables (half of one table deleted and one table dropped "
                  "after T). Target: sensor verification <= 25% of the RESTORE for the row-count profile.", "",
                  "| phase (seconds) | seed | large |", "|---|---:|---:|"]
        seed, large = r["seed"], r["large"]
        for phase in large["phases"]:
            lines.append(f"| {phase} | {seed['phases'].get(phase, 0):.3f} | {large['phases'][phase]:.3f} |")
        lines += [f"| operator total | {seed['operator_total_s']:.3f} | {large['operator_total_s']:.3f} |",
                  f"| sensor verification | {seed['verify_s']:.3f} | {large['verify_s']:.3f} |",
                  f"| verification statements | {seed['verify_statements']} | {large['verify_statements']} |",
                  f"| rows verified | {seed['rows']:,} | {large['rows']:,} |",
                  f"| verification / RESTORE | {seed['verify_s'] / seed['phases']['restore']:.1%} | "
                  f"{large['verify_s'] / large['phases']['restore']:.1%} |",
                  f"| verification / operator total | {seed['verify_s'] / seed['operator_total_s']:.1%} | "
                  f"{large['verify_s'] / large['operator_total_s']:.1%} |",
                  f"| verified | {seed['verified']} | {large['verified']} |", "",
                  f"The seed profile's RESTORE of 12 rows takes milliseconds, so its ratio is dominated by fixed "
                  f"round-trip costs; the 25% target applies to the row-count (large) profile. Seeding the large "
                  f"profile took {large['seed_s']:.1f} s (not counted).", ""]
    if ok("lite_load"):
        r = runs["lite_load"]["result"]
        lines += ["## matrixone_lite under load", "",
                  f"{r['clients']} concurrent PyMySQL clients x {r['statements']} mixed statements "
                  f"({r['total']:,} in all) in {r['seconds']:.1f} s; each client's row count checked at the end "
                  f"against what it wrote. **Errors: {r['errors']}** (target 0). Source: `bench/lite_load.py`.", "",
                  "| statement | count | p50 ms | p99 ms |", "|---|---:|---:|---:|"]
        for kind, row in r["latency"].items():
            lines.append(f"| {kind} | {row['count']} | {row['p50_ms']:.2f} | {row['p99_ms']:.2f} |")
        lines.append("")
    if ok("lite_core"):
        r = runs["lite_core"]["result"]
        lines += ["## matrixone_lite core (bench/lite_core.py)", "", "| figure | value |", "|---|---:|",
                  f"| p50 point SELECT over TCP | {r['p50_point_ms']:.3f} ms (target <= 3 ms) |",
                  f"| wire tax (TCP / in-process) | {r['wire_tax']:.2f}x (target <= 5x) |"]
        lines += [f"| point SELECTs/s, {k.split('_')[1]} connection(s) | {_fmt(v, 0)} |" for k, v in r.items()
                  if k.startswith("tput_")]
        lines.append("")
    if ok("lite_history"):
        text = runs["lite_history"]["text"].strip()
        lines += ["## matrixone_lite history (bench/lite_history.py, in-process engine)", "",
                  "Printed as measured (the script's own format; its targets are in its docstring):", "",
                  "```text", *[ln.rstrip() for ln in text.splitlines() if ln.strip() and not ln.startswith("==")],
                  "```", ""]
    lines += ["## Run log", "", "| benchmark | seconds | status |", "|---|---:|---|"]
    lines += [f"| {n} | {r['seconds']:.1f} | {'ok' if not r['error'] else 'failed: ' + r['error'][:80]} |"
              for n, r in runs.items()]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Run the plan (or the names given), print each table, write docs/performance.md."""
    names = [a for a in (argv or []) if a in PLAN] or list(PLAN)
    # Benchmarks that import Airflow get a throw-away home, never ~/airflow.
    home = os.environ.setdefault("AIRFLOW_HOME", tempfile.mkdtemp(prefix="mo-bench-airflow-"))
    os.environ.setdefault("AIRFLOW__CORE__LOAD_EXAMPLES", "False")
    os.environ.setdefault("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN", f"sqlite:///{home}/airflow.db")
    start = time.perf_counter()
    runs: dict[str, dict[str, Any]] = {}
    for name in names:
        print(f"\n== {name} ==", flush=True)
        runs[name] = run_one(name, PLAN[name])
        print(f"== {name}: {runs[name]['seconds']:.1f} s", flush=True)
    total = time.perf_counter() - start
    previous = read_previous(DOC.read_text(encoding="utf-8")) if DOC.exists() else Previous()
    DOC.write_text(render(runs, total, previous), encoding="utf-8")
    print(f"\nwrote {DOC.relative_to(ROOT)}; total {total:.0f} s")
    return 1 if any(r["error"] for r in runs.values()) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
