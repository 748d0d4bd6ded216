"""Plain-text tables for task logs and the demo's console output (restore reports: the provider's
:func:`airflow_provider_matrixone.restore.render_report`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


def table(rows: Sequence[dict[str, Any]], columns: Sequence[tuple[str, str]]) -> str:
    """Render dict rows as an aligned text table; ``columns`` is (key, header) pairs."""
    header = [h for _, h in columns]
    body = [["" if r.get(k) is None else str(r.get(k)) for k, _ in columns] for r in rows]
    widths = [max(len(h), *(len(b[i]) for b in body)) if body else len(h) for i, h in enumerate(header)]
    line = "+".join("-" * (w + 2) for w in widths)
    out = [line, "|".join(f" {h:<{w}} " for h, w in zip(header, widths, strict=True)), line]
    out += ["|".join(f" {c:<{w}} " for c, w in zip(b, widths, strict=True)) for b in body]
    out.append(line)
    return "\n".join(out)
