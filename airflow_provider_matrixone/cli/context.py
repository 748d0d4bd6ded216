"""What every command handler receives: parsed flags, a lazily connected client, output streams."""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass, field
from typing import TextIO

from airflow_provider_matrixone.cli.connect import make_client
from airflow_provider_matrixone.sql_io.operations import PitrClient


@dataclass
class Context:
    args: argparse.Namespace
    stdin: TextIO | None = None
    _client: PitrClient | None = field(default=None, repr=False)

    @property
    def client(self) -> PitrClient:
        """Connect on first use, so usage errors are reported without touching the server."""
        if self._client is None:
            self._client = make_client(self.args, self.stdin)
        return self._client

    def out(self, text: str = "") -> None:
        print(text, file=sys.stdout, flush=True)

    def err(self, text: str) -> None:
        print(text, file=sys.stderr, flush=True)

    def prompt(self, text: str) -> None:
        print(text, end="", file=sys.stderr, flush=True)

    def is_tty(self) -> bool:
        stream = self.stdin or sys.stdin
        try:
            return bool(stream is not None and stream.isatty())
        except (ValueError, OSError):
            return False

    def read_line(self) -> str:
        stream = self.stdin or sys.stdin
        return stream.readline() if stream is not None else ""


class Progress:
    """One line per restore phase with the elapsed time, on stderr (stdout stays parseable)."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.start = time.monotonic()

    def phase(self, text: str) -> None:
        self.ctx.err(f"[{time.monotonic() - self.start:7.2f}s] {text}")
