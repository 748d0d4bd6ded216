"""Native (C) per-row SQL functions for the restore proof, with the Python ones as the fallback.

Why: the default restore proof calls about seven SQL functions per row (HEX, MO_DEC_TEXT,
MO_CONCAT_WS, MD5, 2x CRC32, BIT_XOR); as Python callbacks they cost several times the RESTORE's
own native copy of the row. ``mo_native.c`` implements them in C with exactly the Python
results (anything it does not handle natively is handed to the Python function; see the C file).

How it reaches CPython's stdlib ``sqlite3`` (built here without ``enable_load_extension``): the
library is compiled on first use (``cc``, cached per source/interpreter/SQLite version), linked to
the same shared libsqlite3 as ``_sqlite3``, and installs a SQLite auto-extension; :func:`attach`
then asks a connection for its own handle and registers the functions on it.

``MO_LITE_NATIVE``: ``auto`` (default: native when it loads, else one log line and Python),
``required`` (failing to load or attach is an error: ``make test`` sets it, so CI never falls
back silently), ``off`` (Python only: the reference the differential tests compare against).
"""

from __future__ import annotations

import ctypes
import logging
import os
import secrets
import sqlite3
import threading
from pathlib import Path

from matrixone_lite.native.build import NativeBuildError, build

__all__ = ["NativeBuildError", "NativeUnavailable", "active", "attach", "fallbacks", "load", "mode"]

log = logging.getLogger(__name__)

_lock = threading.Lock()
_lib: ctypes.CDLL | None = None
_token = 0
_failure: str | None = None
_warned = False


class NativeUnavailable(RuntimeError):
    """``MO_LITE_NATIVE=required`` and the native functions could not be loaded or attached."""


def mode() -> str:
    """``auto``, ``required`` or ``off`` (anything else reads as ``auto``)."""
    value = os.environ.get("MO_LITE_NATIVE", "auto").strip().lower()
    return value if value in ("required", "off") else "auto"


def _unavailable(reason: str) -> None:
    """Required: raise. Auto: say it once per process, clearly, and carry on with Python."""
    global _warned
    if mode() == "required":
        raise NativeUnavailable(f"native SQL functions required (MO_LITE_NATIVE=required) but unavailable: {reason}")
    if not _warned:
        _warned = True
        log.warning("matrixone_lite: native SQL functions unavailable (%s); using the Python ones "
                    "(same results, slower restore proof)", reason)


def load() -> bool:
    """Build (first time) and load the library and install its auto-extension; idempotent.

    Must run before the connections it should serve are opened (``Storage.connect`` calls it).
    """
    global _lib, _token, _failure
    if mode() == "off":
        return False
    with _lock:
        if _lib is None and _failure is None:
            try:
                path = build(Path(__file__).with_name("mo_native.c"), sqlite3.sqlite_version)
                lib = ctypes.CDLL(str(path))
                lib.mo_native_install.argtypes = [ctypes.c_int64]
                lib.mo_native_install.restype = ctypes.c_int
                lib.mo_native_register.argtypes = [ctypes.c_void_p]
                lib.mo_native_register.restype = ctypes.c_int
                lib.mo_native_fallbacks.argtypes = []
                lib.mo_native_fallbacks.restype = ctypes.c_int64
                token = secrets.randbits(62) + 1
                rc = lib.mo_native_install(token)
                if rc != 0:
                    raise NativeBuildError(f"sqlite3_auto_extension returned {rc}")
                _lib, _token = lib, token
            except (NativeBuildError, OSError, AttributeError) as exc:
                _failure = str(exc)
    if _failure is not None:
        _unavailable(_failure)
        return False
    return True


def attach(conn: sqlite3.Connection) -> bool:
    """Register the native functions on ``conn`` (between statements); False: use Python's."""
    if not load() or _lib is None:
        return False
    try:
        rows = conn.execute("SELECT mo_native_handle(?)", (_token,)).fetchall()
    except sqlite3.Error as exc:  # a connection opened before load(), or another SQLite library
        _unavailable(f"this connection has no native entry point ({exc})")
        return False
    handle = rows[0][0] if rows else None
    if not isinstance(handle, int) or handle == 0:
        _unavailable("the connection did not return its handle")
        return False
    rc = _lib.mo_native_register(ctypes.c_void_p(handle))
    if rc != 0:
        _unavailable(f"registering the functions failed (SQLite code {rc})")
        return False
    return True


def active() -> bool:
    """True when the library is loaded (connections attached from now on run native)."""
    return _lib is not None


def fallbacks() -> int:
    """How many native calls were handed to the Python functions so far (process-wide, approximate)."""
    return int(_lib.mo_native_fallbacks()) if _lib is not None else 0
