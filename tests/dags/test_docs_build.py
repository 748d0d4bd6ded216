"""The documentation site builds with `mkdocs build --strict` (what `make docs` runs).

Lives with the sample-DAG tests because the DAG pages document them; CI runs `make test`, not
`make docs`, so a broken link or a nav entry without its page would otherwise go unnoticed.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_docs_site_builds_strictly(tmp_path: Path) -> None:
    mkdocs = Path(sys.executable).parent / "mkdocs"
    if not mkdocs.exists() and shutil.which("mkdocs") is None:
        pytest.skip("mkdocs is not installed (pip install -e '.[docs]')")
    cmd = [str(mkdocs) if mkdocs.exists() else "mkdocs", "build", "--strict", "--site-dir", str(tmp_path / "site")]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=120, check=False,
                          env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    for page in ("index.html", "quickstart/index.html", "runbook/index.html", "dags/restore/index.html",
                 "dags/policy/index.html", "dags/drill/index.html", "dags/incident_demo/index.html"):
        assert (tmp_path / "site" / page).exists(), page
