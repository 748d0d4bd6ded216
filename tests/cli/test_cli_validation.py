"""mo-pitr argument parsing and validation, without a server.

Every command here points at a closed port: a validation error must be reported (exit 2, the flag
named, an accepted example shown) *before* connecting, otherwise the test would see exit 1
"cannot connect" instead.
"""

from __future__ import annotations

import io
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from airflow_provider_matrixone.cli import parser as cli_parser
from airflow_provider_matrixone.cli.main import main


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


PORT = _closed_port()
CONN = ["--host", "127.0.0.1", "--port", str(PORT), "--password", "secret-pw-123"]


def run(capsys: pytest.CaptureFixture[str], argv: list[str], stdin: object = None) -> tuple[int, str, str]:
    code = main(argv, stdin=stdin)  # type: ignore[arg-type]
    captured = capsys.readouterr()
    return code, captured.out, captured.err


class TestConnectionFlags:
    def test_flags_after_the_subcommand(self) -> None:
        args = cli_parser.apply_defaults(cli_parser.build_parser().parse_args(
            ["pitr", "create", "--host", "10.0.0.5", "--port", "6002", "--user", "acc1#root", "--password", "111",
             "--pname", "p", "--level", "cluster", "--rangevalue", "1"]))
        assert (args.host, args.port, args.user, args.password) == ("10.0.0.5", 6002, "acc1#root", "111")
        assert args.rangeunit == "d"  # mo_br's documented default
        assert args.log_level == "error"

    def test_flags_before_the_subcommand(self) -> None:
        args = cli_parser.apply_defaults(cli_parser.build_parser().parse_args(
            ["--host", "10.0.0.6", "--user", "dump", "pitr", "show"]))
        assert (args.host, args.port, args.user) == ("10.0.0.6", 6001, "dump")

    def test_later_flag_wins_and_defaults_do_not_override(self) -> None:
        args = cli_parser.apply_defaults(cli_parser.build_parser().parse_args(
            ["--port", "7000", "pitr", "show", "--host", "h2"]))
        assert (args.host, args.port) == ("h2", 7000)

    def test_defaults(self) -> None:
        args = cli_parser.apply_defaults(cli_parser.build_parser().parse_args(["pitr", "show"]))
        assert (args.host, args.port, args.user, args.password) == ("127.0.0.1", 6001, "root", None)

    def test_command_word_skips_flag_values(self) -> None:
        assert cli_parser.command_word(["--host", "backup", "--port", "1", "pitr", "show"]) == "pitr"
        assert cli_parser.command_word(["--log_level", "debug", "backup"]) == "backup"


