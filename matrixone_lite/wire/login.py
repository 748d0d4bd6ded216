"""MatrixOne login strings: ``account#user[#role]``, ``account:user[:role]`` or plain ``user``.

Reference: matrixone-pitr.md §5 (authenticate.go:352-432). A colon anywhere selects the colon
form, ``%3A`` decodes to ``:``, anything after ``?`` is a proxy label and is ignored, a plain
name means account ``sys``. Empty parts are errors with MatrixOne's messages.
"""

from __future__ import annotations

from dataclasses import dataclass


class LoginError(ValueError):
    """A login string MatrixOne would reject; ``str()`` is MatrixOne's message."""


@dataclass(frozen=True)
class Login:
    account: str
    user: str
    role: str | None = None


def parse_login(raw: str) -> Login:
    """Parse a MatrixOne login string into (account, user, role)."""
    text = raw.split("?", 1)[0].replace("%3A", ":").replace("%3a", ":")
    sep = ":" if ":" in text else "#"
    parts = text.split(sep)
    if len(parts) == 1:
        user = parts[0].strip()
        if not user:
            raise LoginError("invalid user name ''")
        return Login("sys", user, None)
    account = parts[0].strip()
    user = parts[1].strip()
    role: str | None = None
    if not account:
        raise LoginError("invalid tenant name ''")
    if not user:
        raise LoginError("invalid user name ''")
    if len(parts) >= 3:
        role = sep.join(parts[2:]).strip()
        if not role:
            raise LoginError("invalid role name ''")
    return Login(account.lower(), user, role)
