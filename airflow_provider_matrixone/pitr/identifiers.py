"""Identifier validation/quoting and MatrixOne login strings.

Two kinds of names, two rules (reference §2.9):

* **Names a user passes** (PITR, snapshot, account, database, table from DAG params, operator
  arguments, CLI flags) follow MatrixOne's own rule: refused if they contain a space, a tab, a
  back-quote, ``"`` or ``'``, and we also refuse the empty name, control characters (NUL, newline,
  escape, ...) and names over 64 characters. Everything else (Unicode such as ``订单``, reserved
  words such as ``select``, punctuation such as ``$%^#``) is accepted, because MatrixOne accepts it,
  and is always back-quoted in SQL.
* **Names only contained in a scope** (returned by SHOW DATABASES / SHOW TABLES while planning,
  counting or verifying) are whatever the server says they are: they are never checked against the
  user rule (a table ``order items`` must not fail a restore that never names it), only quoted with
  :func:`quote_contained` (back-quoted, embedded back-quotes doubled).

Back-quoting with doubled back-quotes is what makes either kind safe in SQL; the user rule exists
so that a name MatrixOne would refuse is refused here, before any statement, naming the field.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Any

from .errors import InvalidInput, MatrixOneError

__all__ = [
    "RESERVED_PITR_NAME",
    "Login",
    "compose_login",
    "describe_value",
    "parse_login",
    "quote_contained",
    "quote_ident",
    "quote_string",
    "validate_name",
]

MAX_NAME_LENGTH = 64
RESERVED_PITR_NAME = "sys_mo_catalog_pitr"
#: Characters MatrixOne refuses in these names (pkg/frontend/authenticate.go, reference §2.9).
_FORBIDDEN = {" ": "a space", "\t": "a tab", "`": "a back-quote", '"': 'a double quote', "'": "a single quote"}
_RULE = (f"use 1-{MAX_NAME_LENGTH} characters without spaces, tabs, quotes (` \" ') or control characters")
_EXAMPLES = {
    "pitr": "pitr_acc1",
    "snapshot": "snap_acc1",
    "account": "acc1",
    "database": "db1",
    "table": "t1",
    "user": "admin",
    "role": "accountadmin",
}


def describe_value(value: Any, limit: int = 40) -> str:
    """Show a user value safely in a message: ``ascii()`` escapes control and non-ASCII characters."""
    text = ascii(value)
    if len(text) > limit:
        text = text[: limit - 3] + "..."
    return text


def validate_name(value: Any, field: str, kind: str = "database") -> str:
    """Return ``value`` if it is an acceptable object name, else raise ``InvalidInput`` naming ``field``.

    ``kind`` picks the example shown in the message and enables the reserved-name check for PITRs.
    """
    example = _EXAMPLES.get(kind, "name1")
    if not isinstance(value, str):
        raise InvalidInput(field, f"invalid {field} {describe_value(value)}: expected a string; {_RULE} "
                           f"(example: {example})")
    reason = _name_problem(value)
    if reason is not None:
        raise InvalidInput(field, f"invalid {field} {describe_value(value)} ({reason}): {_RULE} (example: {example})")
    if kind == "pitr" and value.lower() == RESERVED_PITR_NAME:
        raise InvalidInput(field, f"invalid {field} {value!r}: pitr name is reserved (example: {example})")
    return value


def _name_problem(value: str) -> str | None:
    """Why ``value`` breaks the user-name rule, or None; the first offending character is named."""
    if value == "":
        return "empty"
    if len(value) > MAX_NAME_LENGTH:
        return f"{len(value)} characters, at most {MAX_NAME_LENGTH}"
    for ch in value:
        if ch in _FORBIDDEN:
            return f"contains {_FORBIDDEN[ch]}"
        category = unicodedata.category(ch)
        if category == "Cc":
            return f"contains the control character {ascii(ch)}"
        if category == "Cs":
            return f"contains the lone surrogate {ascii(ch)}"
    return None


def quote_ident(value: Any, field: str, kind: str = "database") -> str:
    """Validate a user-passed name (see the module docstring) and back-quote it."""
    name = validate_name(value, field, kind)
    return "`" + name.replace("`", "``") + "`"


def quote_contained(value: Any, what: str = "object") -> str:
    """Back-quote a name the *server* returned (SHOW DATABASES / SHOW TABLES), never validating it.

    Any text MatrixOne lists is a legal name there, so the only refusals are values no server
    sends (not a string, empty, NUL), and the error says it came from the server, not from a flag.
    """
    if not isinstance(value, str) or value == "" or "\0" in value:
        raise MatrixOneError(f"{what} name {describe_value(value)} returned by the server cannot be quoted "
                             "(expected a non-empty string without NUL)")
    return "`" + value.replace("`", "``") + "`"


_STRING_ESCAPES = {"\\": "\\\\", "'": "''", "\0": "\\0", "\n": "\\n", "\r": "\\r", "\x1a": "\\Z"}


def quote_string(value: Any) -> str:
    """Single-quoted SQL string literal with MySQL escaping (backslash, quote, NUL, CR, LF, ^Z)."""
    if not isinstance(value, str):
        raise InvalidInput("value", f"value {describe_value(value)} must be a string to quote")
    return "'" + "".join(_STRING_ESCAPES.get(ch, ch) for ch in value) + "'"


@dataclass(frozen=True)
class Login:
    """A MatrixOne login split into account, user and optional role (None = user's default role)."""

    account: str
    user: str
    role: str | None = None

    @property
    def is_sys(self) -> bool:
        return self.account.lower() == "sys"


def parse_login(login: Any) -> Login:
    """Split ``account#user[#role]`` / ``account:user[:role]`` / ``user`` like MatrixOne does (reference §5).

    The colon form wins when a ``:`` is present, ``%3A`` decodes to ``:``, anything after ``?``
    (proxy CN label) is ignored, and a bare user belongs to ``sys``.
    """
    if not isinstance(login, str):
        raise InvalidInput("login", f"login {describe_value(login)} must be a string (example: acc1#admin)")
    text = login.split("?", 1)[0].replace("%3A", ":").replace("%3a", ":")
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in text):
        raise InvalidInput("login", f"login {describe_value(login)} contains control characters (example: acc1#admin)")
    sep = ":" if ":" in text else "#"
    parts = text.split(sep)
    if len(parts) == 1:
        parts = ["sys", parts[0]]
    if len(parts) > 3:
        raise InvalidInput("login", f"login {describe_value(login)} has too many '{sep}' parts; "
                           f"use account{sep}user[{sep}role] (example: acc1{sep}admin)")
    labels = ("tenant", "user", "role")
    for label, part in zip(labels, parts, strict=False):
        if part.strip() == "":
            raise InvalidInput("login", f"invalid login {describe_value(login)}: invalid {label} name '' "
                               f"(example: acc1{sep}admin)")
    return Login(account=parts[0], user=parts[1], role=parts[2] if len(parts) == 3 else None)


def compose_login(user: str, account: str | None = None, role: str | None = None) -> str:
    """Build ``account#user[#role]``; a user string already in account form is returned unchanged."""
    if not isinstance(user, str) or user == "":
        raise InvalidInput("user", f"invalid user {describe_value(user)}: expected a non-empty string (example: admin)")
    if "#" in user or ":" in user or "%3A" in user or "%3a" in user:
        parse_login(user)  # validates the embedded form
        return user
    if account is None and role is None:
        return user
    acc = account if account is not None else "sys"
    for field, value in (("account", acc), ("role", role)):
        if value is not None and (not isinstance(value, str) or value == "" or "#" in value or ":" in value):
            raise InvalidInput(field, f"invalid {field} {describe_value(value)} for a login (example: acc1#admin)")
    return f"{acc}#{user}" + (f"#{role}" if role else "")
