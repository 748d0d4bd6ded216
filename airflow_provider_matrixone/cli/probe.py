"""``--probe-user``: the access proof of ``--verify`` (MatrixOne #26640), for ``mo-pitr``.

Why: a restore can bring every row back and leave the application's grants on the old table ids,
so the admin's verification passes and the application reads nothing. ``--probe-user "acc1#app"``
makes the workflow's check read each restored table as that login
(:func:`airflow_provider_matrixone.restore.run_restore`'s ``probe_ops``, the same proof as the
operator's and the sensor's ``probe_conn_id``); a refusal is a MISMATCH (exit 1).

The probe's password never comes from the command line (shell history, ``ps``): it is read from
an environment variable (``MO_PROBE_PASSWORD``, or the one ``--probe-password-env`` names) or
asked on a terminal.

The probe connects to ``--probe-host``/``--probe-port``, by default the main login's
``--host``/``--port``: application logins often go through another endpoint (a proxy) than the
admin's, and the proof is only worth something when it reads the way the application reads. The
prompt, the log and the report name the endpoint actually used.
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
_EXAMPLE_ENDPOINT = ('MO_PROBE_PASSWORD=... mo-pitr pitr restore ... --verify --probe-user "acc1#app" '
                     '--probe-host app-proxy.example --probe-port 6002')


def _check_probe_host(value: str | None) -> None:
    """``--probe-host`` as a host name or address: not empty (the driver would silently use
    localhost), no blanks, and no ``host:port`` (the port would be taken as part of the name)."""
    if value is None:
        return
    text = value.strip()
    if not text or any(c.isspace() for c in text):
        raise UsageError("--probe-host", f"invalid --probe-host {value!r}: give a host name or address",
                         _EXAMPLE_ENDPOINT)
    host, sep, port = text.rpartition(":")
    bracketed = text.startswith("[") and host.endswith("]")  # [::1]:6002: an IPv6 address with a port
    if text.startswith("[") and not bracketed:
        raise UsageError("--probe-host", f"invalid --probe-host {value!r}: give an IPv6 address without brackets",
                         _EXAMPLE_ENDPOINT)
    if sep and port.isdigit() and (":" not in host or bracketed):  # a bare IPv6 address keeps its colons
        raise UsageError("--probe-host", f"--probe-host {value!r} carries a port: give it with --probe-port",
                         _EXAMPLE_ENDPOINT)


def probe_endpoint(a: argparse.Namespace) -> tuple[str, int]:
    """(host, port) the probe login connects to: ``--probe-host``/``--probe-port``, else the main ones."""
    host = getattr(a, "probe_host", None)
    port = getattr(a, "probe_port", None)
    return (host.strip() if host is not None else a.host), (port if port is not None else a.port)


def probe_summary(a: argparse.Namespace) -> dict[str, object] | None:
    """What the report says about the probe: its login and the endpoint it used (no password)."""
    if getattr(a, "probe_user", None) is None:
        return None
    host, port = probe_endpoint(a)
    return {"login": a.probe_user, "host": host, "port": port}


def check_probe_flags(a: argparse.Namespace) -> None:
    """Refuse, before connecting, a probe without ``--verify`` (it proves a verified restore only),
    and probe flags without ``--probe-user`` (they would silently do nothing)."""
    if getattr(a, "probe_password_flag", None) is not None:
        raise UsageError("--probe-password", "the probe login's password is never taken from the command line "
                         f"(shell history, ps): set {PROBE_PASSWORD_ENV} or the variable --probe-password-env "
                         "names, or run on a terminal to be prompted", _EXAMPLE)
    if getattr(a, "probe_user", None) is None:
        for flag, dest in (("--probe-password-env", "probe_password_env"), ("--probe-host", "probe_host"),
                           ("--probe-port", "probe_port")):
            if getattr(a, dest, None) is not None:
                raise UsageError(flag, f"{flag} needs --probe-user", _EXAMPLE_ENDPOINT)
        return
    _check_probe_host(getattr(a, "probe_host", None))
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
    host, port = probe_endpoint(a)  # the prompt names where the password goes, not the main login's endpoint
    if stream is not None and stream.isatty():
        return getpass.getpass(f"Password for the probe login {a.probe_user}@{host}:{port}: ")
    # a --probe-password-env mistyped with the password itself must not be echoed
    where = name if name == PROBE_PASSWORD_ENV else "the variable --probe-password-env names"
    raise UsageError("--probe-user", f"no password for the probe login {a.probe_user}@{host}:{port}: set {where} "
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
    host, port = probe_endpoint(a)
    logger = logging.getLogger(f"{LOGGER_NAME}.cli.probe")
    logger.info("access probe: login %s will read the restored tables through %s:%d%s", a.probe_user, host, port,
                "" if (host, port) == (a.host, a.port) else f" (the main login uses {a.host}:{a.port})")
    return PitrClient(pymysql_connect(host, port, a.probe_user, password,
                                      who=f"the access probe (login {a.probe_user}) ",
                                      flags="--probe-host and --probe-port"),
                      parse_login(a.probe_user), server_timezone=a.server_timezone, log_sql=True, logger=logger)
