"""Fixtures: a fresh Engine per test, accounts acc1/acc2, and a session helper."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from matrixone_lite.engine import Engine, EngineSession


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    e = Engine(tmp_path / "data", timezone="Asia/Shanghai", version="4.2.0", root_password="111")
    with e.storage.transaction() as tx:
        e.storage.create_account(tx, "acc1", "root", "111")
        e.storage.create_account(tx, "acc2", "root", "111")
    yield e
    e.close()


@pytest.fixture
def connect(engine: Engine) -> Callable[[str], EngineSession]:
    def make(account: str = "acc1", user: str = "root") -> EngineSession:
        return engine.session(account, user, None)

    return make


def run(s: EngineSession, script: str) -> None:
    """Execute a ';'-separated script without string literals containing ';'."""
    for stmt in script.split(";"):
        if stmt.strip():
            s.execute(stmt)
