"""Names the storage layer keeps for itself, in one place.

Physical tables carry hidden columns (``__mo_ts`` in ``t_N``; ``__mo_begin``/``__mo_end`` in
``h_N``) and the catalog lives in ``__mo_*`` tables. A user column with such a name would clash
with (or impersonate) the history columns, so the ``__mo_`` prefix is reserved for columns: the
SQL guard (``sql/guard.py``) refuses references to them and table creation refuses to define
them, before anything reaches SQLite.
"""

from __future__ import annotations

from matrixone_lite.errors import MOError

INTERNAL_PREFIX = "__mo_"


def is_internal_column(name: str) -> bool:
    """True for a name in the engine's reserved column namespace (case-insensitive, like SQLite)."""
    return name.lower().startswith(INTERNAL_PREFIX)


def reserved_column(name: str) -> MOError:
    """Error for a user column that would take an internal name.

    MatrixOne reserves ``__mo_`` for its hidden columns (``__mo_rowid``, ``__mo_cpkey_*``) too;
    its exact wording for a user column with that prefix is not in our reference, so this is an
    ``invalid input`` naming the column and the reason.
    """
    return MOError(20301, f"invalid input: column name '{name}' is reserved for internal use")


def check_columns(names: list[str]) -> None:
    for n in names:
        if is_internal_column(n):
            raise reserved_column(n)
