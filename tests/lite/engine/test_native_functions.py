"""The native (C) per-row functions give exactly the Python ones' results, value for value.

Two SQLite connections, one with the native functions attached and one with only the Python ones
(``MO_LITE_NATIVE=off`` while it registers), are fed thousands of random values: unicode text,
text that is not UTF-8, blobs with NUL and 0xFF, empty values, NULL, integers at the 64-bit
edges, doubles (the native code hands those to Python), 1 MB strings, canonical and
non-canonical decimal texts, wrong argument counts. Each call's (type, value) or error text must
be the same on both. The fingerprint's own digests over TCP are compared in
``tests/lite/wire/test_native_fingerprint.py``.
"""

from __future__ import annotations

import os
import random
import sqlite3
from collections.abc import Iterator
from typing import Any

import pytest

from matrixone_lite import native
from matrixone_lite.sql import functions

SEED = 20261130


def _need_native() -> None:
    """Skipped only when the run asked for Python (``MO_LITE_NATIVE=off``); otherwise a library that
    does not load fails the test, so a broken build cannot pass as "equal to Python"."""
    if native.mode() == "off":
        pytest.skip("MO_LITE_NATIVE=off: the native functions are not wanted in this run")
    if not native.load():
        pytest.fail("the native library did not load: this test compares it with Python")


def _conn(monkeypatch: pytest.MonkeyPatch, mode: str) -> sqlite3.Connection:
    native.load()  # the auto-extension must exist before the connection is opened
    conn = sqlite3.connect(":memory:", isolation_level=None)
    with monkeypatch.context() as m:
        m.setenv("MO_LITE_NATIVE", mode)
        attached = native.attach(conn) if mode != "off" else False
        functions.register_per_row(conn)
    assert attached == (mode != "off")
    return conn


@pytest.fixture
def pair(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[sqlite3.Connection, sqlite3.Connection]]:
    _need_native()
    fast, slow = _conn(monkeypatch, "required"), _conn(monkeypatch, "off")
    yield fast, slow
    fast.close()
    slow.close()


def _answer(conn: sqlite3.Connection, sql: str, args: tuple[Any, ...] = ()) -> tuple[str, Any]:
    try:
        rows = conn.execute(sql, args).fetchall()
    except sqlite3.Error as exc:
        return ("error", f"{type(exc).__name__}: {exc}")
    value = rows[0][0]
    return (type(value).__name__, value)


def _text(rng: random.Random, n: int) -> str:
    pools = ["abc xyz", "0123456789,.-~N", "\x00\t\n '\"\\`", "éßø中文字符", "😀🎉𝄞", "\u200b\ufeff\uffff"]
    pool = "".join(rng.sample(pools, rng.randint(1, len(pools))))
    return "".join(rng.choice(pool) for _ in range(n))


def _value(rng: random.Random) -> Any:
    kind = rng.randrange(11)
    if kind == 0:
        return None
    if kind == 1:
        return _text(rng, rng.choice([0, 1, 2, 7, 16, 55, 56, 57, 63, 64, 65, 200]))
    if kind == 2:
        return bytes(rng.randrange(256) for _ in range(rng.choice([0, 1, 3, 16, 64, 100])))
    if kind == 3:
        return rng.choice([b"\x00", b"\xff", b"\x00\xff\x00", b"", "é".encode()])
    if kind == 4:
        return rng.choice([0, 1, -1, 2**63 - 1, -(2**63), 255, -255, 2**32, 4294967295])
    if kind == 5:
        return rng.randint(-(2**63), 2**63 - 1)
    if kind == 6:
        return rng.choice([0.0, -0.0, 0.5, 1.5, 2.5, -2.5, 1e15, 1e16, 1e-5, 3.14159, 1e300, -1e300, 2.0**63,
                           float("inf"), float("-inf"), 123456789.987654321])
    if kind == 7:
        return rng.uniform(-1e6, 1e6)
    if kind == 8:  # bytes that are not UTF-8, stored as TEXT (CAST below)
        return ("badtext", bytes(rng.randrange(256) for _ in range(rng.randint(1, 12))))
    if kind == 9:  # valid UTF-8 in a blob
        return _text(rng, rng.randint(0, 20)).encode()
    return str(rng.randint(-(10**6), 10**6))


def _bind(value: Any) -> tuple[str, Any]:
    """The SQL placeholder for a value: text that is not UTF-8 is a blob cast to TEXT."""
    if isinstance(value, tuple) and value[0] == "badtext":
        return "CAST(? AS TEXT)", value[1]
    return "?", value


def _same(fast: sqlite3.Connection, slow: sqlite3.Connection, sql: str, args: tuple[Any, ...]) -> None:
    got, want = _answer(fast, sql, args), _answer(slow, sql, args)
    assert got == want, f"{sql} with {args!r:.300}: native {got!r:.300} != python {want!r:.300}"


@pytest.mark.parametrize("name", ["hex", "md5", "crc32"])
def test_one_argument_functions_match_python(pair: tuple[sqlite3.Connection, sqlite3.Connection], name: str) -> None:
    fast, slow = pair
    rng = random.Random(f"{SEED}-{name}")
    for _ in range(1500):
        ph, arg = _bind(_value(rng))
        _same(fast, slow, f"SELECT {name}({ph})", (arg,))


def test_concat_ws_matches_python(pair: tuple[sqlite3.Connection, sqlite3.Connection]) -> None:
    fast, slow = pair
    rng = random.Random(f"{SEED}-concat")
    for i in range(2000):
        values = [_value(rng) for _ in range(rng.randint(0, 6))]
        if values and i % 3 == 0:
            values[0] = rng.choice([",", "", ", ", "\x00", 7, None, "é"])
        bound = [_bind(v) for v in values]
        _same(fast, slow, f"SELECT mo_concat_ws({', '.join(p for p, _ in bound)})", tuple(a for _, a in bound))


