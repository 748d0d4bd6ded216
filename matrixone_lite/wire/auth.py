"""mysql_native_password authentication against the engine's user catalog."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from mysql_mimic.auth import AuthPlugin, IdentityProvider, NativePasswordAuthPlugin, User

from matrixone_lite.engine import Engine
from matrixone_lite.wire.login import LoginError, parse_login

# a SHA1(SHA1()) hex no password can produce a scramble for in practice: unknown users get 1045
_NO_MATCH = "0" * 40


class EngineIdentityProvider(IdentityProvider):
    """Looks up ``account#user`` in the engine; unknown accounts/users fail like a wrong password."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._plugins: list[AuthPlugin] = [NativePasswordAuthPlugin()]

    def get_plugins(self) -> Sequence[AuthPlugin]:
        return self._plugins

    async def get_user(self, username: str) -> User | None:
        try:
            login = parse_login(username)
        except LoginError:
            return User(name=username, auth_string=_NO_MATCH, auth_plugin=NativePasswordAuthPlugin.name)
        info = await asyncio.to_thread(self.engine.lookup_user, login.account, login.user)
        auth = info.auth_string if info is not None else _NO_MATCH
        return User(name=username, auth_string=auth, auth_plugin=NativePasswordAuthPlugin.name)
