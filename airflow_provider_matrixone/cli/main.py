"""``mo-pitr`` entry point: parse, dispatch, and turn every failure into an exit code.

Exit codes: 0 success; 1 the server refused or failed (MatrixOne's code and text shown);
2 usage or validation error (the flag named, an accepted example shown). Passwords are never
printed: messages only carry redacted SQL and the domain layer's validated names.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from typing import TextIO

from airflow_provider_matrixone.cli import parser as cli_parser
from airflow_provider_matrixone.cli import pitr_commands, restore, snapshot_commands
from airflow_provider_matrixone.cli.connect import ConnectionFailed, configure_logging, release_logging
from airflow_provider_matrixone.cli.context import Context
from airflow_provider_matrixone.cli.errors import EXIT_SERVER, EXIT_USAGE, Refused, UsageError, classify
from airflow_provider_matrixone.cli.targets import check_name_flags
from airflow_provider_matrixone.pitr import errors as domain
from airflow_provider_matrixone.sql_io.driver import redact_sql

Handler = Callable[[Context], int]

HANDLERS: dict[str, Handler] = {
    "pitr create": pitr_commands.create,
    "pitr show": pitr_commands.show,
    "pitr alter": pitr_commands.alter,
    "pitr drop": pitr_commands.drop,
    "pitr restore": restore.pitr_restore,
    "pitr window": pitr_commands.show_window,
    "snapshot create": snapshot_commands.create,
    "snapshot show": snapshot_commands.show,
    "snapshot drop": snapshot_commands.drop,
    "snapshot restore": restore.snapshot_restore,
}

PHYSICAL_MESSAGE = (
    "mo-pitr: error: `{word}` is one of mo_br's physical backup commands (backup, restore ID, list, check, "
    "delete), which mo-pitr does not provide: it only speaks SQL to a running MatrixOne. Use the enterprise "
    "mo_br tool (or mo_ctl backup) for physical backups, or the SQL-level equivalents here: "
    "`mo-pitr snapshot create|show|restore` and `mo-pitr pitr create|restore`."
)


def _err(text: str) -> None:
    print(f"mo-pitr: error: {text}", file=sys.stderr, flush=True)


def _scrub(text: str, secrets: list[str]) -> str:
    """Last line of defence: no message may contain a password, even one the server echoed."""
    text = redact_sql(text)
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return text


def _secrets(argv: Sequence[str]) -> list[str]:
    import os

    found = [os.environ.get("MO_PASSWORD", ""), os.environ.get("MO_NEW_ADMIN_PASSWORD", "")]
    args = list(argv)
    for i, token in enumerate(args):
        for flag in ("--password", "--new_admin_password"):
            if token == flag and i + 1 < len(args):
                found.append(args[i + 1])
            elif token.startswith(flag + "="):
                found.append(token.split("=", 1)[1])
    return [s for s in found if len(s) >= 3]


def main(argv: Sequence[str] | None = None, *, stdin: TextIO | None = None) -> int:
    """Run one ``mo-pitr`` command; returns the exit code (the console script exits with it)."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    secrets = _secrets(args_list)
    word = cli_parser.command_word(args_list)
    if word in cli_parser.PHYSICAL_COMMANDS:
        print(PHYSICAL_MESSAGE.format(word=word), file=sys.stderr, flush=True)
        return EXIT_USAGE
    top = cli_parser.build_parser()
    if word == "help":  # mo_br has a `help` command
        top.print_help()
        return 0
    try:
        args = top.parse_args(args_list)
    except cli_parser.ArgumentError as exc:
        _err(_scrub(f"{exc}\n{exc.usage}\nexample: {exc.example}", secrets))
        return EXIT_USAGE
    except SystemExit as exc:  # --help
        return int(exc.code or 0) if isinstance(exc.code, int) else 0
    cli_parser.apply_defaults(args)
    command = getattr(args, "command", None)
    if command is None:
        group = getattr(args, "group", None)
        example = cli_parser.EXAMPLES.get(group or "", cli_parser.EXAMPLES[""])
        _err(f"missing command: choose {'pitr or snapshot' if not group else 'a ' + group + ' subcommand'} "
             f"(example: {example})")
        return EXIT_USAGE
    handler = HANDLERS[command]
    log_handler = configure_logging(args)
    ctx = Context(args, stdin=stdin)
    try:
        check_name_flags(args)
        return handler(ctx)
    except UsageError as exc:
        _err(_scrub(exc.render(), secrets))
        return EXIT_USAGE
    except Refused as exc:
        _err(_scrub(str(exc), secrets))
        return EXIT_USAGE
    except domain.MatrixOneError as exc:
        code, text = classify(exc, snapshot=command.startswith("snapshot"))
        _err(_scrub(text, secrets))
        return code
    except ConnectionFailed as exc:
        _err(_scrub(str(exc), secrets))
        return EXIT_SERVER
    except KeyboardInterrupt:
        _err("interrupted")
        return 130
    finally:
        release_logging(log_handler)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
