"""``matrixone-lite serve``: run the server in the foreground until SIGTERM/SIGINT."""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading
from types import FrameType

from matrixone_lite import __version__


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="matrixone-lite", description="Embedded MatrixOne-compatible test server.")
    p.add_argument("--log-level", default="WARNING", help="Python logging level (default WARNING)")
    sub = p.add_subparsers(dest="command", required=True)
    s = sub.add_parser("serve", help="serve the MySQL protocol until interrupted")
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--port", type=int, default=6001, help="0 picks a free port (printed on stdout)")
    s.add_argument("--data-dir", default="./mo-lite-data")
    s.add_argument("--root-password", default=None,
                   help="password of sys root/dump on first start (default: $MO_LITE_ROOT_PASSWORD, else 111; "
                   "prefer the environment variable: a flag is visible in the process list)")
    s.add_argument("--version", default="4.2.0", dest="mo_version",
                   help="MatrixOne version to emulate (grammar differs per line)")
    s.add_argument("--timezone", default=None, help="server zone for RESTORE timestamps (default: local zone)")
    s.add_argument("--statement-log", default=None, metavar="FILE", help="append every statement as JSON lines")
    s.add_argument("--gc-interval", type=float, default=60.0, metavar="SECONDS",
                   help="seconds between garbage collections of unneeded history (0 disables; default 60)")
    s.add_argument("--max-execution-time", type=float, default=None, metavar="SECONDS",
                   help="interrupt a statement running longer than this with error 3024 (0 disables; "
                   "default 600; a session's max_execution_time in ms overrides it)")
    p.add_argument("-V", action="version", version=f"matrixone-lite {__version__}")
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=getattr(logging, str(args.log_level).upper(), logging.WARNING),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("mysql_mimic").setLevel(logging.CRITICAL)
    from matrixone_lite.server import DEFAULT_MAX_EXECUTION_TIME_S, LiteServer, ServerStartError

    server = LiteServer(data_dir=args.data_dir, host=args.host, port=args.port, version=args.mo_version,
                        timezone=args.timezone,
                        root_password=args.root_password or os.environ.get("MO_LITE_ROOT_PASSWORD") or "111",
                        statement_log=False, statement_log_file=args.statement_log, gc_interval=args.gc_interval,
                        max_execution_time=(DEFAULT_MAX_EXECUTION_TIME_S if args.max_execution_time is None
                                            else args.max_execution_time))
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    try:
        server.start()
    except ServerStartError as e:
        print(f"matrixone-lite: error: {e}", file=sys.stderr, flush=True)
        return 2
    print(f"matrixone-lite listening on {server.host}:{server.port}", flush=True)
    try:
        while not stop.wait(0.5):
            pass
    finally:
        server.stop()
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
