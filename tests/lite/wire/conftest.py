"""The server the fingerprint fast-path tests compare both paths on (test_fast_fingerprint*.py)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from matrixone_lite import native
from matrixone_lite.server import LiteServer


@pytest.fixture
def server(lite_server: Callable[..., LiteServer]) -> Iterator[LiteServer]:
    """A fresh server with the native library loaded; skipped only when a run asks for the Python-only
    engine (``MO_LITE_NATIVE=off``): there is no fast path to compare then. ``make test`` requires it."""
    if native.mode() == "off":
        pytest.skip("MO_LITE_NATIVE=off: there is no fast path to compare")
    assert native.load(), "the native library did not load: nothing to compare"
    yield lite_server(root_password="111")  # the server's zone is Asia/Shanghai (tests/lite/conftest.py)
