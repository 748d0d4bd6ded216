"""Every ```python block of docs/ is code the tests run (issue 12, point 6).

Why: a reader copies these examples. A renamed parameter, a wrong import or an operator argument
that Airflow 3 rejects is a bug nobody sees unless the example runs. So:

- every ```python block under ``docs/**/*.md`` must compile (test id: ``page:line``);
- each page's blocks run in order in one namespace per page, operators constructed for real
  (Airflow 3 rejects unknown kwargs; the operators validate their params at construction), hook
  calls against a real matrixone_lite (the session's ``mo_server``) reached through the connection
  ids the examples use (``AIRFLOW_CONN_*``);
- the namespace starts from one documented prelude (:data:`PRELUDE`): the provider's public
  operators, sensors, trigger and hook, ``DAG``/``Param`` and ``pendulum``, so fragments that
  reuse a name from another page still run; nothing is patched per block;
- an API outline (signatures, not an example: ``def f(x) -> str: ...``) carries
  ``<!-- doc-example: outline of <module>[, <module>...] -->``: it is compiled, not run, and every
  function, class, method and annotated attribute it names must exist in those modules with the same
  parameters (names, kinds, which have defaults), so a contract page cannot drift from the code;
- a block that truly cannot run here carries ``<!-- doc-example: not run (<reason>) -->`` on the
  line right above its fence: it is still compiled, and such markers must stay few and give a reason.

A broken example is fixed in the docs, never here.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import TEST_PASSWORD
from tests.support.seed import seed_account

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"

#: What every page's namespace starts with. Keep it to public names a reader imports anyway.
PRELUDE = """\
import pendulum
from airflow.sdk import DAG, Param
from airflow_provider_matrixone.hooks.matrixone import MatrixOneHook
from airflow_provider_matrixone.operators.pitr import (
    MatrixOnePITRAlterOperator, MatrixOnePITRCreateOperator, MatrixOnePITRDropOperator)
from airflow_provider_matrixone.operators.restore import MatrixOnePITRRestoreOperator
from airflow_provider_matrixone.operators.snapshot import (
    MatrixOneSnapshotCreateOperator, MatrixOneSnapshotDropOperator, MatrixOneSnapshotRestoreOperator)
