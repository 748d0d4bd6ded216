"""Who runs a restore, with which PITR, and who reads the reference and the result.

MatrixOne rules this follows (reference matrixone-pitr.md §4.1, §4.4): a PITR is found only by the
account that created it; database and table restores happen inside the connected account; only
sys restores another account, restores beside (into another account) or the cluster; and only
the owning account can read its data (time travel included).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from airflow_provider_matrixone.hooks.matrixone import MatrixOneHook
from airflow_provider_matrixone.pitr import errors
from airflow_provider_matrixone.pitr.models import Level, Pitr, Scope

from . import connections, restoring

_SPECIFICITY = {Level.TABLE: 0, Level.DATABASE: 1, Level.ACCOUNT: 2, Level.CLUSTER: 3}


@dataclass
class Route:
    """The resolved plan of who does what; hooks are not JSON, the rest goes to XCom."""

    restore_hook: MatrixOneHook
    reference_hook: MatrixOneHook
    verify_hook: MatrixOneHook
    pitr: Pitr
    scope: Scope
    source_account: str | None
    verify_level: str


def _same(a: str | None, b: str | None) -> bool:
    return a is not None and b is not None and a.lower() == b.lower()


def can_restore(pitr: Pitr, level: str, account: str, database: str | None, table: str | None,
                caller: str) -> bool:
    """Whether ``pitr`` (created by ``caller``) can restore the requested object (pitr.go:2142)."""
    lvl = Level.parse(level)
    if lvl is Level.CLUSTER:
        return pitr.level is Level.CLUSTER
    if lvl is Level.ACCOUNT:
        if pitr.level is Level.CLUSTER:
            return _same(caller, "sys")
        return pitr.level is Level.ACCOUNT and _same(pitr.account or caller, account)
    if pitr.level is Level.ACCOUNT:
        return _same(pitr.account or caller, account)
    if pitr.level is Level.DATABASE:
        return _same(pitr.database, database)
    if pitr.level is Level.TABLE:
        return lvl is Level.TABLE and _same(pitr.database, database) and _same(pitr.table, table)
    return False


def find_pitr(hook: MatrixOneHook, name: str | None, level: str, account: str, database: str | None,
              table: str | None, instant: datetime) -> Pitr | None:
    """The named PITR, or the most specific one that covers the object and contains ``instant``."""
    caller = hook.login.account
    if name:
        pitr = hook.get_pitr(name)
        return pitr if pitr is not None and can_restore(pitr, level, account, database, table, caller) else None
    now = restoring.utc_now()
    candidates = []
    for pitr in hook.list_pitrs():
        if not can_restore(pitr, level, account, database, table, caller):
            continue
        window = hook.recovery_window(pitr, now=now)
        if window.earliest < instant <= window.latest:
            candidates.append(pitr)
    candidates.sort(key=lambda p: _SPECIFICITY[p.level])
    return candidates[0] if candidates else None


def route(default: MatrixOneHook, request: Any) -> Route:
    """Choose connections and PITR for a validated :class:`RestoreRequest`. Reads only."""
    home = default.login.account
    level = request.level
    instant = request.instant
    if level == "cluster":
        if not _same(home, "sys"):
            raise errors.PermissionDenied(f"a cluster restore needs a sys connection; {connections.DEFAULT_CONN_ID} "
                                          f"logs into {home}")
        pitr = find_pitr(default, request.pitr_name, level, home, None, None, instant)
        if pitr is None:
            raise errors.PitrNotFound(_missing(request, [home]))
        return Route(default, default, default, pitr, Scope.build("cluster"), None, "account")

    account = request.account or home
    if level == "account":
        target = request.target_account or account
        searched = [home]
        pitr = find_pitr(default, request.pitr_name, level, account, None, None, instant)
        restore_hook = default
        if pitr is None and not request.target_account and not _same(account, home):
            tenant = connections.optional_account_hook(account, default)
            if tenant is not None:
                searched.append(account)
                pitr = find_pitr(tenant, request.pitr_name, level, account, None, None, instant)
                restore_hook = tenant
        if pitr is None:
            raise errors.PitrNotFound(_missing(request, searched))
        if request.target_account and not _same(restore_hook.login.account, "sys"):
            raise errors.PermissionDenied("restoring beside (target_account) needs a sys connection")
        caller = restore_hook.login.account
        scope_account = None if _same(target, caller) else target
        source = account if pitr.level is Level.CLUSTER else None
        return Route(
            restore_hook,
            connections.account_hook(account, default),
            connections.account_hook(target, default),
            pitr,
            Scope.build("account", account=scope_account),
            source,
            "account",
        )

    tenant = connections.account_hook(account, default)
    pitr = find_pitr(tenant, request.pitr_name, level, account, request.database, request.table, instant)
    if pitr is None:
        raise errors.PitrNotFound(_missing(request, [account]))
    scope = Scope.build(level, database=request.database, table=request.table)
    return Route(tenant, tenant, tenant, pitr, scope, None, level)


def _missing(request: Any, searched: list[str]) -> str:
    what = f"no pitr named {request.pitr_name}" if request.pitr_name else "no pitr"
    obj = request.level + (f" {request.account}" if request.account else "")
    if request.database:
        obj += f" {request.database}" + (f".{request.table}" if request.table else "")
    return (f"{what} that can restore {obj} at {request.instant.isoformat()} was found in SHOW PITR of "
            f"account(s) {', '.join(searched)} (a PITR is visible only to the account that created it)")
