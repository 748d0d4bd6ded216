"""Which PITR restores an object at T, and which account must run the RESTORE. Pure: no I/O, no clock.

Callers (the sample restore DAG, and anyone building their own) read ``SHOW PITR`` on every
connection they have (sys, and the account's own) and hand the rows here with the server's "now";
this module decides. It exists because MatrixOne finds a PITR only by ``(name, creator)``
(reference matrixone-pitr.md §4.1): the account that created the PITR is the one that must run the
RESTORE, so choosing a PITR also chooses the connection.

Precedence, applied to the PITRs that can restore the object and whose recovery window contains T:

1. the most specific level first: table > database > account > cluster (a narrower PITR is
   what the user set up for that object, and it restores through the object's own account);
2. when equally specific, the object's own account's PITR before one created by sys: the tenant
   restores itself with ``RESTORE FROM PITR`` without sys privileges (§4.1, §4.4);
3. then the PITR with the earliest start of its window (the longest history), then by name, so
   the choice is deterministic.

Which creator may restore what (§4.1 table, §4.4 level compatibility, pitr.go:2142-2243):

* cluster restore: sys's cluster PITR, run by sys;
* account ``A`` in place: ``A``'s own account PITR (``RESTORE FROM PITR``), or sys's account PITR
  for ``A`` (``RESTORE ACCOUNT A FROM PITR``) or sys's cluster PITR (``… FROM PITR p 'ts' A``);
* account ``A`` restored beside into another account: sys only (account PITR for ``A`` or cluster);
* database / table of account ``A``: only ``A``'s own PITRs (account, matching database, matching
  table); sys cannot restore a tenant's database.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from . import errors
from .models import Level, Pitr
from .window import recovery_window

__all__ = ["SYS_ACCOUNT", "Selection", "can_restore", "select_pitr"]

SYS_ACCOUNT = "sys"
_SPECIFICITY = {Level.TABLE: 0, Level.DATABASE: 1, Level.ACCOUNT: 2, Level.CLUSTER: 3}


@dataclass(frozen=True)
class Selection:
    """The chosen PITR, the account that created it (and so must run the RESTORE), and the source
    account a cluster PITR needs when it restores one account (``… FROM PITR p 'ts' <source>``)."""

    pitr: Pitr
    run_as: str
    source_account: str | None
    reason: str


def _same(a: str | None, b: str | None) -> bool:
    return a is not None and b is not None and a.lower() == b.lower()


def can_restore(pitr: Pitr, creator: str, level: Level | str, account: str | None, database: str | None = None,
                table: str | None = None, target_account: str | None = None) -> bool:
    """Whether ``pitr``, created by ``creator``, can restore the object when ``creator`` runs the RESTORE.

    ``account`` is the account whose data is restored (ignored for a cluster restore).
    """
    lvl = Level.parse(level)
    is_sys = _same(creator, SYS_ACCOUNT)
    if lvl is Level.CLUSTER:
        return is_sys and pitr.level is Level.CLUSTER
    if lvl is Level.ACCOUNT:
        if target_account and not _same(target_account, account):
            # restoring beside: only sys may name another account (§4.1)
            if not is_sys:
                return False
            return pitr.level is Level.CLUSTER or (pitr.level is Level.ACCOUNT and _same(pitr.account, account))
        if pitr.level is Level.CLUSTER:
            return is_sys
        if pitr.level is not Level.ACCOUNT:
            return False
        # a PITR row shows its covered account; an own-account PITR may show none
        return _same(pitr.account or creator, account) and (is_sys or _same(creator, account))
    # database / table: the restore runs inside the owning account, with that account's PITRs
    if not _same(creator, account):
        return False
    if pitr.level is Level.ACCOUNT:
        return pitr.account is None or _same(pitr.account, account)
    if pitr.level is Level.DATABASE:
        return _same(pitr.database, database)
    if pitr.level is Level.TABLE:
        return lvl is Level.TABLE and _same(pitr.database, database) and _same(pitr.table, table)
    return False


def select_pitr(
    visible: Mapping[str, Sequence[Pitr]],
    *,
    level: Level | str,
    account: str | None,
    database: str | None = None,
    table: str | None = None,
    instant: datetime,
    now: datetime,
    pitr_name: str | None = None,
    target_account: str | None = None,
) -> Selection:
    """Pick the PITR for the request (see the module docstring for the precedence).

    :param visible: ``{creator account: SHOW PITR rows of that account}`` for every connection the
        caller has; a PITR is usable only by its creator.
    :param instant: T (aware). :param now: the server's current instant (aware), for the windows.
    :param pitr_name: restrict to PITRs of that name. A named PITR is not filtered by its window:
        the restore then fails with MatrixOne's own window message instead of "not found".
    :raises PitrNotFound: nothing visible can restore the object (at T, when unnamed).
    """
    lvl = Level.parse(level)
    owner = None if lvl is Level.CLUSTER else account
    candidates: list[tuple[tuple[int, int, datetime, str], Pitr, str]] = []
    for creator, pitrs in visible.items():
        for pitr in pitrs:
            if pitr_name and pitr.name.lower() != pitr_name.lower():
                continue
            if not can_restore(pitr, creator, lvl, owner, database, table, target_account):
                continue
            window = recovery_window(pitr, now)
            if not pitr_name and not (window.earliest < instant <= window.latest):
                continue
            own = 0 if _same(creator, owner) else 1
            candidates.append(((_SPECIFICITY[pitr.level], own, window.earliest, pitr.name), pitr, creator))
    if not candidates:
        raise errors.PitrNotFound(_missing(visible, lvl, account, database, table, instant, pitr_name))
    candidates.sort(key=lambda c: c[0])
    (_, own, _, _), pitr, creator = candidates[0]
    source = account if lvl is Level.ACCOUNT and pitr.level is Level.CLUSTER else None
    others = ", ".join(f"{p.name} ({p.level.value}, by {c})" for _, p, c in candidates[1:]) or "none"
    reason = (f"{pitr.name}: {pitr.level.value}-level PITR created by {creator}"
              f"{' (the account itself)' if own == 0 and lvl is not Level.CLUSTER else ''}; "
              f"also usable: {others}")
    return Selection(pitr=pitr, run_as=creator, source_account=source, reason=reason)


def _missing(visible: Mapping[str, Sequence[Pitr]], level: Level, account: str | None, database: str | None,
             table: str | None, instant: datetime, pitr_name: str | None) -> str:
    what = f"no pitr named {pitr_name}" if pitr_name else "no pitr"
    obj = level.value + (f" {account}" if account and level is not Level.CLUSTER else "")
    if database:
        obj += f" {database}" + (f".{table}" if table else "")
    searched = ", ".join(visible) or "none"
    return (f"{what} that can restore {obj} at {instant.isoformat()} was found in SHOW PITR of account(s) "
            f"{searched} (a PITR is visible only to the account that created it)")
