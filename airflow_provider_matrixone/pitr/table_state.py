"""TableState: what a verification knows about one table (count, digest, columns, chunks).

Why its own module: it is pure data (built from a reference file or from a read), and the pure
verification model (:mod:`.verify`, :mod:`.verdicts`, :mod:`.restore_plan`) needs it without
importing the I/O reader in :mod:`airflow_provider_matrixone.sql_io.reading` that fills it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from . import errors
from .fingerprint import Column
from .identifiers import describe_value

__all__ = ["TableState"]


@dataclass(frozen=True)
class TableState:
    """One table: row count, and (content proof) its digest, columns and primary-key chunks.

    ``unverifiable`` is set when the proof could not be made (e.g. two reads of T disagreed).
    ``chunks``: ``[{"label", "key", "lo", "hi", "aggregate"}]``; the current state is read with the
    reference's boundaries so a mismatch names the key range.
    """

    rows: int
    fingerprint: str | None = None
    columns: tuple[Column, ...] | None = None
    chunks: tuple[dict[str, Any], ...] | None = None
    unverifiable: str | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"rows": self.rows, "fingerprint": self.fingerprint}
        if self.columns is not None:
            out["columns"] = [c.to_list() for c in self.columns]
        if self.chunks:
            out["chunks"] = [dict(c) for c in self.chunks]
        if self.unverifiable:
            out["unverifiable"] = self.unverifiable
        return out

    @classmethod
    def from_dict(cls, data: Any) -> TableState:
        if isinstance(data, int) and not isinstance(data, bool):
            data = {"rows": data}
        if not isinstance(data, Mapping) or "rows" not in data:
            raise errors.InvalidInput("reference", f"table entry {describe_value(data)} needs 'rows'")
        rows = data["rows"]
        if isinstance(rows, bool) or not isinstance(rows, int) or rows < 0:
            raise errors.InvalidInput("reference", f"rows must be a non-negative int, got {describe_value(rows)}")
        fp = data.get("fingerprint")
        cols = data.get("columns")
        chunks = data.get("chunks")
        if chunks is not None and (not isinstance(chunks, list) or not all(isinstance(c, Mapping) for c in chunks)):
            raise errors.InvalidInput("reference", f"chunks must be a list of mappings, got {describe_value(chunks)}")
        return cls(rows=rows, fingerprint=None if fp is None else str(fp),
                   columns=tuple(Column.from_list(c) for c in cols) if cols is not None else None,
                   chunks=tuple(dict(c) for c in chunks) if chunks else None,
                   unverifiable=str(data["unverifiable"]) if data.get("unverifiable") else None)
