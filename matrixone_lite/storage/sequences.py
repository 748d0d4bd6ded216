"""Sequences in the versioned catalog, and whether a restore brings them back.

MatrixOne keeps a sequence as a relation of kind ``S`` holding one row of seven columns
(``last_seq_num, min_value, max_value, start_value, increment_value, cycle, is_called``). So does
matrixone_lite: a sequence is a user table (``__mo_tables`` row, ``t_N``/``h_N``) whose ``ddl`` is its
``CREATE SEQUENCE`` text. Its state is therefore versioned exactly like rows: ``nextval`` is an
UPDATE of that row, a read at ``T`` and a restore to ``T`` see the value it had at ``T``.

Restores: MatrixOne up to v4.2.0 silently left sequences out of database, account and cluster
restores (#27049); main after v4.2.0 restores them with their state, before tables and views
(#27401). :func:`set_restore_sequences` records which of the two the emulated version does.
"""

from __future__ import annotations

import weakref
from typing import TYPE_CHECKING

from matrixone_lite.storage.catalog import TableRow

if TYPE_CHECKING:
    from matrixone_lite.storage.storage import Storage

SEQUENCE_DDL_PREFIX = "CREATE SEQUENCE"
SEQUENCE_COLUMNS = (
    "last_seq_num", "min_value", "max_value", "start_value", "increment_value", "cycle", "is_called",
)

_restores: weakref.WeakKeyDictionary[Storage, bool] = weakref.WeakKeyDictionary()


def is_sequence(table: TableRow) -> bool:
    """A ``__mo_tables`` row that is a sequence (its DDL is a ``CREATE SEQUENCE``)."""
    return table.ddl.startswith(SEQUENCE_DDL_PREFIX)


def set_restore_sequences(st: Storage, restore: bool) -> None:
    """Whether database/account/cluster restores of ``st`` bring sequences back (MatrixOne > 4.2.0)."""
    _restores[st] = restore


def restores_sequences(st: Storage) -> bool:
    return _restores.get(st, True)
