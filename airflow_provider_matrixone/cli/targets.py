"""Which restore a ``pitr restore`` / ``snapshot restore`` command line means.

mo_br's flags describe *what to restore* (``--account``, ``--database``, ``--table``,
``--cluster sys``, ``--new_account``); MatrixOne's grammar depends on who is connected and on the
PITR's level (reference §4.4, §9). This module turns the former into a :class:`Target` (scope,
source account, in-place or not); the SQL itself is built by the domain layer from it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from airflow_provider_matrixone.cli.errors import UsageError
from airflow_provider_matrixone.pitr.errors import InvalidInput
from airflow_provider_matrixone.pitr.identifiers import Login, validate_name
from airflow_provider_matrixone.pitr.models import Level, Pitr, Scope, Snapshot
from airflow_provider_matrixone.pitr.restore_plan import snapshot_scope


@dataclass(frozen=True)
class Target:
    """A restore target: ``scope`` as the domain layer's restore builders take it."""

    scope: Scope
    source_account: str | None = None
    new_account: str | None = None
    #: Whose data lands in ``new_account`` (shown in plans; not always part of the SQL).
    data_from: str | None = None

    @property
    def in_place(self) -> bool:
        return self.new_account is None

    @property
    def needs_confirmation(self) -> bool:
        """In-place account and cluster restores replace a whole tenant (or all of them)."""
        return self.in_place and self.scope.level in (Level.ACCOUNT, Level.CLUSTER)

    def describe(self, login: Login) -> str:
        s = self.scope
        if s.level is Level.CLUSTER:
            return "the whole cluster (every account, in place)"
        account = s.account or login.account
        if self.new_account:
            return f"new account {self.new_account} (data of account {self.data_from or self.source_account})"
        if s.level is Level.ACCOUNT:
            src = f", data from account {self.source_account}" if self.source_account and \
                self.source_account.lower() != account.lower() else ""
            return f"account {account}{src} (in place)"
        if s.level is Level.DATABASE:
            return f"database {s.database} of account {account} (in place)"
        return f"table {s.database}.{s.table} of account {account} (in place)"


def _same(a: str | None, b: str | None) -> bool:
    return (a or "").lower() == (b or "").lower()


def check_combination(cluster: bool, account: str | None, database: str | None, table: str | None,
                       new_account: str | None, db_flag: str) -> None:
    if cluster and (account or database or table or new_account):
        raise UsageError("--cluster", "--cluster sys restores the whole cluster and takes no --account, "
                         f"{db_flag}, --table or --new_account", "--cluster sys")
    if table and not database:
        raise UsageError("--table", f"--table needs {db_flag} (the table's database)",
                         f'{db_flag} "db2" --table "orders"')
    if new_account and (database or table):
        raise UsageError("--new_account", f"--new_account restores a whole account; it cannot be combined with "
                         f"{db_flag} or --table", '--account "acc1" --new_account "acc1_copy"')


def pitr_target(pitr: Pitr, login: Login, *, cluster: bool, account: str | None, database: str | None,
                table: str | None, new_account: str | None) -> Target:
    """The restore a ``pitr restore`` command line asks for, given the PITR's level."""
    check_combination(cluster, account, database, table, new_account, "--database")
    if cluster:
        return Target(Scope.build(Level.CLUSTER))
    if new_account:
        if pitr.level is Level.CLUSTER:
            if not account:
                raise UsageError("--account", f"pitr {pitr.name} is cluster level: name the source account with "
                                 "--account", f'--account "acc1" --new_account "{new_account}"')
            return Target(Scope.build(Level.ACCOUNT, account=new_account), source_account=account,
                          new_account=new_account, data_from=account)
        if pitr.level is not Level.ACCOUNT:
            raise UsageError("--new_account", f"pitr {pitr.name} is {pitr.level.value} level; restoring into a new "
                             "account needs an account or cluster level PITR", '--pname "pitr1" --account "acc1"')
        if account and pitr.account and not _same(account, pitr.account):
            raise UsageError("--account", f"pitr {pitr.name} covers account {pitr.account}, not {account}",
                             f'--account "{pitr.account}"')
        # An account-level PITR carries its account: MatrixOne refuses a source name here.
        return Target(Scope.build(Level.ACCOUNT, account=new_account), new_account=new_account,
                      data_from=pitr.account or account)
    if database:
        level = Level.TABLE if table else Level.DATABASE
        return Target(Scope.build(level, account=account, database=database, table=table))
    if account:
        src = account if pitr.level is Level.CLUSTER else None
        return Target(Scope.build(Level.ACCOUNT, account=account), source_account=src)
    # No scope flag: restore what the PITR covers.
    if pitr.level is Level.CLUSTER:
        return Target(Scope.build(Level.CLUSTER))
    if pitr.level is Level.ACCOUNT:
        acc = pitr.account or login.account
        src = None
        return Target(Scope.build(Level.ACCOUNT, account=acc), source_account=src)
    return Target(Scope.build(pitr.level, database=pitr.database, table=pitr.table))


def snapshot_target(snap: Snapshot, login: Login, *, account: str | None, database: str | None,
                    table: str | None, new_account: str | None) -> Target:
    """The restore a ``snapshot restore`` command line asks for: the object is the provider's rule
    (:func:`~airflow_provider_matrixone.pitr.restore_plan.snapshot_scope`, as the operator's)."""
    check_combination(False, account, database, table, new_account, "--db")
    if new_account:
        source = account or snap.account or login.account
        return Target(Scope.build(Level.ACCOUNT, account=source), new_account=new_account, data_from=source)
    return Target(snapshot_scope(snap, login.account, account=account, database=database, table=table))


#: Name flags of every command: (attribute, flag, domain field, kind for the example).
NAME_FLAGS = (("pname", "--pname", "pitr name", "pitr"), ("sname", "--sname", "snapshot name", "snapshot"),
              ("account", "--account", "account", "account"), ("database", "--database", "database", "database"),
              ("db", "--db", "database", "database"), ("table", "--table", "table", "table"),
              ("new_account", "--new_account", "new account", "account"))


def check_name_flags(args: Any) -> None:
    """Every name flag that was passed follows MatrixOne's name rule, before anything is sent.

    Done up front so a refused name is blamed on the flag that carries it (exit 2, zero
    statements), never on an object the command only found inside the restored scope.
    """
    for attr, flag, field, kind in NAME_FLAGS:
        value = getattr(args, attr, None)
        if value is None:
            continue
        try:
            validate_name(value, field, kind)
        except InvalidInput as exc:
            message = str(exc)
            if message.startswith(f"{field}: "):
                message = message[len(field) + 2:]
            raise UsageError(flag, message) from None
