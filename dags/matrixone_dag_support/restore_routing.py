"""Which connections run, read and verify a restore; the PITR choice itself is the provider's.

MatrixOne rules this follows (reference matrixone-pitr.md §4.1, §4.4): a PITR is found only by the
account that created it, so the DAG lists SHOW PITR on every connection it has (sys and, through
``matrixone_<account>``, the account's own) and lets
:func:`airflow_provider_matrixone.pitr.selection.select_pitr` pick the most specific PITR that covers
the object at T; the PITR's creator runs the RESTORE. Only the owning account can read its data
(time travel included), so the reference and the verification go through the account's connection.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from airflow_provider_matrixone.hooks.matrixone import MatrixOneHook
from airflow_provider_matrixone.pitr import errors
from airflow_provider_matrixone.pitr.models import Pitr, Scope
from airflow_provider_matrixone.pitr.selection import SYS_ACCOUNT, select_pitr

from . import connections


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
    reason: str


def _same(a: str | None, b: str | None) -> bool:
    return a is not None and b is not None and a.lower() == b.lower()


def route(default: MatrixOneHook, request: Any) -> Route:
    """Choose connections and PITR for a validated :class:`RestoreRequest`. Reads only."""
    home = default.login.account
    level = request.level
    if level == "cluster" and not _same(home, SYS_ACCOUNT):
        raise errors.PermissionDenied(f"a cluster restore needs a sys connection; {connections.DEFAULT_CONN_ID} "
                                      f"logs into {home}")
    if request.target_account and not _same(home, SYS_ACCOUNT):
        raise errors.PermissionDenied("restoring beside (target_account) needs a sys connection")
    account = home if level == "cluster" else (request.account or home)

    hooks = {home.lower(): default}
    if not _same(account, home):
        # database/table restores run inside the account: its connection is required; an account
        # restore may also go through sys, so the account's own connection is optional there
        tenant = (connections.optional_account_hook(account, default) if level == "account"
                  else connections.account_hook(account, default))
        if tenant is not None:
            hooks[account.lower()] = tenant
    visible = {name: hook.list_pitrs() for name, hook in hooks.items()}
    selection = select_pitr(
        visible, level=level, account=account, database=request.database, table=request.table,
        instant=request.instant, now=default.now(), pitr_name=request.pitr_name,
        target_account=request.target_account,
    )
    restore_hook = hooks[selection.run_as.lower()]
    if level == "cluster":
        return Route(default, default, default, selection.pitr, Scope.build("cluster"), None, "account",
                     selection.reason)
    if level == "account":
        target = request.target_account or account
        scope_account = None if _same(target, selection.run_as) else target
        return Route(
            restore_hook,
            connections.account_hook(account, default),
            connections.account_hook(target, default),
            selection.pitr,
            Scope.build("account", account=scope_account),
            selection.source_account,
            "account",
            selection.reason,
        )
    scope = Scope.build(level, database=request.database, table=request.table)
    return Route(restore_hook, restore_hook, restore_hook, selection.pitr, scope, None, level, selection.reason)
