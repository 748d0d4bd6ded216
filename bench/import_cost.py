"""Provider import cost and sample-DAG parse time, measured in fresh interpreters.

Why fresh subprocesses: an import is paid once per worker/parser process, and a warm
``sys.modules`` would hide it. Each run starts Python, imports ``airflow.sdk`` (the floor every
DAG file pays), then times the one extra import on top of it. Several runs, median reported.

Targets: provider operators/sensor <= 50 ms over ``airflow.sdk``. The MySQL provider's hook is
measured the same way, side by side, because MatrixOneHook builds on it.
Run: ``python bench/import_cost.py [--runs N]``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DAGS = ROOT / "dags"

MODULES = {
    "airflow_provider_matrixone.operators.pitr": "provider operators (pitr)",
    "airflow_provider_matrixone.operators.restore": "provider restore operator",
    "airflow_provider_matrixone.sensors.restore": "provider sensor",
    "airflow.providers.mysql.hooks.mysql": "MySQL provider hook",
}

_IMPORT_PROBE = """
import json, sys, time
t0 = time.perf_counter()
import airflow.sdk
t1 = time.perf_counter()
__import__(sys.argv[1])
t2 = time.perf_counter()
print(json.dumps({"sdk": t1 - t0, "extra": t2 - t1}))
"""

_PARSE_PROBE = """
import importlib.util, json, sys, time
sys.path.insert(0, sys.argv[2])
import airflow.sdk
t0 = time.perf_counter()
spec = importlib.util.spec_from_file_location("dagfile", sys.argv[1])
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
t1 = time.perf_counter()
print(json.dumps({"parse": t1 - t0}))
"""


_PYCACHE = tempfile.mkdtemp(prefix="mo-bench-pycache-")


def _env() -> dict[str, str]:
    """Bytecode caching on (into a private prefix), as after ``pip install``, which compiles every
    module: site-packages (airflow, the MySQL provider) has .pyc files, and a source checkout run
    with PYTHONDONTWRITEBYTECODE would otherwise pay the compiler on every import of this provider."""
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = _PYCACHE
    env.setdefault("AIRFLOW__CORE__LOAD_EXAMPLES", "False")
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    return env


def _probe(code: str, *args: str) -> dict[str, float]:
    out = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=120,
                         env=_env(), cwd=str(ROOT), check=True)
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)

    for module in MODULES:  # warm-up: writes the bytecode cache, not measured
        _probe(_IMPORT_PROBE, module)
    for path in sorted(DAGS.glob("*.py")):
        _probe(_PARSE_PROBE, str(path), str(DAGS))
    sdk: list[float] = []
    extra: dict[str, list[float]] = {m: [] for m in MODULES}
    for _ in range(args.runs):  # interleaved, so machine noise spreads over every module alike
        for module in MODULES:
            sample = _probe(_IMPORT_PROBE, module)
            sdk.append(sample["sdk"])
            extra[module].append(sample["extra"])
    imports = {m: statistics.median(v) * 1000 for m, v in extra.items()}
    sdk_ms = statistics.median(sdk) * 1000

    parse: dict[str, float] = {}
    for path in sorted(DAGS.glob("*.py")):
        parse[path.name] = statistics.median(_probe(_PARSE_PROBE, str(path), str(DAGS))["parse"]
                                             for _ in range(max(1, args.runs // 2))) * 1000

    mysql_ms = imports["airflow.providers.mysql.hooks.mysql"]
    print(f"import cost, median of {args.runs} fresh interpreters (bytecode cached); airflow.sdk alone: "
          f"{sdk_ms:.0f} ms")
    print(f"{'module (imported after airflow.sdk)':<58}{'ms over sdk':>12}{'vs mysql hook':>15}")
    for module, ms in imports.items():
        print(f"{module:<58}{ms:>12.1f}{ms / mysql_ms:>14.2f}x")
    print("target: provider operators and sensor <= 50 ms over airflow.sdk")
    print(f"\nDAG file parse time (after airflow.sdk is imported), median of {max(1, args.runs // 2)} runs")
    for name, ms in parse.items():
        print(f"{name:<58}{ms:>12.1f} ms")
    return {"runs": args.runs, "sdk_ms": sdk_ms, "imports_ms": imports, "labels": MODULES, "parse_ms": parse,
            "parse_runs": max(1, args.runs // 2)}


if __name__ == "__main__":
    main()
