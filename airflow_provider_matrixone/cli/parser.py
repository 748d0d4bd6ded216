"""Argument parsing for ``mo-pitr``: mo_br's flag names and layout, plus a few safety flags.

mo_br puts the connection flags *after* the subcommand (``mo_br pitr create --host ...``) while
most CLIs put them first, so they are accepted in both places: every leaf parser and the top
parser share one flag set whose defaults are suppressed, and :func:`apply_defaults` fills the
gaps once parsing is done (a later value never gets overwritten by a default).
"""

from __future__ import annotations

import argparse
from typing import Any, NoReturn

DEFAULTS: dict[str, Any] = {
    "host": "127.0.0.1",
    "port": 6001,
    "user": "root",
    "password": None,
    "log_level": "error",
    "log_file": "console",
    "server_timezone": None,
}

#: One accepted command line per command, shown with every usage error.
EXAMPLES: dict[str, str] = {
    "pitr create": 'mo-pitr pitr create --user "acc1#root" --pname "pitr2" --level "account" --account "acc1" '
                   '--rangevalue 10 --rangeunit "h"',
    "pitr show": 'mo-pitr pitr show --user "acc1#root" --account "acc1"',
    "pitr alter": 'mo-pitr pitr alter --pname "pitr2" --rangevalue 20 --rangeunit "h"',
    "pitr drop": 'mo-pitr pitr drop --pname "pitr2"',
    "pitr restore": 'mo-pitr pitr restore --user "acc1#root" --pname "pitr2" --timestamp "2024-10-28 17:30:00" '
                    '--account "acc1"',
    "pitr window": 'mo-pitr pitr window --pname "pitr2"',
    "snapshot create": 'mo-pitr snapshot create --level "account" --account "acc1" --sname "snap1"',
    "snapshot show": 'mo-pitr snapshot show --account "acc1"',
    "snapshot drop": 'mo-pitr snapshot drop --sname "snap1"',
    "snapshot restore": 'mo-pitr snapshot restore --sname "snap1" --account "acc1"',
    "pitr": 'mo-pitr pitr show',
    "snapshot": 'mo-pitr snapshot show',
    "": 'mo-pitr pitr show --host 127.0.0.1 --port 6001 --user root',
}

#: mo_br's physical backup commands; mo-pitr only speaks SQL, so these are refused with advice.
PHYSICAL_COMMANDS = ("backup", "restore", "list", "check", "delete")

#: Flags that take a value (to find the command word behind leading connection flags).
VALUE_FLAGS = frozenset({"--host", "--port", "--user", "--password", "--log_level", "--log_file",
                         "--server_timezone"})

LOG_LEVELS = ("debug", "info", "warn", "warning", "error", "fatal")


class ArgumentError(Exception):
    """argparse refused the command line; carries the example of the command being parsed."""

    def __init__(self, message: str, command: str, usage: str) -> None:
        super().__init__(message)
        self.command = command
        self.usage = usage

    @property
    def example(self) -> str:
        return EXAMPLES.get(self.command, EXAMPLES[""])


class _Parser(argparse.ArgumentParser):
    """Raises instead of exiting so ``main([...])`` returns 2 in-process (tests, embedding)."""

    command: str = ""

    def error(self, message: str) -> NoReturn:
        raise ArgumentError(message, self.command, self.format_usage().strip())


def _connection_flags(defaults: bool) -> argparse.ArgumentParser:
    """The connection/logging flags; ``defaults=False`` suppresses defaults for the leaf parsers."""
    parent = argparse.ArgumentParser(add_help=False)
    group = parent.add_argument_group("connection")

    def d(name: str) -> Any:
        return DEFAULTS[name] if defaults else argparse.SUPPRESS

    group.add_argument("--host", default=d("host"), help="MatrixOne host (default 127.0.0.1)")
    group.add_argument("--port", type=_port, default=d("port"), help="MatrixOne port (default 6001)")
    group.add_argument("--user", default=d("user"),
                       help="login: user (sys), account#user or account#user#role (default root)")
    group.add_argument("--password", default=d("password"),
                       help="password; prefer the MO_PASSWORD environment variable or the prompt, so it "
                            "stays out of shell history")
    group.add_argument("--log_level", default=d("log_level"), type=str.lower, choices=LOG_LEVELS,
                       help="log level (default error; info shows every SQL statement, passwords redacted)")
    group.add_argument("--log_file", default=d("log_file"), help="log destination: console (stderr) or a path")
    group.add_argument("--server_timezone", default=d("server_timezone"),
                       help="the MatrixOne server's zone, when it cannot be detected (e.g. Asia/Shanghai)")
    return parent