@pytest.mark.parametrize(
    ("argv", "flag"),
    [
        (["pitr", "create", "--level", "cluster", "--rangevalue", "1"], "--pname"),
        (["pitr", "create", "--pname", "p1", "--level", "galaxy", "--rangevalue", "1"], "--level"),
        (["pitr", "create", "--pname", "p1", "--level", "cluster", "--rangevalue", "0"], "--rangevalue"),
        (["pitr", "create", "--pname", "p1", "--level", "cluster", "--rangevalue", "101"], "--rangevalue"),
        (["pitr", "create", "--pname", "p1", "--level", "cluster", "--rangevalue", "ten"], "--rangevalue"),
        (["pitr", "create", "--pname", "p1", "--level", "cluster", "--rangevalue", "1", "--rangeunit", "day"],
         "--rangeunit"),
        (["pitr", "create", "--pname", "p 1", "--level", "cluster", "--rangevalue", "1"], "--pname"),
        (["pitr", "create", "--pname", "", "--level", "cluster", "--rangevalue", "1"], "--pname"),
        (["pitr", "create", "--pname", "p1", "--level", "cluster", "--rangevalue", "-1"], "--rangevalue"),
        (["pitr", "create", "--pname", "p1", "--level", "cluster", "--rangevalue", "1", "--account", "acc1"],
         "--level"),
        (["pitr", "create", "--pname", "p1'; drop", "--level", "cluster", "--rangevalue", "1"], "--pname"),
        (["pitr", "create", "--pname", "sys_mo_catalog_pitr", "--level", "cluster", "--rangevalue", "1"], "--pname"),
        (["pitr", "create", "--pname", "p1", "--level", "database", "--account", "acc1", "--rangevalue", "1"],
         "--database"),
        (["pitr", "create", "--pname", "p1", "--level", "table", "--database", "db1", "--rangevalue", "1"],
         "--table"),
        (["pitr", "create", "--pname", "p1", "--level", "account", "--account", "acc`1", "--rangevalue", "1"],
         "--account"),
        (["pitr", "alter", "--pname", "p1", "--rangevalue", "1", "--rangeunit", "weeks"], "--rangeunit"),
        (["pitr", "alter", "--pname", "p1"], "--rangevalue"),
        (["pitr", "drop"], "--pname"),
        (["pitr", "restore", "--pname", "p1", "--account", "acc1"], "--timestamp"),
        (["pitr", "restore", "--pname", "p1", "--timestamp", "yesterday"], "--timestamp"),
        (["pitr", "restore", "--pname", "p1", "--timestamp", "2024-13-45 17:30:00"], "--timestamp"),
        (["pitr", "restore", "--pname", "p1", "--timestamp", "2024-10-28 17:30"], "--timestamp"),
        (["pitr", "restore", "--pname", "p1", "--timestamp", "2024-10-28 17:30:00", "--account", "acc1",
          "--new_account", "acc9", "--new_admin_name", "admin", "--new_admin_password", "x" * 200],
         "--new_admin_password"),
        (["pitr", "restore", "--pname", "p1", "--timestamp", "2024-10-28 17:30:00", "--timezone", "Mars/Base"],
         "--timezone"),
        (["pitr", "restore", "--pname", "p1", "--timestamp", "2024-10-28 17:30:00", "--cluster", "acc1"],
         "--cluster"),
        (["pitr", "restore", "--pname", "p1", "--timestamp", "2024-10-28 17:30:00", "--cluster", "sys",
          "--account", "acc1"], "--cluster"),
        (["pitr", "restore", "--pname", "p1", "--timestamp", "2024-10-28 17:30:00", "--table", "orders"],
         "--table"),
        (["pitr", "restore", "--pname", "p1", "--timestamp", "2024-10-28 17:30:00", "--account", "acc1",
          "--new_account", "acc9"], "--new_admin_name"),
        (["pitr", "restore", "--pname", "p1", "--timestamp", "2024-10-28 17:30:00", "--account", "acc1",
          "--new_account", "acc9", "--new_admin_name", "admin"], "--new_admin_password"),
        (["pitr", "restore", "--pname", "p1", "--timestamp", "2024-10-28 17:30:00", "--account", "acc1",
          "--new_account", "acc 9", "--new_admin_name", "admin", "--new_admin_password", "pw"], "--new_account"),
        (["pitr", "restore", "--pname", "p1", "--timestamp", "2024-10-28 17:30:00", "--new_admin_name", "admin"],
         "--new_admin_name"),
        (["pitr", "restore", "--pname", "p1", "--timestamp", "2024-10-28 17:30:00", "--account", "acc1",
          "--new_account", "acc9", "--new_admin_name", "admin", "--new_admin_password", "pw", "--database", "db1"],
         "--new_account"),
        (["pitr", "restore", "--pname", "p1", "--timestamp", "2024-10-28 17:30:00", "--dry-run", "--verify"],
         "--verify"),
        (["pitr", "show", "--cluster", "acc1"], "--cluster"),
        (["pitr", "show", "--format", "xml"], "--format"),
        (["snapshot", "create", "--sname", "s1", "--level", "database"], "--level"),
        (["snapshot", "create", "--sname", "s1", "--level", "cluster", "--account", "acc1"], "--account"),
        (["snapshot", "create", "--level", "account"], "--sname"),
        (["snapshot", "show", "--beginTs", "soon"], "--beginTs"),
        (["snapshot", "restore", "--sname", "s1", "--table", "t1"], "--table"),
        (["snapshot", "drop"], "--sname"),
        (["pitr", "show", "--port", "http"], "--port"),
        (["pitr", "show", "--log_level", "chatty"], "--log_level"),
        (["pitr", "show", "--user", "acc1#"], "--user"),
    ],
)
def test_validation_errors_exit_2_name_the_flag_and_show_an_example(
    capsys: pytest.CaptureFixture[str], argv: list[str], flag: str
) -> None:
    code, out, err = run(capsys, [*argv, *CONN])
    assert code == 2, err
    assert flag in err
    assert "example" in err
    assert "cannot connect" not in err
    assert "secret-pw-123" not in out + err
    assert out == ""


