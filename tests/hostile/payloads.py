"""Hostile values for every identifier-like input: each one must be refused before any SQL runs.

Why a shared list: the same attack has to fail the same way at every entry point (CLI flags,
operator arguments, DAG params), so every entry point is exercised with exactly these values.
"""

from __future__ import annotations

# Refused everywhere: MatrixOne's own rule (reference §2.9: space, tab, back-quote, double and single
# quote) plus what no name may hold here (control characters, NUL, empty, over 64 characters).
NAMES: dict[str, str] = {
    "sq-injection": "acc1'; drop account acc2; --",
    "bq-injection": "db1`; drop database db1; --",
    "backquote": "a`b",
    "single-quote": "a'b",
    "double-quote": 'a"b',
    "line-comment": "a -- x",
    "nul": "acc\x00",
    "newline-end": "acc1\n",
    "carriage-return": "acc\r1",
    "tab": "acc\t1",
    "ansi-escape": "acc\x1b[31m",
    "del": "acc\x7f",
    "too-long": "a" * 65,
    "too-long-unicode": "订" * 65,
    "huge": "x" * 100_000,
    "space": "a b",
    "leading-space": " acc1",
    "unicode-with-quote": "订单'; drop database db1; --",
    "template": "{{ 7 * 7 }}",
}

# Accepted: MatrixOne allows these names (back-quoted), so refusing them would refuse real
# objects. Each must be sent back-quoted and come back unchanged, never break out of the quotes.
LEGAL_NAMES: dict[str, str] = {
    "block-comment": "a/*x*/b",
    "hash-comment": "a#x",
    "semicolon": "a;b",
    "backslash": "a\\b",
    "cyrillic-a": "\u0430cc1",
    "fullwidth": "\uff41cc1",
    "zero-width": "acc\u200b1",
    "dot": "db1.t1",
    "chinese": "订单",
    "reserved-word": "select",
    "punctuation": "$%^#",
    "double-dash": "a--b",
    "max-length": "b" * 64,
}

# Timestamps (restore target): malformed, in a DST gap, outside the window, in the future.
TIMESTAMPS: dict[str, tuple[str, str | None]] = {
    "seed-typo": ("2024-10-28 17:30: 00", None),
    "words": ("yesterday noon", None),
    "month-13": ("2024-13-01 00:00:00", None),
    "feb-30": ("2024-02-30 12:00:00", None),
    "hour-25": ("2024-10-28 25:00:00", None),
    "injection": ("2024-10-28 17:30:00'; drop account acc1; --", None),
    "trailing-garbage": ("2024-10-28 17:30:00 x", None),
    "bad-offset": ("2024-10-28T17:30:00+25:00", None),
    "huge": ("2024-10-28 17:30:00" + "0" * 100_000, None),
    "control": ("2024-10-28\x0017:30:00", None),
    "dst-gap-new-york": ("2024-03-10 02:30:00", "America/New_York"),
    "dst-gap-berlin": ("2024-03-31 02:30:00", "Europe/Berlin"),
    "out-of-window": ("2001-01-01 00:00:00", "UTC"),
    "future": ("2099-01-01 00:00:00", "UTC"),
    "bad-zone": ("2024-10-28 17:30:00", "Mars/Olympus'"),
    "zone-injection": ("2024-10-28 17:30:00", "UTC'; drop account acc1; --"),
}
