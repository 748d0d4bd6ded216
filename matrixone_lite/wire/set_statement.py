"""``SET`` on the wire: system variables, user variables, NAMES/CHARACTER SET, TRANSACTION.

The wire layer owns the session's variables (mysql-mimic's ``Variables``); the few the engine
needs (autocommit, time_zone, foreign_key_checks) are mirrored into the ``EngineSession``.
A mixin of ``LiteSession`` (``wire/session.py``), which provides the attributes declared here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar
from zoneinfo import ZoneInfoNotFoundError

from mysql_mimic.charset import CharacterSet
from mysql_mimic.errors import MysqlError

from matrixone_lite.errors import MOError, syntax_error
from matrixone_lite.mo.context import zone_from_variable
from matrixone_lite.mo.lexer import Kind, Token, tokenize
from matrixone_lite.wire.variables import coerce

if TYPE_CHECKING:
    from mysql_mimic.variables import Variables

    from matrixone_lite.engine import EngineSession
    from matrixone_lite.wire.server_context import ServerContext

T = TypeVar("T")


class SetStatements:
    """SET statements of one wire session."""

    server: ServerContext
    variables: Variables
    user_vars: dict[str, Any]
    esess: EngineSession | None

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        raise NotImplementedError  # LiteSession.run: the connection's worker thread

    async def _set(self, sql: str) -> None:
        toks = [t for t in tokenize(sql) if not (t.kind is Kind.OP and t.value == ";")]
        i = 1
        while True:
            i = await self._set_item(sql, toks, i)
            if toks[i].kind is Kind.OP and toks[i].value == ",":
                i += 1
                continue
            if toks[i].kind is not Kind.EOF:
                raise syntax_error(sql[toks[i - 1].end:], toks[i].end)
            return

    async def _set_item(self, sql: str, toks: list[Token], i: int) -> int:
        t = toks[i]
        if t.is_word("NAMES"):
            charset = toks[i + 1].value
            i += 2
            collation = None
            if toks[i].is_word("COLLATE"):
                collation = toks[i + 1].value
                i += 2
            self._set_charset(charset, collation, names=True)
            return i
        if t.is_word("CHARSET") or (t.is_word("CHARACTER") and toks[i + 1].is_word("SET")):
            i += 1 if t.is_word("CHARSET") else 2
            self._set_charset(toks[i].value, None, names=False)
            return i + 1
        scope = "SESSION"
        if t.is_word("GLOBAL", "SESSION", "LOCAL", "PERSIST"):
            scope = t.value.upper()
            i += 1
            t = toks[i]
        if t.is_word("TRANSACTION"):
            while toks[i].kind is not Kind.EOF and not (toks[i].kind is Kind.OP and toks[i].value == ","):
                i += 1
            return i
        if t.kind is Kind.VAR and not t.value.startswith("@@"):
            name = t.value[1:].lower()
            i += 1
            i = self._expect_assign(sql, toks, i)
            value, i = self._set_value(sql, toks, i)
            self.user_vars[name] = value
            return i
        if t.kind is Kind.VAR:
            name = t.value[2:].lower()
            for prefix in ("global.", "session.", "local."):
                if name.startswith(prefix):
                    name = name[len(prefix):]
        elif t.kind in (Kind.IDENT, Kind.QIDENT):
            name = t.value.lower()
        else:
            raise syntax_error(sql[toks[i - 1].end:] if i else sql, t.end)
        i += 1
        i = self._expect_assign(sql, toks, i)
        raw, i = self._set_value(sql, toks, i)
        await self._set_system(name, raw)
        del scope  # GLOBAL and SESSION are the same thing on this single-node server
        return i

    @staticmethod
    def _expect_assign(sql: str, toks: list[Token], i: int) -> int:
        if toks[i].kind is Kind.OP and toks[i].value in ("=", ":="):
            return i + 1
        raise syntax_error(sql[toks[i - 1].end:], toks[i].end)

    @staticmethod
    def _set_value(sql: str, toks: list[Token], i: int) -> tuple[Any, int]:
        t = toks[i]
        if t.kind is Kind.OP and t.value == "-" and toks[i + 1].kind is Kind.NUMBER:
            n = toks[i + 1].value
            return (-int(n) if n.isdigit() else -float(n)), i + 2
        if t.kind is Kind.NUMBER:
            return (int(t.value) if t.value.isdigit() else float(t.value)), i + 1
        if t.kind is Kind.STRING:
            return t.value, i + 1
        if t.is_word("NULL"):
            return None, i + 1
        if t.kind in (Kind.IDENT, Kind.QIDENT):
            return t.value, i + 1
        raise syntax_error(sql[toks[i - 1].end:], t.end)

    async def _set_system(self, name: str, raw: Any) -> None:
        if isinstance(raw, str) and raw.upper() == "DEFAULT":
            value = None
        else:
            value = coerce(self.variables, name, raw)
        if name == "time_zone" and value is not None:
            try:
                zone_from_variable(str(value), self.server.zone)
            except (ValueError, ZoneInfoNotFoundError, IndexError):
                raise MOError(1298, f"Unknown or incorrect time zone: '{value}'") from None
        try:
            self.variables.set(name, value, force=True)
        except MysqlError as e:
            raise MOError(int(e.code), str(e.msg)) from None
        es = self.esess
        if es is None:
            return
        if name == "autocommit":
            on = bool(self.variables.get("autocommit"))
            await self.run(self._apply_autocommit, es, on)
        elif name == "time_zone":
            es.time_zone = str(self.variables.get("time_zone"))
        elif name == "foreign_key_checks":  # enforced by the engine (sql/foreign_keys.py)
            es.foreign_key_checks = bool(self.variables.get("foreign_key_checks"))

    @staticmethod
    def _apply_autocommit(es: EngineSession, on: bool) -> None:
        if on and es.in_transaction:
            es.commit()
        es.autocommit = on

    def _set_charset(self, charset: str, collation: str | None, *, names: bool) -> None:
        if charset.upper() == "DEFAULT":
            charset = "utf8mb4"
        charset = {"utf8mb3": "utf8"}.get(charset.lower(), charset)
        try:
            cs = CharacterSet[charset.lower()]
        except KeyError:
            raise MOError(1115, f"Unknown character set: '{charset}'", "42000") from None
        self.variables.set("character_set_client", cs.name)
        self.variables.set("character_set_results", cs.name)
        self.variables.set("character_set_connection", cs.name)
        if names:
            self.variables.set("collation_connection", collation or cs.default_collation.name)
