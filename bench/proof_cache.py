"""The default proof on 1,000 small tables with lite's proof caches on and off, in one run.

What it separates (issue 13 point 7): the ``information_schema`` TEMP rows (``sql/info_rows.py``)
and the translation templates (``execution/templates.py``) against the paths they replace (both
switched off through their ``ENABLED`` flags; the server runs in this process). One account, 1,000
tables in 10 databases, a PITR, T, an incident, the RESTORE (timed); then the verification a
restore gets (reference read at T + state read now, default proof), measured:

1. caches on, first verification (templates cleared; the TEMP rows of pooled connections may
   already hold some tables from the RESTORE's own reads, as on a real server);
2. caches off (the baseline: a VALUES literal per ``information_schema`` read, sqlglot per statement);
3. caches on again (a repeat: the sensor's next poke, a retry's "already landed" check).

Order 1-2-3 gives the baseline the warmer SQLite pages. Printed: seconds, the ratio to the
baseline and to the RESTORE, and whether the three verdicts and digests agree. Nothing is
asserted. ``python bench/proof_cache.py [--tables 1000]``.
"""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from airflow_provider_matrixone.pitr.identifiers import Login  # noqa: E402
from airflow_provider_matrixone.pitr.models import Scope  # noqa: E402
from airflow_provider_matrixone.pitr.verify import capture_reference, capture_state, compare  # noqa: E402
from airflow_provider_matrixone.sql_io.operations import PitrClient  # noqa: E402
from bench.verify_proof import _account, _incident, _seed_tables  # noqa: E402
from matrixone_lite import LiteServer  # noqa: E402
from matrixone_lite.execution import templates  # noqa: E402
from matrixone_lite.sql import info_rows  # noqa: E402

ROOT_PASSWORD = "bench-pw"


def _verify(client: PitrClient, at_ns: int, caches: bool) -> tuple[float, str, Any]:
    info_rows.ENABLED = templates.ENABLED = caches
    try:
        start = time.perf_counter()
        ref = capture_reference(client, Scope.build("account"), at_ns, fingerprint=True)
        report = compare(ref, capture_state(client, ref))
        seconds = time.perf_counter() - start
    finally:
        info_rows.ENABLED = templates.ENABLED = True
    digests = sorted((name, t.fingerprint, t.rows) for name, t in ref.tables.items())
    return seconds, report.verdict, digests


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tables", type=int, default=1000)
    args = parser.parse_args()
    logging.getLogger("mysql_mimic").setLevel(logging.CRITICAL)
    logging.getLogger("airflow_provider_matrixone").setLevel(logging.WARNING)
    with tempfile.TemporaryDirectory() as tmp, LiteServer(data_dir=tmp, port=0, version="4.2.0",
                                                          timezone="Asia/Shanghai", root_password=ROOT_PASSWORD) as srv:
        connect = _account(srv, ROOT_PASSWORD, "pcache")
        conn = connect()
        with conn.cursor() as cur:
            _seed_tables(cur, args.tables)
            cur.execute("create pitr p_cache for account range 1 'd'")
        time.sleep(0.05)
        at_ns = time.time_ns()
        time.sleep(0.05)
        with conn.cursor() as cur:
            _incident(cur, "tables")
        client = PitrClient(connect, Login("pcache", "admin"), log_sql=False)
        pitr = client.require_pitr("p_cache")
        sql, _ = client.build_restore_pitr(pitr, datetime.fromtimestamp(at_ns / 1e9, UTC), Scope.build("account"))
        start = time.perf_counter()
        with conn.cursor() as cur:
            cur.execute(sql)
        restore_s = time.perf_counter() - start
        conn.close()
        templates._templates.clear()  # noqa: SLF001 - a first verification finds no template
        runs = [("caches on, first verification", True), ("caches off (baseline)", False),
                ("caches on, repeat", True)]
        results = [(label, *_verify(client, at_ns, on)) for label, on in runs]
    base = results[1][1]
    same = len({(verdict, str(digests)) for _, _, verdict, digests in results}) == 1
    print(f"\ndefault proof of {args.tables} tables (reference at T + state now) over TCP; "
          f"RESTORE {restore_s:.3f} s; verdicts and digests identical: {same}")
    print(f"{'run':<32} {'seconds':>8} {'vs baseline':>12} {'/ RESTORE':>10} {'verdict':>9}")
    for label, seconds, verdict, _ in results:
        print(f"{label:<32} {seconds:>8.3f} {seconds / base:>11.2f}x {seconds / restore_s:>9.0%} {verdict:>9}")


if __name__ == "__main__":
    main()
