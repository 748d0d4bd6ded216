"""``--probe-host``/``--probe-port``: the CLI's access probe reads through the application's endpoint.

Before, ``mo-pitr ... --verify --probe-user X`` connected the probe login to the main login's
``--host``/``--port``. Application logins often go through another endpoint (a proxy): proving
access through the admin's endpoint proves less than it says. Now the probe's endpoint is its own
(defaulting to the main one), checked like ``--port`` before anything connects, refused without
``--probe-user``, and named in the prompt, the log and the report (never a password).

The second endpoint here is a real TCP forwarder in front of the module's matrixone_lite: it
counts the connections it carries and reads the login of each from the MySQL handshake, so the
tests prove the probe went through it and the main login did not.
"""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from airflow_provider_matrixone.cli.main import main
from tests.cli.conftest import ADMIN_PASSWORD, Pipe, Result, Tty, count, make_account, sql_as
from tests.cli.test_cli_commands import stamp

APP_PASSWORD = "app-pw-e2c4a8"


class Forwarder:
    """A TCP forwarder on a port of its own to ``host:port``; records the login of each connection.

    The login is read from the client's first packet (MySQL HandshakeResponse41: 4 header bytes,
    capabilities, max packet, charset, 23 filler bytes, then the NUL-terminated user name).
    """

    def __init__(self, host: str, port: int) -> None:
        self.upstream = (host, port)
        self.logins: list[str] = []
        self._socks: list[socket.socket] = []
        self._lock = threading.Lock()
        self._listen = socket.socket()
        self._listen.bind(("127.0.0.1", 0))
        self._listen.listen(16)
        self.port = int(self._listen.getsockname()[1])
        self.connections = 0
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listen.accept()
            except OSError:
                return
            up = socket.create_connection(self.upstream, timeout=10)
            up.settimeout(None)
            with self._lock:
                self.connections += 1
                self._socks += [client, up]
            threading.Thread(target=self._pump, args=(client, up, True), daemon=True).start()
            threading.Thread(target=self._pump, args=(up, client, False), daemon=True).start()

    def _pump(self, src: socket.socket, dst: socket.socket, from_client: bool) -> None:
        first = from_client
        try:
            while data := src.recv(65536):
                if first and (end := data.find(b"\0", 36)) > 36:
                    with self._lock:
                        self.logins.append(data[36:end].decode(errors="replace"))
                first = False
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def close(self) -> None:
        self._listen.close()
        with self._lock:
            for s in self._socks:
                s.close()


@pytest.fixture
def forwarder(cli_server: Any) -> Iterator[Forwarder]:
    fwd = Forwarder(cli_server.host, cli_server.port)
    try:
        yield fwd
    finally:
        fwd.close()


def run(capsys: pytest.CaptureFixture[str], argv: list[str], *, port: int, user: str, stdin: Any = None) -> Result:
    """mo-pitr in-process, the main login on 127.0.0.1:``port`` (the server, or a forwarder to count it)."""
    capsys.readouterr()
    code = main([*argv, "--host", "127.0.0.1", "--port", str(port), "--user", user, "--password", ADMIN_PASSWORD],
                stdin=stdin if stdin is not None else Pipe(""))
    out, err = capsys.readouterr()
    return Result(code, out, err)


def _account_with_app(server: Any, account: str) -> str:
    """A tenant whose application login ``app`` may read db2.orders, a PITR of db2, and T (server literal)."""
    make_account(server, account)
    sql_as(server, f"{account}#admin", [
        "create role r_app", "grant select on table db2.orders to r_app",
        f"create user app identified by '{APP_PASSWORD}' default role r_app",
        "create pitr pp for database db2 range 1 'h'"])
    t, _ = stamp()
    return t


def _restore_argv(t: str, *extra: str) -> list[str]:
    return ["pitr", "restore", "--pname", "pp", "--timestamp", t, "--database", "db2", "--verify", *extra]


