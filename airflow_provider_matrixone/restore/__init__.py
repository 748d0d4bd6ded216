"""The one restore workflow: plan -> guards -> undo point -> restore -> capture and compare -> report.

No Airflow imports. ``mo-pitr pitr restore``, :class:`MatrixOnePITRRestoreOperator` and the sample
restore DAG all call :func:`run.run_restore`, so for the same request they send the same SQL, take
the same undo point and return the same verdicts. The server is reached only through
:class:`airflow_provider_matrixone.sql_io.operations.PitrOperations` (implemented by the hook and by the
CLI's ``PitrClient``).
"""

from .report import render_report
from .request import RestoreRequest
from .run import PhaseTimer, RestoreFailed, check_restored, plan, run_restore
from .snapshot import snapshot_request
from .undo import undo_name, undo_scope

__all__ = ["PhaseTimer", "RestoreFailed", "RestoreRequest", "check_restored", "plan", "render_report", "run_restore",
           "snapshot_request", "undo_name", "undo_scope"]
