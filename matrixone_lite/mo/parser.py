"""Recursive-descent parser for MatrixOne-only statements.

Grammar per server line: matrixone-pitr.md §2 (mysql_sql.y). Syntax errors carry MatrixOne's
position convention (column = end of the offending token, ``near`` = text after the last good
token), e.g. ``create pitr p if not exists …`` -> column 21 near `` if not exists …``.
"""

from __future__ import annotations

from matrixone_lite.mo import ast
from matrixone_lite.mo.cursor import RESERVED, MOSyntaxError
from matrixone_lite.mo.expressions import ExpressionParser
from matrixone_lite.mo.lexer import Kind
from matrixone_lite.statements import StatementKind, classify


def is_mo_statement(sql: str) -> bool:
    """True when ``sql`` is one of the statements this package handles (``statements.classify``)."""
    return classify(sql).kind is StatementKind.MO


def parse(sql: str, version: tuple[int, int, int] = (4, 2, 0)) -> ast.Statement:
    """Parse one MatrixOne statement for the given server version."""
    return _Parser(sql, version).statement()


class _Parser(ExpressionParser):
    """MatrixOne-only statements (the grammar of matrixone-pitr.md §2)."""

    # ---- statements ----
    def statement(self) -> ast.Statement:
        word = self.expect_word("CREATE", "DROP", "ALTER", "SHOW", "RESTORE")
        stmt: ast.Statement
        if word == "RESTORE":
            stmt = self.restore()
        elif word == "SHOW":
            stmt = self.show()
        elif word == "CREATE":
            what = self.expect_word("ACCOUNT", "USER", "PITR", "SNAPSHOT")
            if what == "ACCOUNT":
                stmt = self.create_account()
            elif what == "USER":
                stmt = self.create_user()
            elif what == "PITR":
                stmt = self.create_pitr()
            else:
                stmt = self.create_snapshot()
        elif word == "DROP":
            what = self.expect_word("ACCOUNT", "USER", "PITR", "SNAPSHOT")
            if_exists = self.if_exists()
            name = self.user_name() if what == "USER" else self.name()
            if what == "ACCOUNT":
                stmt = ast.DropAccount(name, if_exists)
            elif what == "USER":
                stmt = ast.DropUser(name, if_exists)
            elif what == "PITR":
                stmt = ast.DropPitr(name, if_exists, self.version >= (3, 0, 0) and self.accept_word("INTERNAL"))
            else:
                stmt = ast.DropSnapshot(name, if_exists)
        else:
            self.expect_word("PITR")
            if_exists = self.if_exists()
            name = self.name()
            self.expect_word("RANGE")
            value = self.uint()
            unit = self.string()
            stmt = ast.AlterPitr(name, value, unit, if_exists)
        self.end()
        return stmt

    def if_exists(self) -> bool:
        if self.accept_word("IF"):
            self.expect_word("EXISTS")
            return True
        return False

    def if_not_exists(self) -> bool:
        if self.accept_word("IF"):
            self.expect_word("NOT")
            self.expect_word("EXISTS")
            return True
        return False

    def user_name(self) -> str:
        """A user name: identifier or string literal (``'u1'``), lower-cased like other names."""
        t = self.tok
        if t.kind is Kind.STRING and t.terminated:
            self.advance()
            return t.value.lower()
        return self.name()

    def create_user(self) -> ast.CreateUser:
        """``CREATE USER [IF NOT EXISTS] u IDENTIFIED BY 'p' [DEFAULT ROLE r]`` (one user)."""
        ine = self.if_not_exists()
        name = self.user_name()
        self.expect_word("IDENTIFIED")
        self.expect_word("BY")
        password = self.string()
        role = None
        if self.accept_word("DEFAULT"):
            self.expect_word("ROLE")
            role = self.name()
        return ast.CreateUser(name, password, ine, role)

    def create_account(self) -> ast.CreateAccount:
        ine = self.if_not_exists()
        name = self.name()
        self.expect_word("ADMIN_NAME")
        self.accept_op("=")
        admin = self.string()
        self.expect_word("IDENTIFIED")
        self.expect_word("BY")
        password = self.string()
        comment = None
        if self.accept_word("COMMENT"):
            comment = self.string()
        return ast.CreateAccount(name, admin, password, ine, comment)

    def create_pitr(self) -> ast.CreatePitr:
        ine = self.if_not_exists()
        name = self.name()
        level: ast.Level = "account"
        account = database = table = None
        if self.accept_word("FOR"):
            kind = self.expect_word("ACCOUNT", "CLUSTER", "DATABASE", "TABLE")
            if kind == "CLUSTER":
                level = "cluster"
            elif kind == "ACCOUNT":
                if self.at_name():
                    account = self.name()
                elif self.version < (2, 1, 0):
                    raise self.error()  # v2.0: FOR ACCOUNT needs a name (no FOR means own account)
            elif kind == "DATABASE":
                database = self.name()
                level = "database"
                if self.accept_word("TABLE"):
                    table = self.name()
                    level = "table"
            else:
                if self.version < (2, 1, 0):
                    self.pos -= 1
                    raise self.error()  # FOR TABLE db tbl arrived in v2.1
                database = self.name()
                self.accept_op(".")
                table = self.name()
                level = "table"
        self.expect_word("RANGE")
        value = self.uint()
        unit = self.string()
        internal = self.version >= (3, 0, 0) and self.accept_word("INTERNAL")
        return ast.CreatePitr(name, level, value, unit, account, database, table, ine, internal)

    def create_snapshot(self) -> ast.CreateSnapshot:
        ine = self.if_not_exists()
        name = self.name()
        self.expect_word("FOR")
        kind = self.expect_word("ACCOUNT", "CLUSTER", "DATABASE", "TABLE")
        account = database = table = None
        level: ast.Level
        if kind == "CLUSTER":
            level = "cluster"
        elif kind == "ACCOUNT":
            level = "account"
            if self.at_name():
                account = self.name()
        elif kind == "DATABASE":
            level = "database"
            database = self.name()
        else:
            level = "table"
            database = self.name()
            self.accept_op(".")
            table = self.name()
        return ast.CreateSnapshot(name, level, account, database, table, ine)

    def show(self) -> ast.Statement:
        what = self.expect_word("ACCOUNTS", "PITR", "SNAPSHOTS", "RECOVERY_WINDOW")
        if what == "ACCOUNTS":
            like = self.string() if self.accept_word("LIKE") else None
            return ast.ShowAccounts(like)
        if what == "RECOVERY_WINDOW":
            if self.version < (2, 1, 0):
                self.pos -= 1
                raise self.error()
            self.expect_word("FOR")
            kind = self.expect_word("ACCOUNT", "DATABASE", "TABLE")
            if kind == "ACCOUNT":
                return ast.ShowRecoveryWindow("account", self.name() if self.at_name() else None)
            if kind == "DATABASE":
                return ast.ShowRecoveryWindow("database", database=self.name())
            db = self.name()
            return ast.ShowRecoveryWindow("table", database=db, table=self.name())
        where = None
        if self.accept_word("WHERE"):
            where = self.expr()
        return ast.ShowPitr(where) if what == "PITR" else ast.ShowSnapshots(where)

    # ---- RESTORE ----
    def v4(self) -> bool:
        return self.version >= (4, 0, 0)

    def from_pitr(self) -> tuple[str, str]:
        self.expect_word("PITR")
        name = self.name()
        return name, self.string()

    def snapshot_hint(self) -> str:
        self.expect_op("{")
        self.expect_word("SNAPSHOT")
        self.expect_op("=")
        if self.tok.kind is Kind.STRING:
            snap = self.string().lower()
        else:
            snap = self.name()
        self.expect_op("}")
        return snap

    def to_account(self) -> str | None:
        if self.accept_word("TO"):
            self.expect_word("ACCOUNT")
            return self.name()
        return None

    def restore(self) -> ast.Statement:
        db: str | None
        table: str | None
        if self.accept_word("FROM"):
            p, ts = self.from_pitr()
            return ast.RestorePitr("account", p, ts)
        if self.accept_word("CLUSTER"):
            if self.v4() and self.at_op("{"):
                return ast.RestoreSnapshot("cluster", self.snapshot_hint())
            self.expect_word("FROM")
            if not self.v4() and self.accept_word("SNAPSHOT"):
                return ast.RestoreSnapshot("cluster", self.name())
            p, ts = self.from_pitr()
            return ast.RestorePitr("cluster", p, ts)
        if self.accept_word("DATABASE"):
            if self.v4() and self.peek().kind is Kind.OP and self.peek().value in (".", "{"):
                acc = None
                db = self.name()
                if self.accept_op("."):
                    acc, db = db, self.name()
                snap = self.snapshot_hint()
                return ast.RestoreSnapshot("database", snap, acc, db, to_account=self.to_account())
            db = self.name()
            table = self.name() if self.accept_word("TABLE") else None
            self.expect_word("FROM")
            p, ts = self.from_pitr()
            return ast.RestorePitr("table" if table else "database", p, ts, None, db, table)
        if self.v4() and self.at_word("TABLE"):
            self.advance()
            parts = [self.name()]
            while self.accept_op("."):
                parts.append(self.name())
            if len(parts) not in (2, 3):
                raise self.error()
            acc = parts[0] if len(parts) == 3 else None
            snap = self.snapshot_hint()
            return ast.RestoreSnapshot("table", snap, acc, parts[-2], parts[-1], self.to_account())
        self.expect_word("ACCOUNT")
        acc = self.name()
        if self.v4() and self.at_op("{"):
            snap = self.snapshot_hint()
            return ast.RestoreSnapshot("account", snap, acc, to_account=self.to_account())
        db = table = None
        if (self.version >= (4, 1, 0) or not self.v4()) and self.accept_word("DATABASE"):
            db = self.name()
            if self.accept_word("TABLE"):
                table = self.name()
        self.expect_word("FROM")
        if not self.v4() and self.accept_word("SNAPSHOT"):
            snap = self.name()
            to = self.to_account() if db is None else None
            return ast.RestoreSnapshot("table" if table else "database" if db else "account",
                                       snap, acc, db, table, to)
        if db is not None and self.version < (4, 1, 0):
            # v3.x only knows ACCOUNT … DATABASE … for snapshots
            self.expect_word("SNAPSHOT")
        p, ts = self.from_pitr()
        if db is not None:
            return ast.RestorePitr("table" if table else "database", p, ts, acc, db, table)
        src = None
        if self.accept_word("AS"):
            src = self.name()
        elif self.at_name():
            src = self.name()
        return ast.RestorePitr("account", p, ts, acc, src_account=src)


__all__ = ["MOSyntaxError", "RESERVED", "is_mo_statement", "parse"]
