"""`make demo`: the seed guide's incident, restored and verified, on a throw-away MatrixOne.

Phases (one progress line each): workspace, matrixone_lite on a free port, a temporary Airflow
home with the matrixone_default connection, `airflow dags test matrixone_pitr_incident_demo`,
the verification report, shutdown. Exits non-zero when anything fails. The root password is
random per run, lives only in this process and the child's environment, and is never printed;
the logs are checked for it before the demo reports success.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DAG_ID = "matrixone_pitr_incident_demo"
SERVER_ZONE = "Asia/Shanghai"
PHASES = 6
_START = time.monotonic()


def phase(n: int, text: str) -> None:
    print(f"[{n}/{PHASES}] {text} (+{time.monotonic() - _START:.0f}s)", flush=True)


def fail(text: str, log: Path | None = None) -> int:
    print(f"demo FAILED: {text}", file=sys.stderr, flush=True)
    if log is not None and log.exists():
        tail = log.read_text(errors="replace").splitlines()[-40:]
        print(f"--- last lines of {log} ---", file=sys.stderr)
        print("\n".join(tail), file=sys.stderr)
    return 1


def run_logged(cmd: list[str], env: dict[str, str], log: Path, timeout: float) -> int:
    """Run a command with its output in ``log``; a timeout counts as failure (exit 124, like timeout(1))."""
    with log.open("w") as out:
        try:
            proc = subprocess.run(cmd, env=env, stdout=out, stderr=subprocess.STDOUT, timeout=timeout, check=False)
        except subprocess.TimeoutExpired:
            out.write(f"\n[demo] timed out after {timeout:.0f} s\n")
            return 124
    return proc.returncode


def main() -> int:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    work = ROOT / ".demo" / stamp
    data_dir, airflow_home, logs = work / "mo-data", work / "airflow-home", work / "logs"
    for d in (data_dir, airflow_home, logs):
        d.mkdir(parents=True, exist_ok=True)
    phase(1, f"workspace {work.relative_to(ROOT)}")

    sys.path.insert(0, str(ROOT))
    from matrixone_lite import LiteServer

    password = "demo-" + secrets.token_urlsafe(16)
    server = LiteServer(data_dir=data_dir, port=0, version="4.2.0", timezone=SERVER_ZONE, root_password=password,
                        statement_log_file=logs / "matrixone-statements.jsonl")
    try:
        server.start()
    except Exception as exc:  # port, data dir: report and stop, no traceback
        return fail(f"matrixone_lite did not start: {exc}")
    try:
        phase(2, f"matrixone_lite v4.2.0 listening on {server.host}:{server.port} (server zone {SERVER_ZONE})")
        env = dict(os.environ)
        env.update({
            "AIRFLOW_HOME": str(airflow_home),
            "AIRFLOW__CORE__DAGS_FOLDER": str(ROOT / "dags"),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{airflow_home}/airflow.db",
            "AIRFLOW__LOGGING__BASE_LOG_FOLDER": str(logs / "airflow"),
            "AIRFLOW_CONN_MATRIXONE_DEFAULT": json.dumps({
                "conn_type": "matrixone", "host": server.host, "port": server.port, "login": "root",
                "password": password, "extra": {"client": "pymysql", "demo": True},
            }),
            "MATRIXONE_DEMO_REPORT_FILE": str(work / "report.txt"),
            "PYTHONPATH": os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p),
        })
        airflow = str(Path(sys.executable).parent / "airflow")
        migrate_log = logs / "airflow-db-migrate.log"
        if run_logged([airflow, "db", "migrate"], env, migrate_log, 600) != 0:
            return fail("airflow db migrate failed", migrate_log)
        phase(3, f"Airflow home {airflow_home.relative_to(ROOT)} migrated; connection matrixone_default -> "
                 f"root@{server.host}:{server.port} (extra demo: true)")

        phase(4, f"running `airflow dags test {DAG_ID}` (create tenants, PITRs, break, restore, verify)")
        test_log = logs / "dags-test.log"
        code = run_logged([airflow, "dags", "test", DAG_ID], env, test_log, 900)
        report_file = work / "report.txt"
        for log_file in logs.rglob("*"):
            if log_file.is_file() and password in log_file.read_text(errors="replace"):
                return fail(f"the root password appeared in {log_file}; refusing to report success")
        if code != 0 or not report_file.exists():
            return fail(f"`airflow dags test` exited with {code}", test_log)
        report = report_file.read_text()
        phase(5, "verification report:")
        print(report, flush=True)
        if not report.startswith("VERIFIED"):
            return fail("verification did not pass", test_log)
    finally:
        server.stop()
        phase(6, "matrixone_lite stopped")
    print(f"logs: {logs.relative_to(ROOT)} (dags-test.log, airflow/, matrixone-statements.jsonl)")
    print("demo PASSED: acc1 and acc2 are back as they were at T", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
