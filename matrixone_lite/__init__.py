"""matrixone_lite: an embedded MatrixOne-compatible server for tests and demos."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from matrixone_lite.server import LiteServer


def __getattr__(name: str) -> Any:
    # lazy: importing the package (e.g. for __version__) must not pull in mysql-mimic
    if name == "LiteServer":
        from matrixone_lite.server import LiteServer

        return LiteServer
    raise AttributeError(name)


__all__ = ["LiteServer", "__version__"]
