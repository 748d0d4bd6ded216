"""Fuzz the wire (issue 14): random, truncated and mutated handshake, command and COM_CHANGE_USER packets.

The server runs as a real ``matrixone-lite serve`` subprocess, so a hang costs a bounded wait and
SIGTERM is tested for real. Seeded: the seed is printed, and ``MO_FUZZ_SEED=<seed>`` replays a
failure exactly; ``MO_FUZZ_CASES`` changes the number of cases (default 3,000).
"""

from __future__ import annotations

import os
import random
from pathlib import Path

from tests.lite.wire.wire_fuzz import Bystander, fuzz
from tests.support.serve import ServeProcess

CASES = int(os.environ.get("MO_FUZZ_CASES", "3000"))
BUDGET_S = 40.0  # cases stop being generated after this, so a slow machine stays well under a minute


def test_fuzzed_packets_never_hang_the_server(tmp_path: Path) -> None:
    seed = int(os.environ.get("MO_FUZZ_SEED") or random.SystemRandom().randrange(2**32))
    print(f"wire fuzz seed: {seed} (replay with MO_FUZZ_SEED={seed})")
    srv = ServeProcess(tmp_path).start()
    try:
        bystander = Bystander(srv)
        bystander.start()
        report = fuzz(srv, seed, CASES, BUDGET_S)
        bystander.stop()
        print(f"wire fuzz: {report.total} cases in {report.elapsed:.1f} s {report.cases}, answers {report.answers}; "
              f"bystander {bystander.answers} answers, slowest {bystander.max_latency:.3f} s")
        assert not report.hung, f"seed {seed}: server hung or dropped: {report.hung}"
        assert report.total >= min(CASES, 1000), f"seed {seed}: only {report.total} cases ran"
        assert bystander.errors == [], f"seed {seed}: the second client failed: {bystander.errors}"
        assert bystander.answers > 0
        assert srv.ping_query() == 2  # a fresh login is still served after the fuzzing
        assert srv.proc is not None and srv.proc.poll() is None, "the server process died"
        took = srv.terminate(timeout=5.0)
        assert took is not None, f"seed {seed}: the server ignored SIGTERM for 5 s after fuzzing"
        assert srv.proc.returncode == 0
        assert "Traceback" not in srv.stderr()
    finally:
        srv.kill()
