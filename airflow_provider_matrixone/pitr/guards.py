"""Guards a restore plan applies before anything changes: pure decisions over what the plan read.

Why a module of its own: each guard is a MatrixOne restore that reported success and was wrong
(reference §11.2-11.3), so the plan must refuse it *before* the RESTORE is sent, with a message
saying what would happen and what to do instead. The reads live in :mod:`.restore_plan`; the
decisions here take plain values, so each is testable without a server and worded once.

- ``RESTORE TABLE`` of a table another table's foreign key references: MatrixOne v4.2.0 and older
  skip it and report success, keeping the post-T rows (#27117); newer servers refuse it (PR #28126).
  The plan refuses it on both, with the version's behaviour in the message.
- A read at T that fails because MatrixOne collected that history (``snapshot is too old``,
  #19033): the restore would fail the same way, possibly hours in, or restore a partial state.
- A table the PITR does not cover: partitioned tables have no PITR (#22126).
- A snapshot used outside its object (#27116: a database snapshot restored another database's
  table; #27134 scoped them after v4.2.0): refused on every version.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import NoReturn

from . import errors
from .models import Level, Scope
from .versions import ServerVersion

__all__ = [
    "RestoreRefused",
    "check_fk_referenced",
    "check_history_readable",
    "check_partitioned",
    "check_snapshot_covers",
    "is_history_gone",
]

#: The last release that silently skips an FK-referenced table on RESTORE TABLE (#27117).
LAST_SILENT_FK_SKIP = ServerVersion(4, 2, 0)

#: Texts MatrixOne answers a read of collected history with (lower case, any of them).
_GC_TEXTS = ("snapshot is too old", "no valid checkpoints", "invalid checkpoints duration")


class RestoreRefused(errors.LevelMismatch):
    """The plan refuses the restore: it would do something else than restore the scope as at T."""


def check_fk_referenced(scope: Scope, referencing: Iterable[str], version: ServerVersion) -> None:
    """Refuse a table restore of a foreign-key parent; ``referencing``: ``"db.child.constraint"`` names."""
    refs = sorted(set(referencing))
    if scope.level is not Level.TABLE or not refs:
        return
    name = f"{scope.database}.{scope.table}"
    if version > LAST_SILENT_FK_SKIP:
        what = (f"MatrixOne {version} refuses it (not supported: restore table {name} which is referenced by "
                "foreign key constraint)")
    else:
        what = (f"MatrixOne {version} would skip it and report success, leaving the rows written after T in "
                "place (MatrixOne #27117)")
    raise RestoreRefused(f"restore refused before it started: table {name} is referenced by the foreign key"
                         f"{'s' if len(refs) > 1 else ''} {', '.join(refs)}; {what}. Restore the database "
                         f"{scope.database} instead (its tables come back parents first)")


def is_history_gone(exc: BaseException) -> bool:
    """True when a read at T failed because MatrixOne garbage-collected that history."""
    text = f"{exc} {getattr(exc, 'server_message', '') or ''}".lower()
    return any(t in text for t in _GC_TEXTS)


def check_history_readable(exc: BaseException, at_utc: str, tables: Sequence[str]) -> NoReturn:
    """Turn a failed probe read at T (``SELECT COUNT(*) FROM t {MO_TS = T}``) into a refusal; else re-raise."""
    if not is_history_gone(exc):
        raise exc
    what = f" ({', '.join(tables[:5])}{', ...' if len(tables) > 5 else ''})" if tables else ""
    raise RestoreRefused(f"restore refused before it started: the data at {at_utc}{what} can no longer be read: "
                         f"{exc}. MatrixOne has collected that history (#19033), so the restore would fail or "
                         "restore something else; choose a later instant inside the PITR's kept history, or a "
                         "snapshot") from exc


def check_partitioned(tables: Iterable[str], pitr_name: str) -> None:
    """Refuse a restore that includes partitioned tables: MatrixOne's PITR does not cover them (#22126)."""
    names = sorted(set(tables))
    if names:
        raise RestoreRefused(f"restore refused before it started: pitr {pitr_name} does not cover the partitioned "
                             f"table{'s' if len(names) > 1 else ''} {', '.join(names)} (MatrixOne #22126: "
                             "partitioned tables have no PITR); restore them from a backup, or narrow the scope")


def check_snapshot_covers(snapshot: str, snapshot_level: Level, snapshot_database: str | None,
                          snapshot_table: str | None, scope: Scope) -> None:
    """Refuse a restore of an object the named snapshot does not belong to (#27116, #27134)."""
    def same(a: str | None, b: str | None) -> bool:
        return a is not None and b is not None and a.lower() == b.lower()

    obj = f"database {scope.database}" + (f" table {scope.table}" if scope.level is Level.TABLE else "")
    if snapshot_level is Level.DATABASE:
        ok = scope.level in (Level.DATABASE, Level.TABLE) and same(snapshot_database, scope.database)
        covers = f"database {snapshot_database}"
    elif snapshot_level is Level.TABLE:
        ok = scope.level is Level.TABLE and same(snapshot_database, scope.database) and same(snapshot_table,
                                                                                             scope.table)
        covers = f"table {snapshot_database}.{snapshot_table}"
    else:
        return
    if not ok:
        target = obj if scope.level in (Level.DATABASE, Level.TABLE) else f"{scope.level.value} {scope.account or ''}"
        raise RestoreRefused(f"restore refused before it started: snapshot {snapshot} belongs to {covers}, not to "
                             f"{target.strip()}; MatrixOne v4.2.0 and older restore it anyway and can bring "
                             "another database's table (#27116)")
