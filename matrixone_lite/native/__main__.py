"""``python -m matrixone_lite.native``: build the native library now (``make setup``), failing loudly."""

import sqlite3
import sys
from pathlib import Path

from matrixone_lite.native.build import NativeBuildError, build

try:
    path = build(Path(__file__).with_name("mo_native.c"), sqlite3.sqlite_version)
except NativeBuildError as exc:
    sys.exit(f"matrixone_lite: {exc}")
sys.stdout.write(f"{path}\n")
