"""One parser for every boolean that arrives as a param, a rendered template, a flag or an env var.

Why a module of its own: a template whose variable is unset renders as ``""`` or ``"None"``, and a
lenient ``bool()``-style coercion turns that into ``False``. For ``dry_run`` that meant a *real*
CREATE SNAPSHOT and RESTORE when the user meant a preview. So the rule is strict and shared by the
operators, the sensor, the sample DAGs and ``mo-pitr``:

* accepted: ``True``/``False``, ``1``/``0`` (int), and the strings ``true``/``false``, ``1``/``0``,
  ``yes``/``no`` (case-insensitive, surrounding whitespace ignored);
* anything else (``""``, ``"None"``, ``"null"``, ``None``, ``"maybe"``, ``2``, lists, ...) is
  ambiguous: :func:`parse_bool` raises :class:`InvalidInput` before any statement is built, and
  :func:`parse_dry_run` answers *dry run* (the safe side) and says why.

Pure: no I/O, no Airflow imports.
"""

from __future__ import annotations

from typing import Any

from .errors import InvalidInput
from .identifiers import describe_value

__all__ = ["FALSE_WORDS", "TRUE_WORDS", "DryRun", "parse_bool", "parse_dry_run"]

TRUE_WORDS = frozenset({"true", "1", "yes"})
FALSE_WORDS = frozenset({"false", "0", "no"})
_SPELLINGS = "true/false, yes/no or 1/0"


def _known(value: Any) -> bool | None:
    """The boolean ``value`` clearly spells, or None when it is ambiguous."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        word = value.strip().lower()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
    return None


def _why(value: Any) -> str:
    if value is None or (isinstance(value, str) and value.strip().lower() in ("none", "null")):
        return "looks like an unset template or param"
    if isinstance(value, str) and value.strip() == "":
        return "is blank (an unset template renders as '')"
    return "is not a boolean"


def parse_bool(value: Any, field: str) -> bool:
    """Strict boolean: the accepted spellings, else ``InvalidInput(field, ...)`` naming the value."""
    known = _known(value)
    if known is None:
        raise InvalidInput(field, f"{field} must be {_SPELLINGS}; {describe_value(value)} {_why(value)} "
                           f"(example: {field}=false)")
    return known


class DryRun:
    """Result of :func:`parse_dry_run`: ``enabled`` and, when the value was ambiguous, the reason."""

    __slots__ = ("enabled", "note")

    def __init__(self, enabled: bool, note: str | None = None) -> None:
        self.enabled = enabled
        self.note = note

    def __bool__(self) -> bool:
        return self.enabled

    def __repr__(self) -> str:
        return f"DryRun({self.enabled!r}, note={self.note!r})"


def parse_dry_run(value: Any, field: str = "dry_run") -> DryRun:
    """Like :func:`parse_bool`, but an ambiguous value means *dry run* (fail safe), with a note."""
    known = _known(value)
    if known is not None:
        return DryRun(known)
    return DryRun(True, f"{field}={describe_value(value)} {_why(value)}: treated as a dry run (plan only, no "
                        f"statement that changes anything); pass {field}=false to restore")
