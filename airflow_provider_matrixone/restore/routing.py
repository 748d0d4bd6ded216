"""Routing: which PITR restores the object at T, and which connection runs, reads and verifies it.

MatrixOne rules this follows (reference matrixone-pitr.md §4.1, §4.4): a PITR is found only by the
account that created it, so SHOW PITR is listed on every connection at hand (the default one, and
the account's own) and :func:`airflow_provider_matrixone.pitr.selection.select_pitr` picks the most
specific PITR that covers the object at T (precedence documented there); the PITR's creator runs
the RESTORE. Only the owning account can read its data (time travel included), so the reference
and the verification go through the account's own connection.

Which connection is "the account's own" is a :class:`ConnectionResolver`: a mapping
(``{"acc1": "my_conn"}``) and/or a pattern (default ``matrixone_{account}``). No Airflow imports:
the caller hands in ``connect(conn_id) -> PitrOperations`` (the hook, or a ``PitrClient``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from airflow_provider_matrixone.pitr import errors, identifiers
from airflow_provider_matrixone.pitr.models import Level, Pitr
from airflow_provider_matrixone.pitr.selection import SYS_ACCOUNT, select_pitr
from airflow_provider_matrixone.sql_io.operations import PitrOperations

from .request import RestoreRequest

DEFAULT_PATTERN = "matrixone_{account}"


@dataclass(frozen=True)
class ConnectionResolver:
    """Account -> connection id: ``mapping`` first (case-insensitive), else ``pattern``."""

    mapping: Mapping[str, str] = field(default_factory=dict)
    pattern: str = DEFAULT_PATTERN

    def __post_init__(self) -> None:
        if "{account}" not in self.pattern:
            raise errors.InvalidInput("pattern", f"connection pattern {self.pattern!r} must contain {{account}} "
                                      "(example: matrixone_{account})")
        bad = [k for k, v in self.mapping.items() if not isinstance(k, str) or not isinstance(v, str)]
        if bad:
            raise errors.InvalidInput("mapping", 'the account mapping must map account names to connection ids '
                                      '(example: {"acc1": "matrixone_acc1"})')

    def conn_id(self, account: str) -> str:
        name = identifiers.validate_name(account, "account", "account").lower()
        lowered = {k.lower(): v for k, v in self.mapping.items()}
        return lowered.get(name) or self.pattern.format(account=name)


@dataclass
class Route:
    """Who does what; the connections are not JSON, :meth:`to_dict` is."""

    restore_ops: PitrOperations
    reference_ops: PitrOperations
    verify_ops: PitrOperations
    pitr: Pitr
    source_account: str | None
    reason: str
    conn_ids: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"pitr": self.pitr.to_dict(), "pitr_choice": self.reason, "source_account": self.source_account,
                "restore_as": self.restore_ops.account, "verify_account": self.verify_ops.account, **self.conn_ids}


def _same(a: str | None, b: str | None) -> bool:
    return a is not None and b is not None and a.lower() == b.lower()


class Router:
    """Finds (and caches) a connection per account; ``default`` is used where it already is that account."""

    def __init__(self, default: PitrOperations, default_conn_id: str, connect: Callable[[str], PitrOperations],
                 resolver: ConnectionResolver | None = None) -> None:
        self.default = default
        self.connect = connect
        self.resolver = resolver or ConnectionResolver()
        self.ids: dict[int, str] = {id(default): default_conn_id}
        self._by_conn_id: dict[str, PitrOperations] = {default_conn_id: default}

    def account_ops(self, account: str) -> PitrOperations:
        """A connection logged into ``account``; refused with a sentence saying which one to create."""
        if _same(self.default.account, account):
            return self.default
        conn_id = self.resolver.conn_id(account)
        if conn_id in self._by_conn_id:
            return self._by_conn_id[conn_id]
        try:
            found = self.connect(conn_id)
            actual = found.account
        except errors.MatrixOneError:
            raise
        except Exception as exc:
            raise errors.InvalidInput(
                "connection",
                f"reading account {account} needs a connection logged into it (MatrixOne only lets an account "
                f"read its own data): create connection {conn_id!r} or map the account to a connection "
                f"({type(exc).__name__}: {exc})",
            ) from None
        if not _same(actual, account):
            raise errors.InvalidInput("connection", f"connection {conn_id!r} logs into account {actual}, "
                                      f"expected {account}")
        self.ids[id(found)] = conn_id
        self._by_conn_id[conn_id] = found
        return found

    def optional_account_ops(self, account: str) -> PitrOperations | None:
        try:
            return self.account_ops(account)
        except errors.InvalidInput:
            return None

    def conn_id(self, ops: PitrOperations) -> str:
        return self.ids[id(ops)]

    def route(self, request: RestoreRequest) -> Route:
        """Choose the PITR (most specific covering T) and the connections. Reads only (SHOW PITR)."""
        home = self.default.account
        level = request.level
        if level is Level.CLUSTER and not _same(home, SYS_ACCOUNT):
            raise errors.PermissionDenied(f"a cluster restore needs a sys connection; the default connection logs "
                                          f"into {home}")
        if request.target_account and not _same(home, SYS_ACCOUNT):
            raise errors.PermissionDenied("restoring beside (target_account) needs a sys connection")
        account = home if level is Level.CLUSTER else (request.account or home)
        candidates = {home.lower(): self.default}
        if not _same(account, home):
            # database/table restores run inside the account: its connection is required; an account
            # restore may also go through sys, so the account's own connection is optional there
            tenant = self.optional_account_ops(account) if level is Level.ACCOUNT else self.account_ops(account)
            if tenant is not None:
                candidates[account.lower()] = tenant
        visible = {name: ops.list_pitrs() for name, ops in candidates.items()}
        selection = select_pitr(visible, level=level, account=account, database=request.database,
                                table=request.table, instant=request.instant, now=self.default.now(),
                                pitr_name=request.pitr_name or None, target_account=request.target_account)
        restore = candidates[selection.run_as.lower()]
        if level is Level.CLUSTER:
            reference = verify = self.default
        elif level is Level.ACCOUNT:
            reference = self.account_ops(account)
            verify = self.account_ops(request.target_account or account)
        else:
            reference = verify = restore
        ids = {"restore_conn_id": self.conn_id(restore), "reference_conn_id": self.conn_id(reference),
               "verify_conn_id": self.conn_id(verify)}
        return Route(restore, reference, verify, selection.pitr, selection.source_account, selection.reason, ids)
