"""`make bench`: run every benchmark script in this folder, one after the other, in one process.

Each script prints its own table of figures and ratios measured side by side in the same run.
"""

from __future__ import annotations

import importlib.util
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ORDER = ["lite_core", "lite_history", "verify"]


def main() -> int:
    failures = 0
    for name in ORDER:
        path = HERE / f"{name}.py"
        if not path.exists():
            print(f"== {name}: not present, skipped")
            continue
        print(f"\n== {name} ==", flush=True)
        spec = importlib.util.spec_from_file_location(f"bench_{name}", path)
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        start = time.perf_counter()
        try:
            spec.loader.exec_module(module)
            module.main([])
        except Exception as exc:  # report and go on with the other benchmarks
            failures += 1
            print(f"!! {name} failed: {exc!r}")
        print(f"== {name}: {time.perf_counter() - start:.1f} s")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
