"""Identifier acceptance/quoting, string literals, login parsing and composition, model basics."""

from __future__ import annotations

import dataclasses
import json
from datetime import timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from airflow_provider_matrixone.pitr import (
    InvalidInput,
    Level,
    Login,
    PitrRange,
    RangeUnit,
    Scope,
    ServerInfo,
    ServerVersion,
    compose_login,
    parse_login,
    quote_ident,
    quote_string,
    validate_name,
)


@pytest.mark.parametrize("name", ["db1", "a", "A" * 64, "acc-1", "x$y", "_t", "2024", "Select", "account"])
def test_names_accepted(name: str) -> None:
    assert validate_name(name, "database") == name
    assert quote_ident(name, "database") == f"`{name}`"


def test_reserved_only_for_pitr() -> None:
    assert validate_name("sys_mo_catalog_pitr", "database") == "sys_mo_catalog_pitr"
    with pytest.raises(InvalidInput, match="pitr name is reserved"):
        validate_name("sys_mo_catalog_pitr", "pitr name", "pitr")


def test_control_chars_never_echoed_raw() -> None:
    with pytest.raises(InvalidInput) as info:
        validate_name("a\u200bb\nc\x00", "table", "table")
    text = str(info.value)
    assert "\\n" in text and "\\x00" in text and "\\u200b" in text and "\n" not in text
    assert "example: t1" in text


@pytest.mark.parametrize(("value", "literal"), [
    ("abc", "'abc'"), ("it's", "'it''s'"), ("a\\b", "'a\\\\b'"), ("a\nb", "'a\\nb'"), ("\x00", "'\\0'"), ("", "''"),
])
def test_quote_string(value: str, literal: str) -> None:
    assert quote_string(value) == literal


@pytest.mark.parametrize(("login", "expected"), [
    ("root", Login("sys", "root", None)),
    ("acc1#admin", Login("acc1", "admin", None)),
    ("acc1#admin#accountadmin", Login("acc1", "admin", "accountadmin")),
    ("acc1:admin", Login("acc1", "admin", None)),
    ("acc1:admin:accountadmin", Login("acc1", "admin", "accountadmin")),
    ("acc1:ad#min", Login("acc1", "ad#min", None)),  # colon wins
    ("acc1%3Aadmin", Login("acc1", "admin", None)),
    ("acc1#admin?cn=label", Login("acc1", "admin", None)),
    ("dump?x", Login("sys", "dump", None)),
])
def test_parse_login(login: str, expected: Login) -> None:
    assert parse_login(login) == expected


def test_parse_login_empty_part_wording() -> None:
    with pytest.raises(InvalidInput, match="invalid user name ''"):
        parse_login("acc1#")
    with pytest.raises(InvalidInput, match="invalid tenant name ''"):
        parse_login("#admin")


def test_compose_login() -> None:
    assert compose_login("admin", "acc1") == "acc1#admin"
    assert compose_login("admin", "acc1", "accountadmin") == "acc1#admin#accountadmin"
    assert compose_login("root") == "root"
    assert compose_login("admin", role="moadmin") == "sys#admin#moadmin"
    assert compose_login("acc1#admin", "other") == "acc1#admin"
    assert compose_login("acc1:admin") == "acc1:admin"
    with pytest.raises(InvalidInput, match="account"):
        compose_login("admin", "acc#1")
    with pytest.raises(InvalidInput, match="user"):
        compose_login("")


def test_models_to_dict_json() -> None:
    scope = Scope.build("TABLE", account="acc1", database="db1", table="t1")
    assert scope.level is Level.TABLE
    assert json.loads(json.dumps(scope.to_dict())) == {"level": "table", "account": "acc1", "database": "db1",
                                                       "table": "t1"}
    rng = PitrRange.parse("1", " D ")
    assert rng == PitrRange(1, RangeUnit.DAY) and str(rng) == "1d" and rng.to_dict() == {"value": 1, "unit": "d"}
    assert RangeUnit.parse("Mo") is RangeUnit.MONTH and str(RangeUnit.MONTH) == "mo"
    info = ServerInfo(ServerVersion.parse("8.0.30-MatrixOne-v4.2.0"), "8.0.30-MatrixOne-v4.2.0",
                      "Asia/Shanghai", "acc1", "admin", None, "+08:00")  # type: ignore[arg-type]
    assert info.timezone == ZoneInfo("Asia/Shanghai")
    assert info.session_timezone == timezone(timedelta(hours=8))
    as_json = json.loads(json.dumps(info.to_dict()))
    assert as_json["version"] == "4.2.0" and as_json["timezone"] == "Asia/Shanghai"
    assert as_json["session_timezone"] == "UTC+08:00"
    assert not info.is_sys
    with pytest.raises(dataclasses.FrozenInstanceError):
        info.account = "sys"  # type: ignore[misc]
