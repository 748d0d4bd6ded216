"""Verdicts of a restore verification: ``VERIFIED`` / ``MISMATCH`` / ``UNVERIFIABLE``, per object and overall.

Why one module: the sensor's log and XCom, the trigger, the restore operator's check, ``mo-pitr
--verify`` and the DAG reports must say the same thing, so the comparison and its wording live
here once. A run is green only on ``VERIFIED``; ``UNVERIFIABLE`` (the proof could not be made,
e.g. two reads of T disagreed, MatrixOne #21305) is never averaged into a pass.

``status`` (``pass`` / ``wait`` / ``fail``) is what a poller does next: objects that existed at T
and are missing now mean the restore may still be running (``wait``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .inventory import diff_columns, unexpected_table_sentence
from .inventory_objects import diff_objects

if TYPE_CHECKING:
    from .verify import CurrentState, Reference, TableState

__all__ = ["MISMATCH", "UNVERIFIABLE", "VERIFIED", "ObjectResult", "VerificationReport", "compare"]

VERIFIED = "VERIFIED"
MISMATCH = "MISMATCH"
UNVERIFIABLE = "UNVERIFIABLE"

STATUS_PASS = "pass"
STATUS_WAIT = "wait"
STATUS_FAIL = "fail"

# what kind of difference (for counting and for the wait decision)
OK = "ok"
MISSING = "missing"
COUNT_MISMATCH = "count_mismatch"
FINGERPRINT_MISMATCH = "fingerprint_mismatch"
SCHEMA_MISMATCH = "schema_mismatch"
UNEXPECTED = "unexpected"
UNREADABLE = "unreadable"
#: an index, foreign key, view, sequence, role or grant differs from T (a failure, never a wait)
OBJECT_MISMATCH = "object_mismatch"


@dataclass(frozen=True)
class ObjectResult:
    """One line of the report: a table or a database, its verdict, and why."""

    name: str
    verdict: str
    kind: str = OK
    reasons: tuple[str, ...] = ()
    expected_rows: int | None = None
    actual_rows: int | None = None
    expected_fingerprint: str | None = None
    actual_fingerprint: str | None = None
    object_type: str = "table"

    def to_dict(self) -> dict[str, Any]:
        return {"object": self.object_type, "table": self.name, "verdict": self.verdict, "kind": self.kind,
                "reasons": list(self.reasons), "expected_rows": self.expected_rows,
                "actual_rows": self.actual_rows, "expected_fingerprint": self.expected_fingerprint,
                "actual_fingerprint": self.actual_fingerprint}


#: Backwards-compatible name.
TableResult = ObjectResult


@dataclass(frozen=True)
class VerificationReport:
    """Outcome of :func:`compare`."""

    status: str
    verdict: str
    results: tuple[ObjectResult, ...]
    reference_at_utc: str | None
    account: str | None
    checked_at_utc: str
    statements: int = 0
    content: bool = False
    notes: tuple[str, ...] = field(default_factory=tuple)
    objects: bool = False
    grants: bool = False

    @property
    def unexpected_databases(self) -> tuple[str, ...]:
        return tuple(r.name for r in self.results if r.object_type == "database" and r.kind == UNEXPECTED)

    def counts(self) -> dict[str, int]:
        out = {VERIFIED: 0, MISMATCH: 0, UNVERIFIABLE: 0}
        for r in self.results:
            out[r.verdict] += 1
        return out

    @property
    def problems(self) -> list[ObjectResult]:
        return [r for r in self.results if r.verdict != VERIFIED]

    def summary(self) -> str:
        parts = [f"{v} {k}" for k, v in self.counts().items() if v]
        what = "counts, columns and content" if self.content else "counts and columns only"
        if self.objects:
            what += "; indexes, foreign keys, views, sequences" + (" and grants" if self.grants else "")
        return f"verification {self.verdict}: {len(self.results)} objects ({', '.join(parts) or 'none'}); compared {what}"

    def reasons(self) -> list[str]:
        return [reason for r in self.problems for reason in r.reasons]

    def to_dict(self) -> dict[str, Any]:
        return {"verdict": self.verdict, "status": self.status, "summary": self.summary(), "counts": self.counts(),
                "content": self.content, "objects": self.objects, "reference_at_utc": self.reference_at_utc, "account": self.account,
                "checked_at_utc": self.checked_at_utc, "statements": self.statements,
                "unexpected_databases": list(self.unexpected_databases), "reasons": self.reasons(),
                "tables": [r.to_dict() for r in self.results], "notes": list(self.notes)}

    def render(self, *, only_problems: bool = False) -> str:
        """A fixed-width table for task logs, then one sentence per difference."""
        rows = self.problems if only_problems else list(self.results)
        header = ("object", "rows at T", "rows now", "verdict")
        body = [(r.name if r.object_type == "table" else f"{r.name} ({r.object_type})", _cell(r.expected_rows),
                 _cell(r.actual_rows), r.verdict) for r in rows]
        widths = [max(len(h), *(len(b[i]) for b in body)) if body else len(h) for i, h in enumerate(header)]
        lines = [self.summary()]
        if self.reference_at_utc:
            lines.append(f"reference at {self.reference_at_utc}; account {self.account or '-'}; "
                         f"checked at {self.checked_at_utc}")
        fmt = "  ".join(f"{{:{'>' if i in (1, 2) else '<'}{w}}}" for i, w in enumerate(widths))
        lines.append(fmt.format(*header).rstrip())
        lines.append("  ".join("-" * w for w in widths))
        lines.extend(fmt.format(*b).rstrip() for b in body)
        lines.extend(f"  {r.verdict}: {reason}" for r in rows for reason in r.reasons)
        lines.extend(f"note: {n}" for n in self.notes)
        return "\n".join(lines)


def _cell(value: int | None) -> str:
    return "-" if value is None else str(value)


def _table_result(name: str, exp: TableState, act: TableState | None, content: bool) -> ObjectResult:
    fp = (exp.fingerprint, act.fingerprint if act else None)
    if act is None:
        return ObjectResult(name, MISMATCH, MISSING, (f"table {name} existed at T and is missing now",),
                            exp.rows, None, *fp)
    if exp.unverifiable:
        return ObjectResult(name, UNVERIFIABLE, UNREADABLE, (f"table {name}: {exp.unverifiable}",), exp.rows,
                            act.rows, *fp)
    if act.unverifiable:
        return ObjectResult(name, UNVERIFIABLE, UNREADABLE, (f"table {name}: {act.unverifiable}",), exp.rows,
                            act.rows, *fp)
    reasons: list[str] = []
    kind = OK
    if exp.columns is not None and act.columns is not None:
        reasons.extend(diff_columns(name, exp.columns, act.columns))
        kind = SCHEMA_MISMATCH if reasons else OK
    if exp.rows != act.rows:
        reasons.append(f"table {name} had {exp.rows} rows at T and has {act.rows} now")
        kind = COUNT_MISMATCH if kind == OK else kind
    if content and exp.fingerprint != act.fingerprint and not reasons:
        kind = FINGERPRINT_MISMATCH
        chunks = _differing_chunks(exp, act)
        if chunks:
            reasons.extend(f"table {name}: the {exp.rows} rows have the same count but different values in "
                           f"chunk {c}" for c in chunks)
        else:
            reasons.append(f"table {name} has the same {exp.rows} rows count as at T but different values "
                           f"(fingerprint {exp.fingerprint} at T, {act.fingerprint} now)")
    return ObjectResult(name, MISMATCH if reasons else VERIFIED, kind, tuple(reasons), exp.rows, act.rows, *fp)


def _differing_chunks(exp: TableState, act: TableState) -> list[str]:
    if not exp.chunks or not act.chunks:
        return []
    now = {c["label"]: c["aggregate"] for c in act.chunks}
    return [c["label"] for c in exp.chunks if now.get(c["label"]) != c["aggregate"]]


def _object_results(at_t: dict[str, Any], now: dict[str, Any], tables_now: set[str]) -> list[ObjectResult]:
    """One result per differing object, its sentences together (the order of :func:`diff_objects`)."""
    grouped: dict[tuple[str, str], list[str]] = {}
    for kind, name, sentence in diff_objects(at_t, now, tables_now):
        grouped.setdefault((kind, name), []).append(sentence)
    return [ObjectResult(name, MISMATCH, OBJECT_MISMATCH, tuple(sentences), object_type=kind)
            for (kind, name), sentences in grouped.items()]


def compare(reference: Reference, state: CurrentState) -> VerificationReport:
    """Object by object; see the module docstring for what the verdicts and statuses mean."""
    content = reference.fingerprint
    results = [_table_result(name, reference.tables[name], state.tables.get(name), content)
               for name in sorted(reference.tables)]
    if reference.complete:
        for name in sorted(set(state.tables) - set(reference.tables)):
            results.append(ObjectResult(name, MISMATCH, UNEXPECTED,
                                        (unexpected_table_sentence(name, state.tables[name], reference.tables),),
                                        None, state.tables[name].rows, None, state.tables[name].fingerprint))
    if reference.databases is not None and state.databases is not None:
        now = {d.lower() for d in state.databases}
        at_t = {d.lower() for d in reference.databases}
        for db in reference.databases:
            if db.lower() not in now:
                results.append(ObjectResult(db, MISMATCH, MISSING, (f"database {db} existed at T and is missing now",),
                                            object_type="database"))
        if reference.complete:
            for db in state.databases:
                if db.lower() not in at_t:
                    results.append(ObjectResult(db, MISMATCH, UNEXPECTED,
                                                (f"database {db} did not exist at T and exists now",),
                                                object_type="database"))
    objects = reference.objects is not None and state.objects is not None
    if reference.objects is not None and state.objects is not None:
        results.extend(_object_results(reference.objects, state.objects, set(state.tables)))
    verdicts = {r.verdict for r in results}
    verdict = MISMATCH if MISMATCH in verdicts else UNVERIFIABLE if UNVERIFIABLE in verdicts else VERIFIED
    if any(r.kind == MISSING for r in results):
        status = STATUS_WAIT
    else:
        status = STATUS_PASS if verdict == VERIFIED else STATUS_FAIL
    return VerificationReport(status=status, verdict=verdict, results=tuple(results),
                              reference_at_utc=reference.at_utc, account=state.account,
                              checked_at_utc=state.read_at_utc, statements=state.statements, content=content,
                              notes=reference.notes, objects=objects,
                              grants=objects and "grants" in (reference.objects or {}))
