"""Which objects a PITR can restore: MatrixOne's level/object rules, checked before any SQL.

Shared by the restore planner (operators, mo-pitr) and ``PitrOperations.restore_pitr`` (the hook).
"""

from __future__ import annotations

from . import errors
from .models import Level, Pitr, Scope

__all__ = ["check_pitr_covers"]


def _same(a: str | None, b: str | None) -> bool:
    return a is not None and b is not None and a.lower() == b.lower()


def check_pitr_covers(pitr: Pitr, scope: Scope, caller_account: str) -> None:
    """Refuse a restore the PITR cannot serve, with MatrixOne's wording (pitr.go:2142-2243).

    The statement builder checks level combinations; this adds the object names: a database PITR
    only restores its own database, a table PITR its own table, an account PITR its own account.
    """
    name = pitr.name
    if pitr.level is Level.DATABASE and scope.level in (Level.DATABASE, Level.TABLE):
        if not _same(pitr.database, scope.database):
            obj = f"database {scope.database}" + (f" table {scope.table}" if scope.level is Level.TABLE else "")
            raise errors.LevelMismatch(f"pitr {name} is not allowed to restore {obj} (it covers database "
                                       f"{pitr.database})")
    if pitr.level is Level.TABLE and scope.level is Level.TABLE:
        if not (_same(pitr.database, scope.database) and _same(pitr.table, scope.table)):
            raise errors.LevelMismatch(f"pitr {name} is not allowed to restore table {scope.database}.{scope.table} "
                                       f"(it covers table {pitr.database}.{pitr.table})")
    if pitr.level is Level.ACCOUNT and scope.level in (Level.DATABASE, Level.TABLE):
        if pitr.account is not None and not _same(pitr.account, scope.account or caller_account):
            raise errors.LevelMismatch(f"pitr {name} is not allowed to restore account {scope.account or caller_account} "
                                       f"database {scope.database} (it covers account {pitr.account})")
    if pitr.level is Level.ACCOUNT and scope.level is Level.ACCOUNT:
        target = scope.account or caller_account
        if pitr.account is not None and not _same(pitr.account, target):
            raise errors.LevelMismatch(f"pitr {name} is not allowed to restore account {target} (it covers account "
                                       f"{pitr.account}; to copy {pitr.account} into {target} use target_account)")
