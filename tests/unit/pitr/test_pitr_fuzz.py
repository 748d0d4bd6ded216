"""Deterministic fuzzing: whatever string comes in, a builder either refuses it or quotes it safely."""

from __future__ import annotations

import random
import re
import string

from airflow_provider_matrixone.pitr import (
    InvalidInput,
    PitrRange,
    Scope,
    ServerVersion,
    create_pitr,
    parse_timestamp,
    quote_ident,
    restore_pitr,
)

ALPHABET = string.printable + "\u0430\u0435\uff41\u200b\u00a0`'\";#-/*\x00\x7f\u2028"
# Accepted names are back-quoted whole: no space, tab, quote or control character inside the quotes.
SAFE_QUOTED = re.compile(r"`[^ \t`'\"\x00-\x1f\x7f]{1,64}`")


def _random_strings(seed: int, count: int) -> list[str]:
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        length = rng.choice([0, 1, 2, 5, 10, 63, 64, 65, 100])
        out.append("".join(rng.choice(ALPHABET) for _ in range(length)))
    return out


def test_quote_ident_never_emits_unsafe_text() -> None:
    accepted = refused = 0
    for value in _random_strings(1234, 3000):
        try:
            quoted = quote_ident(value, "table", "table")
        except InvalidInput as exc:
            refused += 1
            assert "table" in str(exc)
            assert not any(ord(ch) < 32 for ch in str(exc))
            continue
        accepted += 1
        assert SAFE_QUOTED.fullmatch(quoted), quoted
    assert accepted > 0 and refused > 0


def test_builders_with_random_names() -> None:
    version = ServerVersion(4, 2, 0)
    for value in _random_strings(99, 1000):
        try:
            sql = create_pitr(value, Scope.build("account"), PitrRange(1, "d"), caller_account="acc1")  # type: ignore[arg-type]
        except InvalidInput:
            continue
        assert sql == f"CREATE PITR `{value}` FOR ACCOUNT RANGE 1 'd'"
        assert restore_pitr(value, "2024-10-28 17:30:00", Scope.build("account"), caller_account="acc1",
                            version=version) == f"RESTORE FROM PITR `{value}` '2024-10-28 17:30:00'"


def test_parse_timestamp_random_garbage_only_raises_invalid_input() -> None:
    for value in _random_strings(7, 2000):
        try:
            parse_timestamp(value, zone="Asia/Shanghai")
        except InvalidInput as exc:
            assert "timestamp" in str(exc)
            assert not any(ord(ch) < 32 for ch in str(exc))