def test_probe_reads_through_its_own_endpoint_and_the_report_names_it(
        capsys: pytest.CaptureFixture[str], cli_server: Any, forwarder: Forwarder, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    t = _account_with_app(cli_server, "pe1")
    sql_as(cli_server, "pe1#admin", ["delete from db2.orders"])
    monkeypatch.setenv("MO_PROBE_PASSWORD", APP_PASSWORD)
    log = tmp_path / "mo.log"
    r = run(capsys, _restore_argv(t, "--probe-user", "pe1#app", "--probe-host", "127.0.0.1", "--probe-port",
                                  str(forwarder.port), "--log_level", "info", "--log_file", str(log)),
            port=cli_server.port, user="pe1#admin")
    assert r.code == 0, (r.out, r.err)
    assert "verification: VERIFIED" in r.out and "application login pe1#app reads all 1 table(s)" in r.out, r.out
    assert f"access probe: login pe1#app through 127.0.0.1:{forwarder.port}" in r.out, r.out
    # the probe, and only the probe, went through the forwarder; the admin went straight to the server
    assert forwarder.connections >= 1 and set(forwarder.logins) == {"pe1#app"}, forwarder.logins
    assert len(forwarder.logins) == forwarder.connections
    text = log.read_text()
    assert (f"access probe: login pe1#app will read the restored tables through 127.0.0.1:{forwarder.port} "
            f"(the main login uses 127.0.0.1:{cli_server.port})") in text, text
    assert APP_PASSWORD not in r.out + r.err + text and ADMIN_PASSWORD not in r.out + r.err + text
    assert count(cli_server, "pe1#admin", "db2.orders") == 3


def test_json_report_and_underscore_spellings(capsys: pytest.CaptureFixture[str], cli_server: Any,
                                              forwarder: Forwarder, monkeypatch: pytest.MonkeyPatch) -> None:
    t = _account_with_app(cli_server, "pe2")
    sql_as(cli_server, "pe2#admin", ["delete from db2.orders where id > 1"])
    monkeypatch.setenv("MO_PROBE_PASSWORD", APP_PASSWORD)
    r = run(capsys, _restore_argv(t, "--probe_user", "pe2#app", "--probe_host", "127.0.0.1", "--probe_port",
                                  str(forwarder.port), "--format", "json"), port=cli_server.port, user="pe2#admin")
    assert r.code == 0, r.err
    data = json.loads(r.out)
    assert data["probe"] == {"login": "pe2#app", "host": "127.0.0.1", "port": forwarder.port}
    assert data["verification"]["access"]["verdict"] == "VERIFIED"
    assert set(forwarder.logins) == {"pe2#app"}


def test_without_probe_endpoint_flags_the_probe_uses_the_main_endpoint(
        capsys: pytest.CaptureFixture[str], cli_server: Any, forwarder: Forwarder,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The default: everything (admin and probe) through the one --host/--port, here the forwarder."""
    t = _account_with_app(cli_server, "pe3")
    sql_as(cli_server, "pe3#admin", ["delete from db2.orders"])
    monkeypatch.setenv("MO_PROBE_PASSWORD", APP_PASSWORD)
    r = run(capsys, _restore_argv(t, "--probe-user", "pe3#app", "--format", "json"), port=forwarder.port,
            user="pe3#admin")
    assert r.code == 0, r.err
    assert json.loads(r.out)["probe"] == {"login": "pe3#app", "host": "127.0.0.1", "port": forwarder.port}
    assert "pe3#app" in forwarder.logins and "pe3#admin" in forwarder.logins


def test_a_lost_grant_seen_through_the_probe_endpoint_is_a_mismatch(
        capsys: pytest.CaptureFixture[str], cli_server: Any, forwarder: Forwarder,
        monkeypatch: pytest.MonkeyPatch) -> None:
    t = _account_with_app(cli_server, "pe4")
    sql_as(cli_server, "pe4#admin", ["delete from db2.orders", "revoke select on table db2.orders from r_app"])
    monkeypatch.setenv("MO_PROBE_PASSWORD", APP_PASSWORD)
    r = run(capsys, _restore_argv(t, "--probe-user", "pe4#app", "--probe-port", str(forwarder.port)),
            port=cli_server.port, user="pe4#admin")
    assert r.code == 1, (r.out, r.err)
    assert "application login pe4#app cannot read table db2.orders" in r.out, r.out
    assert f"access probe: login pe4#app through 127.0.0.1:{forwarder.port}" in r.out, r.out
    assert set(forwarder.logins) == {"pe4#app"}


def test_an_unreachable_probe_endpoint_names_it_and_its_flags(
        capsys: pytest.CaptureFixture[str], cli_server: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Not a verdict (a retry may help), an error: exit 1, after the restore landed and verified."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed = int(s.getsockname()[1])
    t = _account_with_app(cli_server, "pe5")
    sql_as(cli_server, "pe5#admin", ["delete from db2.orders"])
    monkeypatch.setenv("MO_PROBE_PASSWORD", APP_PASSWORD)
    r = run(capsys, _restore_argv(t, "--probe-user", "pe5#app", "--probe-port", str(closed)),
            port=cli_server.port, user="pe5#admin")
    assert r.code == 1, (r.out, r.err)
    assert (f"the access probe (login pe5#app) cannot connect to MatrixOne at 127.0.0.1:{closed}" in r.err
            and "(check --probe-host and --probe-port)" in r.err), r.err
    assert APP_PASSWORD not in r.out + r.err
    assert count(cli_server, "pe5#admin", "db2.orders") == 3  # as docs/cli.md says: the restore did land


@pytest.mark.parametrize(("extra", "flag", "words"), [
    (["--probe-user", "x#app", "--probe-port", "http"], "--probe-port", "invalid port 'http'"),
    (["--probe-user", "x#app", "--probe-port", "0"], "--probe-port", "use 1-65535"),
    (["--probe-user", "x#app", "--probe_port", "70000"], "--probe-port", "use 1-65535"),
    (["--probe-user", "x#app", "--probe-host", ""], "--probe-host", "give a host name"),
    (["--probe-user", "x#app", "--probe-host", "app proxy"], "--probe-host", "give a host name"),
    (["--probe-user", "x#app", "--probe-host", "app-proxy:6002"], "--probe-host", "give it with --probe-port"),
    (["--probe-user", "x#app", "--probe-host", "[::1]:6002"], "--probe-host", "give it with --probe-port"),
    (["--probe-user", "x#app", "--probe-host", "[::1]"], "--probe-host", "without brackets"),
    (["--probe-host", "app-proxy"], "--probe-host", "--probe-host needs --probe-user"),
    (["--probe_port", "6002"], "--probe-port", "--probe-port needs --probe-user"),
])
def test_bad_probe_endpoint_is_a_usage_error_before_any_connection(
        capsys: pytest.CaptureFixture[str], forwarder: Forwarder, monkeypatch: pytest.MonkeyPatch,
        extra: list[str], flag: str, words: str) -> None:
    """Exit 2 naming the flag, with an example; the main login (through the forwarder) never connected."""
    monkeypatch.setenv("MO_PROBE_PASSWORD", APP_PASSWORD)
    r = run(capsys, _restore_argv("2024-10-28 17:30:00", *extra), port=forwarder.port, user="x#admin")
    assert r.code == 2, (r.out, r.err)
    assert flag in r.err and words in r.err and "example" in r.err, r.err
    assert forwarder.connections == 0 and r.out == ""
    assert APP_PASSWORD not in r.err


def test_the_password_prompt_names_the_probe_endpoint(
        capsys: pytest.CaptureFixture[str], cli_server: Any, forwarder: Forwarder,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A terminal cannot be run here: the prompt function is replaced to read what it is asked."""
    t = _account_with_app(cli_server, "pe6")
    sql_as(cli_server, "pe6#admin", ["delete from db2.orders"])
    monkeypatch.delenv("MO_PROBE_PASSWORD", raising=False)
    prompts: list[str] = []

    def typed(prompt: str) -> str:
        prompts.append(prompt)
        return APP_PASSWORD

    monkeypatch.setattr("airflow_provider_matrixone.cli.probe.getpass.getpass", typed)
    r = run(capsys, _restore_argv(t, "--probe-user", "pe6#app", "--probe-port", str(forwarder.port), "--yes"),
            port=cli_server.port, user="pe6#admin", stdin=Tty(""))
    assert r.code == 0, (r.out, r.err)
    assert prompts == [f"Password for the probe login pe6#app@127.0.0.1:{forwarder.port}: "], prompts
    assert set(forwarder.logins) == {"pe6#app"}
    # without a terminal nor the variable: refused, naming where the password would have gone
    r = run(capsys, _restore_argv(t, "--probe-user", "pe6#app", "--probe-port", str(forwarder.port)),
            port=cli_server.port, user="pe6#admin")
    assert r.code == 2 and f"no password for the probe login pe6#app@127.0.0.1:{forwarder.port}" in r.err, r.err


def test_snapshot_restore_probe_goes_through_its_endpoint(capsys: pytest.CaptureFixture[str], cli_server: Any,
                                                          forwarder: Forwarder,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    _account_with_app(cli_server, "pe7")
    u = "pe7#admin"
    sql_as(cli_server, u, ["create snapshot sp_pe7 for account pe7", "delete from db2.orders"])
    monkeypatch.setenv("MO_PROBE_PASSWORD", APP_PASSWORD)
    r = run(capsys, ["snapshot", "restore", "--sname", "sp_pe7", "--db", "db2", "--table", "orders", "--verify",
                     "--probe-user", "pe7#app", "--probe-host", "127.0.0.1", "--probe-port", str(forwarder.port),
                     "--format", "json"], port=cli_server.port, user=u)
    assert r.code == 0, (r.out, r.err)
    data = json.loads(r.out)
    assert data["probe"] == {"login": "pe7#app", "host": "127.0.0.1", "port": forwarder.port}
    assert data["verification"]["access"]["tables_read"] == 1
    assert set(forwarder.logins) == {"pe7#app"} and count(cli_server, u, "db2.orders") == 3