def _port(value: str, flag: str = "--port", example: int = 6001) -> int:
    text = value.strip()
    if not text.isdigit() or not 1 <= int(text) <= 65535:
        raise argparse.ArgumentTypeError(f"invalid port {value!r}: use 1-65535 (example: {flag} {example})")
    return int(text)


def _probe_port(value: str) -> int:
    """``--probe-port``: checked as ``--port`` is, its own flag in the message."""
    return _port(value, "--probe-port", 6002)


def _leaf(sub: Any, name: str, command: str, help_text: str, conn: argparse.ArgumentParser) -> _Parser:
    parser: _Parser = sub.add_parser(name, help=help_text, description=help_text, parents=[conn],
                                     epilog=f"example: {EXAMPLES[command]}")
    parser.command = command
    parser.set_defaults(command=command)
    return parser


def _format_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--format", choices=("text", "json"), default="text", help="output format (default text)")


def _new_account_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--new_account", help="restore into this new account (created first; sys only)")
    parser.add_argument("--new_admin_name", help="admin user of the new account")
    parser.add_argument("--new_admin_password",
                        help="admin password of the new account (or env MO_NEW_ADMIN_PASSWORD; never printed)")


def _restore_safety_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--dry-run", "--dry_run", dest="dry_run", action="store_true",
                        help="print the plan and what would change; send no mutating statement")
    parser.add_argument("--yes", "-y", action="store_true",
                        help="confirm an in-place account or cluster restore without a prompt")
    parser.add_argument("--safety-snapshot", "--safety_snapshot", dest="safety_snapshot", action="store_true",
                        default=True, help="take a snapshot of the target before an in-place restore (default)")
    parser.add_argument("--no-safety-snapshot", "--no_safety_snapshot", dest="safety_snapshot",
                        action="store_false", help="skip the safety snapshot")


def _run_key_and_verify_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--run-key", "--run_key", dest="run_key", default=None,
                        help="names this run's safety snapshot (undo point); the same key and scope give the same "
                             "name, so a rerun reuses the snapshot of its first attempt (default: a new key per run)")
    parser.add_argument("--verify", action="store_true",
                        help="capture the target state at T first, compare after the restore, print a per-table "
                             "report")
    parser.add_argument("--probe-user", "--probe_user", dest="probe_user", default=None,
                        help="with --verify: an application login (e.g. acc1#app) that must read each restored "
                             "table after the restore; a refusal is a MISMATCH (MatrixOne #26640). Its password "
                             "comes from $MO_PROBE_PASSWORD (or --probe-password-env) or a prompt, never a flag")
    parser.add_argument("--probe-host", "--probe_host", dest="probe_host", default=None,
                        help="with --probe-user: the host the probe login connects to, when applications go "
                             "through another endpoint (a proxy) than the admin (default: --host)")
    parser.add_argument("--probe-port", "--probe_port", dest="probe_port", type=_probe_port, default=None,
                        help="with --probe-user: the port the probe login connects to (default: --port)")
    parser.add_argument("--probe-password-env", "--probe_password_env", dest="probe_password_env", default=None,
                        help="name of the environment variable holding the --probe-user password "
                             "(default MO_PROBE_PASSWORD)")
    # Refused on purpose (cli/probe.py): defined so that argparse does not take it as an
    # abbreviation of --probe-password-env, and so that the refusal never repeats the value.
    parser.add_argument("--probe-password", "--probe_password", dest="probe_password_flag", nargs="?",
                        const="", default=None, help=argparse.SUPPRESS)


