"""Statement nodes produced by :mod:`matrixone_lite.mo.parser`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal as TLiteral

Level = TLiteral["cluster", "account", "database", "table"]


# ---- WHERE expressions (SHOW PITR / SHOW SNAPSHOTS) ----
@dataclass(frozen=True)
class Column:
    name: str  # lower-cased


@dataclass(frozen=True)
class Literal:
    value: str | int | float | None


@dataclass(frozen=True)
class Func:
    name: str  # upper-cased
    args: tuple[Expr, ...]


@dataclass(frozen=True)
class Unary:
    op: str  # NOT, -
    operand: Expr


@dataclass(frozen=True)
class Binary:
    op: str  # AND OR = != < > <= >= + - * / LIKE NOT LIKE
    left: Expr
    right: Expr


@dataclass(frozen=True)
class InList:
    operand: Expr
    items: tuple[Expr, ...]
    negated: bool


@dataclass(frozen=True)
class IsNull:
    operand: Expr
    negated: bool


Expr = Column | Literal | Func | Unary | Binary | InList | IsNull


# ---- statements ----
@dataclass(frozen=True)
class CreateAccount:
    name: str
    admin_name: str
    password: str
    if_not_exists: bool = False
    comment: str | None = None


@dataclass(frozen=True)
class DropAccount:
    name: str
    if_exists: bool = False


@dataclass(frozen=True)
class ShowAccounts:
    like: str | None = None


@dataclass(frozen=True)
class CreateUser:
    name: str
    password: str
    if_not_exists: bool = False
    default_role: str | None = None


@dataclass(frozen=True)
class DropUser:
    name: str
    if_exists: bool = False


@dataclass(frozen=True)
class CreatePitr:
    name: str
    level: Level
    value: int
    unit: str  # exactly as written (not trimmed, not lower-cased)
    account: str | None = None  # FOR ACCOUNT name (None: current account)
    database: str | None = None
    table: str | None = None
    if_not_exists: bool = False
    internal: bool = False


@dataclass(frozen=True)
class AlterPitr:
    name: str
    value: int
    unit: str
    if_exists: bool = False


@dataclass(frozen=True)
class DropPitr:
    name: str
    if_exists: bool = False
    internal: bool = False


@dataclass(frozen=True)
class ShowPitr:
    where: Expr | None = None


@dataclass(frozen=True)
class CreateSnapshot:
    name: str
    level: Level
    account: str | None = None
    database: str | None = None
    table: str | None = None
    if_not_exists: bool = False


@dataclass(frozen=True)
class DropSnapshot:
    name: str
    if_exists: bool = False


@dataclass(frozen=True)
class ShowSnapshots:
    where: Expr | None = None


@dataclass(frozen=True)
class RestorePitr:
    """RESTORE … FROM PITR; ``level`` is the restore target kind (``account`` = self when no name)."""

    level: Level
    pitr: str
    timestamp: str
    account: str | None = None  # RESTORE ACCOUNT <account> …
    database: str | None = None
    table: str | None = None
    src_account: str | None = None  # trailing [AS] src (cluster PITR)


@dataclass(frozen=True)
class RestoreSnapshot:
    level: Level
    snapshot: str
    account: str | None = None  # source account (RESTORE ACCOUNT a / DATABASE a.db / TABLE a.db.t)
    database: str | None = None
    table: str | None = None
    to_account: str | None = None


@dataclass(frozen=True)
class ShowRecoveryWindow:
    level: Level
    account: str | None = None
    database: str | None = None
    table: str | None = None


Statement = (
    CreateAccount | DropAccount | ShowAccounts | CreateUser | DropUser | CreatePitr | AlterPitr | DropPitr | ShowPitr
    | CreateSnapshot | DropSnapshot | ShowSnapshots | RestorePitr | RestoreSnapshot | ShowRecoveryWindow
)