def test_tenant_cannot_create_cluster_pitr_refused_client_side(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, ["pitr", "create", "--user", "acc1#root", "--pname", "p1", "--level", "cluster",
                                "--rangevalue", "1", *CONN])
    assert code == 2
    assert "only sys tenant can create cluster level pitr" in err


def test_tenant_cannot_create_account_pitr_for_another_account(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, ["pitr", "create", "--user", "acc1#root", "--pname", "p1", "--level", "account",
                                "--account", "acc2", "--rangevalue", "1", *CONN])
    assert code == 2
    assert "only sys tenant can create tenant level pitr for other tenant" in err


@pytest.mark.parametrize("word", ["backup", "list", "check", "delete", "restore"])
def test_physical_backup_commands_are_not_provided(capsys: pytest.CaptureFixture[str], word: str) -> None:
    code, out, err = run(capsys, ["--host", "127.0.0.1", word, "--backup_dir", "filesystem", "--path", "/tmp/x"])
    assert code == 2
    assert f"`{word}`" in err and "does not provide" in err
    assert "mo-pitr snapshot" in err  # says what to use instead
    assert out == ""


def test_no_command_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, [])
    assert code == 2 and "example" in err
    code, _, err = run(capsys, ["pitr"])
    assert code == 2 and "pitr subcommand" in err


def test_help_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, ["pitr", "restore", "--help"])
    assert code == 0
    for flag in ("--pname", "--timestamp", "--cluster", "--new_account", "--dry-run", "--verify", "--yes",
                 "--no-safety-snapshot", "--timezone", "--host", "--password"):
        assert flag in out


def test_help_command_like_mo_br(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, ["help"])
    assert code == 0 and "{pitr,snapshot}" in out
    code, out, _ = run(capsys, ["snapshot", "show", "--help"])
    assert code == 0 and "example: mo-pitr snapshot show" in out


def test_unreachable_server_is_exit_1(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, ["pitr", "show", *CONN])
    assert code == 1
    assert "cannot connect" in err and str(PORT) in err
    assert "secret-pw-123" not in out + err


def test_password_from_environment(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MO_PASSWORD", "env-secret-456")
    code, out, err = run(capsys, ["pitr", "show", "--port", str(PORT)])
    assert code == 1 and "cannot connect" in err  # got past the password step
    assert "env-secret-456" not in out + err


def test_missing_password_without_terminal_is_usage_error(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("MO_PASSWORD", raising=False)
    code, _, err = run(capsys, ["pitr", "show", "--port", str(PORT)], stdin=io.StringIO(""))
    assert code == 2
    assert "--password" in err and "MO_PASSWORD" in err


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_password_prompt_on_a_terminal(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MO_PASSWORD", raising=False)
    prompts: list[str] = []

    def fake_getpass(prompt: str) -> str:
        prompts.append(prompt)
        return "typed-secret-789"

    monkeypatch.setattr("airflow_provider_matrixone.cli.connect.getpass.getpass", fake_getpass)
    code, out, err = run(capsys, ["pitr", "show", "--port", str(PORT)], stdin=_Tty(""))
    assert code == 1 and "cannot connect" in err
    assert prompts and "Password for root@127.0.0.1" in prompts[0]
    assert "typed-secret-789" not in out + err


def test_cli_does_not_import_airflow() -> None:
    code = ("import sys, airflow_provider_matrixone.cli.main as m; "
            "assert 'airflow' not in sys.modules, sorted(k for k in sys.modules if k.startswith('airflow.'))[:5]")
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


def test_logging_state_is_restored_and_log_file_written(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import logging

    logger = logging.getLogger("airflow_provider_matrixone")
    before = (logger.level, logger.propagate, list(logger.handlers))
    monkeypatch.setenv("MO_PASSWORD", "env-secret-456")
    log = tmp_path / "mo.log"
    code, _, err = run(capsys, ["pitr", "show", "--port", str(PORT), "--log_level", "debug", "--log_file", str(log)])
    assert code == 1 and "cannot connect" in err
    assert (logger.level, logger.propagate, list(logger.handlers)) == before
    assert log.exists() and "env-secret-456" not in log.read_text()