from airflow_provider_matrixone.sensors.restore import MatrixOneRestoreVerificationSensor
from airflow_provider_matrixone.triggers.restore import MatrixOneRestoreVerificationTrigger
"""

#: At most this many blocks may be excused from running; each needs a reason of a few words.
MAX_NOT_RUN = 4
MARKER = re.compile(r"<!--\s*doc-example:\s*(?P<body>.*?)\s*-->")  # a line of its own
NOT_RUN = re.compile(r"not run \((?P<reason>[^()]*(?:\([^()]*\)[^()]*)*)\)")
OUTLINE = re.compile(r"outline of (?P<modules>[\w.]+(?:\s*,\s*[\w.]+)*)")
FENCE_OPEN = re.compile(r"^```python\s*$")

#: Connection ids the examples use -> (login, password). The accounts are seeded once per module.
TENANT_PASSWORD = "doc-pw-1"
CONNECTIONS = {
    "matrixone_default": ("root", TEST_PASSWORD),
    "mo_sys": ("root", TEST_PASSWORD),
    "mo_acc1": ("acc1#admin", TENANT_PASSWORD),
    "mo_acc1_copy": ("acc1_copy#admin", TENANT_PASSWORD),
    "matrixone_acc1": ("acc1#admin", TENANT_PASSWORD),
    "matrixone_acc2": ("acc2#admin", TENANT_PASSWORD),
}


@dataclass(frozen=True)
class Block:
    """One ```python block: where it is, its code, and why it is not run (``None``: it runs)."""

    page: str
    line: int  # line of the opening fence, 1-based
    code: str
    not_run: str | None
    outline_of: tuple[str, ...] = ()

    @property
    def id(self) -> str:
        return f"{self.page}:{self.line}"

    def compiled(self) -> Any:
        """The block compiled with the doc's own line numbers, so a traceback points into the page."""
        return compile("\n" * self.line + self.code, f"docs/{self.page}", "exec", dont_inherit=True)


def blocks_of(path: Path) -> list[Block]:
    """The ```python blocks of one markdown page, in order, with their ``not run`` markers."""
    lines = path.read_text(encoding="utf-8").splitlines()
    page = path.relative_to(DOCS).as_posix()
    out: list[Block] = []
    i = 0
    while i < len(lines):
        if not FENCE_OPEN.match(lines[i]):
            i += 1
            continue
        start = i
        end = start + 1
        while end < len(lines) and lines[end].strip() != "```":
            end += 1
        if end == len(lines):
            raise AssertionError(f"docs/{page}:{start + 1}: ```python block never closed")
        not_run, outline_of = _marker_above(lines, start)
        out.append(Block(page, start + 1, "\n".join(lines[start + 1:end]) + "\n", not_run, outline_of))
        i = end + 1
    return out


def _marker_above(lines: list[str], fence: int) -> tuple[str | None, tuple[str, ...]]:
    """The marker on the non-blank line right above the fence: (``not run`` reason, outlined modules)."""
    j = fence - 1
    while j >= 0 and not lines[j].strip():
        j -= 1
    marker = MARKER.fullmatch(lines[j].strip()) if j >= 0 else None
    if marker is None:
        return None, ()
    body = marker.group("body")
    if not_run := NOT_RUN.fullmatch(body):
        return not_run.group("reason").strip(), ()
    if outline := OUTLINE.fullmatch(body):
        return None, tuple(m.strip() for m in outline.group("modules").split(","))
    raise AssertionError(f"{lines[j]!r}: a doc-example marker reads `not run (<reason>)` or `outline of <module>`")


def all_blocks() -> list[Block]:
    return [b for path in sorted(DOCS.rglob("*.md")) for b in blocks_of(path)]


BLOCKS = all_blocks()
RUNNABLE = [b for b in BLOCKS if b.not_run is None and not b.outline_of]
OUTLINES = [b for b in BLOCKS if b.outline_of]


def test_the_docs_have_examples() -> None:
    """A guard against a silent extractor: the pages the issue lists hold python blocks."""
    pages = {b.page for b in BLOCKS}
    assert {"hook.md", "testing.md", "operators/pitr_restore.md", "lite/index.md"} <= pages
    assert len(BLOCKS) >= 25
    # a Python fence spelt otherwise (```py, ```Python, indented) would escape this test unseen
    for path in sorted(DOCS.rglob("*.md")):
        for n, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if re.match(r"\s*(```|~~~)\s*py", text, re.I):
                assert FENCE_OPEN.match(text), f"{path.relative_to(ROOT)}:{n}: write the fence as ```python"


@pytest.mark.parametrize("block", BLOCKS, ids=lambda b: b.id)
def test_block_compiles(block: Block) -> None:
    try:
        block.compiled()
    except SyntaxError as e:
        pytest.fail(f"docs/{block.page}:{e.lineno}: {e.msg}: {e.text!r}")


def test_not_run_markers_are_few_and_give_a_reason() -> None:
    excused = [b for b in BLOCKS if b.not_run is not None]
    assert len(excused) <= MAX_NOT_RUN, [b.id for b in excused]
    for b in excused:
        assert b.not_run is not None and len(b.not_run.split()) >= 3, f"{b.id}: give a reason"
    # every marker in the docs sits right above a python block (none orphaned by an edit)
    fences = {b.id for b in BLOCKS if b.not_run is not None or b.outline_of}
    for path in sorted(DOCS.rglob("*.md")):
        lines = path.read_text(encoding="utf-8").splitlines()
        page = path.relative_to(DOCS).as_posix()
        for n, text in enumerate(lines, 1):
            if MARKER.fullmatch(text.strip()):
                nxt = next((m for m in range(n + 1, len(lines) + 1) if lines[m - 1].strip()), 0)
                assert f"{page}:{nxt}" in fences, f"docs/{page}:{n}: doc-example marker above no python block"


@pytest.fixture(scope="module")
def doc_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """A matrixone_lite of its own (examples create PITRs and restore; the session's server is shared)
    with the guide's accounts the examples name (acc1, acc2) and an empty target (acc1_copy)."""
    from matrixone_lite import LiteServer

    with LiteServer(data_dir=tmp_path_factory.mktemp("doc-examples"), port=0, version="4.2.0",
                    timezone="Asia/Shanghai", root_password=TEST_PASSWORD, gc_interval=0) as srv:
        for account in ("acc1", "acc2", "acc1_copy"):
            seed_account(srv, account, root_password=TEST_PASSWORD, admin_password=TENANT_PASSWORD)
        yield srv


@pytest.fixture
def doc_connections(doc_server: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """The examples' connection ids, as AIRFLOW_CONN_* JSON, all pointing at ``doc_server``."""
    for conn_id, (login, password) in CONNECTIONS.items():
        monkeypatch.setenv(f"AIRFLOW_CONN_{conn_id.upper()}", json.dumps({
            "conn_type": "matrixone", "host": doc_server.host, "port": doc_server.port,
            "login": login, "password": password, "extra": {"client": "pymysql"}}))
    yield doc_server


@pytest.mark.parametrize("block", RUNNABLE, ids=lambda b: b.id)
def test_block_runs(block: Block, doc_connections: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run the page's runnable blocks up to this one, in order, in one fresh namespace."""
    monkeypatch.chdir(tmp_path)  # an example that writes files writes them here
    namespace: dict[str, Any] = {"__name__": f"doc_example_{block.page}"}
    exec(compile(PRELUDE, "<doc prelude>", "exec"), namespace)
    for earlier in [b for b in RUNNABLE if b.page == block.page and b.line <= block.line]:
        exec(earlier.compiled(), namespace)


def _params(node: ast.FunctionDef) -> list[tuple[str, str, bool]]:
    """(name, kind, has default) of an outline's ``def``, in inspect's kind names."""
    a = node.args
    positional = [*a.posonlyargs, *a.args]
    first_default = len(positional) - len(a.defaults)
    out = [(p.arg, "POSITIONAL_ONLY" if i < len(a.posonlyargs) else "POSITIONAL_OR_KEYWORD", i >= first_default)
           for i, p in enumerate(positional)]
    if a.vararg:
        out.append((a.vararg.arg, "VAR_POSITIONAL", False))
    out += [(p.arg, "KEYWORD_ONLY", d is not None) for p, d in zip(a.kwonlyargs, a.kw_defaults, strict=True)]
    if a.kwarg:
        out.append((a.kwarg.arg, "VAR_KEYWORD", False))
    return out


def _real_params(obj: Any) -> list[tuple[str, str, bool]]:
    sig = inspect.signature(obj)
    return [(p.name, p.kind.name, p.default is not inspect.Parameter.empty) for p in sig.parameters.values()]


def _has_attribute(cls: type, name: str) -> bool:
    """Declared on the class (annotation, class attribute, property) or assigned as ``self.<name>``."""
    for klass in cls.__mro__:
        if name in getattr(klass, "__annotations__", {}) or name in vars(klass):
            return True
        try:
            if re.search(rf"\bself\.{re.escape(name)}\s*(?::[^=\n]*)?=", inspect.getsource(klass)):
                return True
        except (OSError, TypeError):
            continue
    return False


def outline_drift(block: Block) -> list[str]:
    """What an outline block says that its modules do not have (empty: the outline is true)."""
    modules = [importlib.import_module(m) for m in block.outline_of]

    def find(name: str) -> Any:
        return next((getattr(m, name) for m in modules if hasattr(m, name)), None)

    def check_def(real: Any, node: ast.FunctionDef, label: str) -> list[str]:
        if real is None or not callable(real):
            return [f"{label}: no such function in {', '.join(block.outline_of)}"]
        doc, code = _params(node), _real_params(real)
        return [] if doc == code else [f"{label}: outline {doc} != code {code}"]

    problems: list[str] = []
    for node in ast.parse(block.code).body:
        if isinstance(node, ast.FunctionDef):
            problems += check_def(find(node.name), node, node.name)
        elif isinstance(node, ast.ClassDef):
            cls = find(node.name)
            if not isinstance(cls, type):
                problems.append(f"{node.name}: no such class in {', '.join(block.outline_of)}")
                continue
            for member in node.body:
                if isinstance(member, ast.FunctionDef):
                    problems += check_def(getattr(cls, member.name, None), member, f"{node.name}.{member.name}")
                elif isinstance(member, ast.AnnAssign) and isinstance(member.target, ast.Name):
                    if not _has_attribute(cls, member.target.id):
                        problems.append(f"{node.name}.{member.target.id}: no such attribute")
    return problems


@pytest.mark.parametrize("block", OUTLINES, ids=lambda b: b.id)
def test_outline_matches_the_code(block: Block) -> None:
    problems = outline_drift(block)
    assert not problems, f"docs/{block.id} outlines an API the code does not have:\n" + "\n".join(problems)
