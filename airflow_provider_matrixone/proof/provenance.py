"""Where a table that should not be in the scope came from: another database's table at T (#27116).

Why a read of its own: a database- or table-level reference holds only its own database at T, so
when a verification finds a table that did not exist there, nothing it read can say whether that
table is a copy of another database's table (MatrixOne #27116: a database snapshot restored another
database's table). This module reads, at T and only on that path, the tables *of the same name* in
the other databases (counts, columns and content digests, as the reference does), and rewords the
finding with :func:`airflow_provider_matrixone.pitr.inventory.unexpected_table_sentence`. It only
ever explains a MISMATCH: verdicts and statuses do not change, and a failed read leaves the plain
sentence (logged), never an error.
"""

from __future__ import annotations

import dataclasses
import logging
from typing import Any

from airflow_provider_matrixone.pitr.inventory import unexpected_table_sentence
from airflow_provider_matrixone.pitr.table_state import TableState
from airflow_provider_matrixone.pitr.verdicts import UNEXPECTED, VerificationReport
from airflow_provider_matrixone.pitr.verify import Reference
from airflow_provider_matrixone.sql_io.operations import PitrOperations
from airflow_provider_matrixone.sql_io.reading import BatchReader

__all__ = ["explain_unexpected"]

log = logging.getLogger(__name__)


def explain_unexpected(ops: PitrOperations, reference: Reference, report: VerificationReport,
                       logger: Any = None) -> VerificationReport:
    """``report`` with each unexpected table's sentence naming its twin at T in another database, if any.

    ``ops`` reads the source at T (the reference's reader). Needs a content reference: without
    digests a match of counts and columns would be a guess.
    """
    logger = logger or log
    unexpected = [r for r in report.results if r.object_type == "table" and r.kind == UNEXPECTED
                  and r.actual_fingerprint]
    if not unexpected or not reference.fingerprint or reference.at_ns is None:
        return report
    if reference.account and ops.account.lower() != reference.account.lower():
        # another account's databases at T would name a table that never was in the source account
        logger.info("not explaining %d unexpected table(s): connection is account %s, the reference is "
                    "account %s's", len(unexpected), ops.account, reference.account)
        return report
    known = {name.split(".", 1)[0].lower() for name in reference.tables}
    if reference.scope is not None and reference.scope.database:
        known.add(reference.scope.database.lower())
    wanted = {r.name.split(".", 1)[1].lower() for r in unexpected}
    try:
        with BatchReader(ops) as reader:
            dbs = [d for d in reader.databases(reference.at_ns) if d.lower() not in known]
            pairs = [p for p in reader.tables(dbs, reference.at_ns) if p[1].lower() in wanted]
            twins = reader.states(pairs, reference.at_ns, True) if pairs else {}
    except Exception as exc:  # noqa: BLE001 - an explanation must never turn a finding into an error
        logger.warning("could not read other databases at T to explain %d unexpected table(s): %s",
                       len(unexpected), exc)
        return report
    candidates = {**reference.tables, **twins}
    ids = {id(r) for r in unexpected}
    results = tuple(
        dataclasses.replace(r, reasons=(unexpected_table_sentence(
            r.name, TableState(rows=r.actual_rows or 0, fingerprint=r.actual_fingerprint), candidates),))
        if id(r) in ids else r
        for r in report.results)
    return dataclasses.replace(report, results=results)
