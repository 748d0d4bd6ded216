"""``--probe-user``: the access proof of ``--verify`` (MatrixOne #26640), for ``mo-pitr``.

Why: a restore can bring every row back and leave the application's grants on the old table ids,
so the admin's verification passes and the application reads nothing. ``--probe-user "acc1#app"``
makes the workflow's check read each restored table as that login
(:func:`airflow_provider_matrixone.restore.run_restore`'s ``probe_ops``, the same proof as the
operator's and the sensor's ``probe_conn_id``); a refusal is a MISMATCH (exit 1).

The probe's password never comes from the command line (shell history, ``ps``): it is read from
an environment variable (``MO_PROBE_PASSWORD``, or the one ``--probe-password-env`` names) or
asked on a terminal. The probe connects to the same ``--host``/``--port`` as the main login.
"""

from __future__ import annotations

import argparse
import getpass
import logging
import os
import sys
from typing import TextIO

from airflow_provider_matrixone.cli.connect import LOGGER_NAME, pymysql_connect
from airflow_provider_matrixone.cli.errors import UsageError
from airflow_provider_matrixone.pitr import errors as domain
from airflow_provider_matrixone.pitr.identifiers import parse_login
from airflow_provider_matrixone.sql_io.operations import PitrClient

PROBE_PASSWORD_ENV = "MO_PROBE_PASSWORD"
_EXAMPLE = 'MO_PROBE_PASSWORD=... mo-pitr pitr restore ... --verify --probe-user "acc1#app"'


def check_probe_flags(a: argparse.Namespace) -> None:
    """Refuse, before connecting, a probe without ``--verify`` (it proves a verified restore only)."""
    if getattr(a, "probe_password_flag", None) is not None:
        raise UsageError("--probe-password", "the probe login's password is never taken from the command line "
                         f"(shell history, ps): set {PROBE_PASSWORD_ENV} or the variable --probe-password-env "
                         "names, or run on a terminal to be prompted", _EXAMPLE)
    if getattr(a, "probe_user", None) is None:
        if getattr(a, "probe_password_env", None) is not None:
            raise UsageError("--probe-password-env", "--probe-password-env needs --probe-user", _EXAMPLE)
        return
    if not a.verify:
        raise UsageError("--probe-user", "--probe-user reads the restored tables once --verify proved them: "
                         "add --verify", _EXAMPLE)
    try:
        parse_login(a.probe_user)
    except domain.InvalidInput as exc:
        raise UsageError("--probe-user", str(exc), _EXAMPLE) from None


def _password(a: argparse.Namespace, stdin: TextIO | None) -> str:
    name = a.probe_password_env or PROBE_PASSWORD_ENV
    value = os.environ.get(name)
    if value is not None:
        return value
    stream = stdin or sys.stdin
    if stream is not None and stream.isatty():
        return getpass.getpass(f"Password for the probe login {a.probe_user}@{a.host}:{a.port}: ")
    # a --probe-password-env mistyped with the password itself must not be echoed
    where = name if name == PROBE_PASSWORD_ENV else "the variable --probe-password-env names"
    raise UsageError("--probe-user", f"no password for the probe login {a.probe_user}: set {where} "
                     "(the password is never taken from the command line) or run on a terminal to be prompted",
                     _EXAMPLE)


def probe_client(a: argparse.Namespace, stdin: TextIO | None = None) -> PitrClient | None:
    """The application login's client for ``run_restore(probe_ops=...)``; None without ``--probe-user``.

    Nothing connects here: the login is first used by the access proof, after the content verified,
    so a refused login is the proof's MISMATCH, not a usage error.
    """
    if getattr(a, "probe_user", None) is None:
        return None
    password = _password(a, stdin)
    return PitrClient(pymysql_connect(a.host, a.port, a.probe_user, password), parse_login(a.probe_user),
                      server_timezone=a.server_timezone, log_sql=True,
                      logger=logging.getLogger(f"{LOGGER_NAME}.cli.probe"))
