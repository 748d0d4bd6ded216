"""The domain layer must stay importable without Airflow (mo-pitr runs without it)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

PITR_DIR = Path(__file__).resolve().parents[3] / "airflow_provider_matrixone" / "pitr"


def _allowed(name: str) -> bool:
    top = name.split(".")[0]
    if top == "airflow_provider_matrixone":
        # sql_io is Airflow-free too; which pitr modules may use it is test_pitr_is_pure.py's business.
        return name.split(".")[1] in ("pitr", "sql_io") if "." in name else False
    return top in sys.stdlib_module_names or top == "pendulum"


def test_modules_import_only_stdlib_and_pendulum() -> None:
    for path in sorted(PITR_DIR.glob("*.py")):
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            for name in names:
                assert _allowed(name), f"{path.name} imports {name}: only stdlib and pendulum are allowed"


def test_import_does_not_load_airflow() -> None:
    code = ("import sys, airflow_provider_matrixone.pitr as p; "
            "bad = [m for m in sys.modules if m.split('.')[0] in ('airflow', 'sqlalchemy')]; "
            "assert not bad, bad")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=PITR_DIR.parents[1], timeout=60)