def _decimal_text(rng: random.Random, scale: int) -> str:
    whole = rng.choice(["0", "1", "9", str(rng.randint(1, 10**12)), "0" * rng.randint(2, 3) + "5",
                        str(rng.randint(10**20, 10**30))])
    frac = "".join(rng.choice("0000000123456789") for _ in range(scale))
    sign = rng.choice(["", "", "-", "+"])
    text = sign + whole + ("." + frac if scale else "")
    return rng.choice([text, text, text, text + "0", " " + text, text.replace(".", "e") if scale else text + "e2"])


def test_dec_text_matches_python(pair: tuple[sqlite3.Connection, sqlite3.Connection]) -> None:
    fast, slow = pair
    rng = random.Random(f"{SEED}-dec")
    for _ in range(3000):
        scale = rng.choice([0, 1, 2, 4, 5, 6, 7, 8, 10, 18, 30, 38])
        value: Any = _decimal_text(rng, scale) if rng.random() < 0.8 else _value(rng)
        asked: Any = rng.choice([scale, scale, scale, scale + 1, -1, 39, None, str(scale), float(scale)])
        ph, arg = _bind(value)
        _same(fast, slow, f"SELECT mo_dec_text({ph}, ?)", (arg, asked))
    for tiny in ("0.0000001", "0.000001", "0.0000010", "0.00000012", "0.0000000", "0.000000", "-0.00", "-0"):
        scale = len(tiny.split(".")[1]) if "." in tiny else 0
        _same(fast, slow, "SELECT mo_dec_text(?, ?)", (tiny, scale))


def test_bit_xor_matches_python(pair: tuple[sqlite3.Connection, sqlite3.Connection]) -> None:
    fast, slow = pair
    rng = random.Random(f"{SEED}-xor")
    for conn in pair:
        conn.execute("CREATE TABLE v (g INTEGER, x)")
    for g in range(400):
        kind = g % 4
        rows: list[Any] = []
        for _ in range(rng.randint(0, 30)):
            if kind == 0:
                rows.append(rng.randint(0, 2**32 - 1))
            elif kind == 1:
                rows.append(rng.choice([None, rng.randint(-(2**63), 2**63 - 1)]))
            elif kind == 2:
                rows.append(rng.choice([str(rng.randint(-999, 999)), 1.5, -2.75, b"12", None, 7]))
            else:
                value = _value(rng)
                rows.append(value[1] if isinstance(value, tuple) else value)
        for conn in pair:
            conn.executemany("INSERT INTO v VALUES (?, ?)", [(g, r) for r in rows])
        _same(fast, slow, "SELECT bit_xor(x) FROM v WHERE g = ?", (g,))
    _same(fast, slow, "SELECT bit_xor(x) FROM v WHERE g < 0", ())  # no rows at all (NULL in both)
    _same(fast, slow, "SELECT bit_xor(NULL) FROM v WHERE g = 1", ())  # only NULLs (0 in both)


def test_huge_values_and_wrong_argument_counts(pair: tuple[sqlite3.Connection, sqlite3.Connection]) -> None:
    fast, slow = pair
    rng = random.Random(f"{SEED}-huge")
    big_text = _text(rng, 1 << 20)
    big_blob = bytes(rng.randrange(256) for _ in range(1 << 20))
    for name in ("hex", "md5", "crc32"):
        for arg in (big_text, big_blob):
            _same(fast, slow, f"SELECT {name}(?)", (arg,))
    _same(fast, slow, "SELECT mo_concat_ws(?, ?, ?, ?)", (",", big_text, None, big_text))
    for sql in ("SELECT hex()", "SELECT hex(1, 2)", "SELECT md5()", "SELECT md5('a', 'b')", "SELECT crc32()",
                "SELECT mo_concat_ws()", "SELECT mo_dec_text('1')", "SELECT bit_xor()", "SELECT bit_xor(1, 2)"):
        _same(fast, slow, sql, ())


def test_known_answers() -> None:
    """Not only equal to Python: equal to MySQL's documented answers (the Python ones, checked)."""
    if native.mode() != "off" and not native.load():
        pytest.fail("the native library did not load")
    conn = sqlite3.connect(":memory:")
    functions.register_per_row(conn)
    assert conn.execute("SELECT md5(''), md5('abc'), crc32('MySQL'), hex('abc'), hex(255), hex(-1)").fetchone() == (
        "d41d8cd98f00b204e9800998ecf8427e", "900150983cd24fb0d6963f7d28e17f72", 3259397556, "616263", "FF",
        "FFFFFFFFFFFFFFFF")
    assert conn.execute("SELECT mo_concat_ws(',', 'a', NULL, 'b'), mo_concat_ws(NULL, 'a')").fetchone() == ("a,b", None)
    conn.close()


def test_required_mode_means_native_is_active(monkeypatch: pytest.MonkeyPatch) -> None:
    """Under ``MO_LITE_NATIVE=required`` (``make test``) the native functions are really the ones used:
    a REAL argument is handed from C to Python, which only the native code counts."""
    if os.environ.get("MO_LITE_NATIVE", "").lower() != "required":
        pytest.skip("only meaningful when the suite runs with MO_LITE_NATIVE=required (make test)")
    assert native.active()
    conn = _conn(monkeypatch, "required")
    before = native.fallbacks()
    assert conn.execute("SELECT hex(2.5), hex('a')").fetchone() == ("2", "61")
    assert native.fallbacks() == before + 1
    conn.close()