def build_parser() -> _Parser:
    """The whole command tree."""
    conn_leaf = _connection_flags(defaults=False)
    top = _Parser(
        prog="mo-pitr",
        description="MatrixOne PITR and snapshot management, command-compatible with mo_br's SQL-backed "
                    "commands (pitr, snapshot), plus dry-run, verification and safety snapshots.",
        parents=[_connection_flags(defaults=False)],
    )
    groups = top.add_subparsers(dest="group", metavar="{pitr,snapshot}", parser_class=_Parser)

    pitr = groups.add_parser("pitr", help="point-in-time recovery: create, show, alter, drop, restore, window")
    pitr.command = "pitr"
    pitr_sub = pitr.add_subparsers(dest="action", metavar="{create,show,alter,drop,restore,window}",
                                   parser_class=_Parser)

    p = _leaf(pitr_sub, "create", "pitr create", "create a PITR", conn_leaf)
    p.add_argument("--pname", required=True, help="PITR name")
    p.add_argument("--level", required=True, help="cluster, account, database or table")
    p.add_argument("--account", help="account (account level; also given for database/table level)")
    p.add_argument("--database", help="database (database and table level)")
    p.add_argument("--table", help="table (table level)")
    p.add_argument("--rangevalue", required=True, help="range value 1-100")
    p.add_argument("--rangeunit", default="d", help="h, d, mo or y (default d)")

    p = _leaf(pitr_sub, "show", "pitr show", "list the PITRs this login created", conn_leaf)
    p.add_argument("--cluster", help="'sys': only cluster-level PITRs")
    p.add_argument("--account", help="only PITRs on this account")
    p.add_argument("--database", help="only PITRs on this database")
    p.add_argument("--table", help="only PITRs on this table")
    p.add_argument("--pname", help="only this PITR")
    _format_flag(p)

    p = _leaf(pitr_sub, "alter", "pitr alter", "change a PITR's range", conn_leaf)
    p.add_argument("--pname", required=True, help="PITR name")
    p.add_argument("--rangevalue", required=True, help="range value 1-100")
    p.add_argument("--rangeunit", default="d", help="h, d, mo or y (default d)")

    p = _leaf(pitr_sub, "drop", "pitr drop", "drop a PITR", conn_leaf)
    p.add_argument("--pname", required=True, help="PITR name")

    p = _leaf(pitr_sub, "restore", "pitr restore", "restore from a PITR to a point in time", conn_leaf)
    p.add_argument("--pname", required=True, help="PITR name")
    p.add_argument("--timestamp", required=True,
                   help="target time: 'YYYY-MM-DD hh:mm:ss[.ffffff]' in the MatrixOne server's zone (as mo_br), "
                        "or RFC 3339 with an offset")
    p.add_argument("--timezone", help="zone of a --timestamp without offset (default: the server's zone)")
    p.add_argument("--cluster", help="'sys': restore the whole cluster (cluster-level PITR)")
    p.add_argument("--account", help="account to restore (or, with --new_account, the source account)")
    p.add_argument("--database", help="database to restore")
    p.add_argument("--table", help="table to restore (with --database)")
    _new_account_flags(p)
    _restore_safety_flags(p)
    _run_key_and_verify_flags(p)
    _format_flag(p)

    p = _leaf(pitr_sub, "window", "pitr window", "show the recoverable window of PITRs", conn_leaf)
    p.add_argument("--pname", help="PITR name (default: every PITR of this login)")
    p.add_argument("--timezone", help="local zone to show besides the server's (default: this machine's)")
    _format_flag(p)

    snap = groups.add_parser("snapshot", help="snapshots: create, show, drop, restore")
    snap.command = "snapshot"
    snap_sub = snap.add_subparsers(dest="action", metavar="{create,show,drop,restore}", parser_class=_Parser)

    p = _leaf(snap_sub, "create", "snapshot create", "create a snapshot", conn_leaf)
    p.add_argument("--level", required=True, help="account or cluster")
    p.add_argument("--account", help="account (account level; default: the login's account)")
    p.add_argument("--sname", required=True, help="snapshot name")

    p = _leaf(snap_sub, "show", "snapshot show", "list snapshots", conn_leaf)
    p.add_argument("--cluster", help="'sys': only cluster-level snapshots")
    p.add_argument("--account", help="only snapshots of this account")
    p.add_argument("--db", help="only snapshots of this database")
    p.add_argument("--table", help="only snapshots of this table")
    p.add_argument("--sname", help="only this snapshot")
    p.add_argument("--beginTs", dest="begin_ts", help="only snapshots at or after this time (UTC without offset)")
    p.add_argument("--endTs", dest="end_ts", help="only snapshots at or before this time (UTC without offset)")
    _format_flag(p)

    p = _leaf(snap_sub, "drop", "snapshot drop", "drop a snapshot", conn_leaf)
    p.add_argument("--sname", required=True, help="snapshot name")

    p = _leaf(snap_sub, "restore", "snapshot restore", "restore from a snapshot", conn_leaf)
    p.add_argument("--sname", required=True, help="snapshot name")
    p.add_argument("--account", help="account to restore (default: the snapshot's)")
    p.add_argument("--db", help="database to restore")
    p.add_argument("--table", help="table to restore (with --db)")
    _new_account_flags(p)
    _restore_safety_flags(p)
    _run_key_and_verify_flags(p)
    _format_flag(p)
    return top


def apply_defaults(args: argparse.Namespace) -> argparse.Namespace:
    """Fill connection flags given neither before nor after the subcommand."""
    for key, value in DEFAULTS.items():
        if not hasattr(args, key):
            setattr(args, key, value)
    return args


def command_word(argv: list[str]) -> str | None:
    """The first positional word, skipping leading flags and their values (``--host h backup``)."""
    skip = False
    for token in argv:
        if skip:
            skip = False
            continue
        if token.startswith("-"):
            if token in VALUE_FLAGS:
                skip = True
            continue
        return token
    return None
