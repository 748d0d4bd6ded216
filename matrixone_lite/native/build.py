"""Compile ``mo_native.c`` into a shared library, once per source / interpreter / SQLite version.

Why compile at first use rather than ship a binary: the library must link against the very
libsqlite3 that CPython's ``_sqlite3`` uses on this machine, and a C compiler and the SQLite headers
are part of the project's system packages (``scripts/ensure-system-packages.sh``). ``make setup``
builds it ahead of time (``python -m matrixone_lite.native``), so tests do not pay for it.

The cache is ``$MO_LITE_NATIVE_CACHE`` or ``~/.cache/matrixone-lite``; a build goes to a temporary
file renamed into place, so concurrent processes never load a half-written library.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

FLAGS = ("-O2", "-Wall", "-Wextra", "-Werror", "-fPIC", "-shared")


class NativeBuildError(RuntimeError):
    """The library could not be compiled (no compiler, no SQLite headers, a compile error)."""


def cache_dir() -> Path:
    explicit = os.environ.get("MO_LITE_NATIVE_CACHE")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "matrixone-lite"


def build(source: Path, sqlite_version: str) -> Path:
    """The path of the compiled library for ``source`` (compiled now if not cached)."""
    # the C files next to it are #included by it (mo_fp.c): a change to any of them is a new library
    code = source.read_bytes() + b"".join(p.read_bytes() for p in sorted(source.parent.glob("*.c")) if p != source)
    key = hashlib.sha256(code + repr((FLAGS, sys.version, sqlite_version)).encode()).hexdigest()[:16]
    target = cache_dir() / f"mo_native-{key}.so"
    if target.exists():
        return target
    compiler = os.environ.get("CC") or shutil.which("cc") or shutil.which("gcc")
    if compiler is None:
        raise NativeBuildError("no C compiler (cc/gcc) on PATH")
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".mo_native-", suffix=".so", dir=target.parent)
    os.close(fd)
    try:
        done = subprocess.run([compiler, *FLAGS, "-o", tmp, str(source), "-lsqlite3"],  # noqa: S603
                              capture_output=True, text=True, timeout=120, check=False)
        if done.returncode != 0:
            detail = (done.stderr or done.stdout).strip().splitlines()
            why = detail[0] if detail else f"exit status {done.returncode}"
            raise NativeBuildError(f"compiling {source.name} failed ({compiler}): {why}")
        os.replace(tmp, target)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise NativeBuildError(f"compiling {source.name} failed: {exc}") from exc
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return target

