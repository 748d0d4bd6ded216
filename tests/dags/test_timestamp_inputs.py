"""Same timestamp inputs everywhere (issue 12): the restore DAG's form and `--conf`, its plan task,
the restore operator and `mo-pitr` accept the same forms (the guide's `17:30: 00` normalised with a
note) and refuse the same bad ones with the same sentence: the provider's parser's."""

from __future__ import annotations

from typing import Any

import pytest

from airflow_provider_matrixone.pitr import errors, timestamps
from tests.dags.conftest import PASSWORD

GOOD = ["2024-10-28 17:30: 00", "2024-10-28 17:30:00", "2024-10-28T09:30:00Z", "2024-10-28 17:30:00+08:00",
        "1730136600000000000"]
BAD = ["yesterday noon", "2024-13-28 17:30:00", "2024-10-28T17:30", "2024-10-28", "17:30:00 2024-10-28"]


def _sentence(value: str) -> str:
    with pytest.raises(errors.InvalidInput) as exc:
        timestamps.parse_timestamp(value, zone="UTC")
    return str(exc.value)


@pytest.fixture(scope="module")
def ts_param(dagbag: Any) -> Any:
    return dagbag.dags["matrixone_pitr_restore"].params.get_param("timestamp")


@pytest.mark.parametrize("value", GOOD + BAD)
def test_the_form_and_conf_schema_leave_the_decision_to_the_parser(ts_param: Any, value: str) -> None:
    """No pattern: the schema never answers with a regex dump, and never refuses what mo-pitr takes."""
    from jsonschema import validate  # noqa: PLC0415

    validate(value, ts_param.schema)  # what the API server and `airflow dags trigger` check


@pytest.mark.parametrize("value", GOOD)
def test_plan_accepts_what_the_parser_accepts_with_its_note(value: str) -> None:
    from dags.matrixone_dag_support import restore_request  # noqa: PLC0415

    parsed = timestamps.parse_timestamp(value, zone="UTC")
    request = restore_request.parse({"timestamp": value, "timezone": "UTC"})
    assert request.instant == parsed.instant
    assert request.instant.isoformat() == "2024-10-28T17:30:00+00:00" or value.endswith(("Z", "+08:00", "000"))
    assert request.timestamp_note == parsed.note
    if value == "2024-10-28 17:30: 00":
        assert parsed.note == "normalised timestamp '2024-10-28 17:30: 00' to '2024-10-28 17:30:00' " \
                              "(removed a stray space after ':')"


@pytest.mark.parametrize("value", BAD)
def test_plan_and_operator_refuse_with_the_parsers_sentence(value: str, mo_server: Any, airflow_db: str,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    from airflow.sdk.exceptions import AirflowFailException  # noqa: PLC0415

    from airflow_provider_matrixone.operators.restore import MatrixOnePITRRestoreOperator  # noqa: PLC0415
    from dags.matrixone_dag_support import restore_request  # noqa: PLC0415
    from tests.dags.conftest import conn_json  # noqa: PLC0415

    sentence = _sentence(value)
    assert "does not match" not in sentence and value in sentence
    with pytest.raises(errors.InvalidInput) as plan_error:
        restore_request.parse({"timestamp": value, "timezone": "UTC"})
    assert str(plan_error.value) == sentence

    monkeypatch.setenv("AIRFLOW_CONN_MATRIXONE_DEFAULT", conn_json(mo_server))
    before = len(mo_server.statement_log.mutating())
    op = MatrixOnePITRRestoreOperator(task_id="r", pitr_name="p1", timestamp=value, timezone="UTC",
                                      level="database", database="db1", safety_snapshot=False)
    with pytest.raises(AirflowFailException) as op_error:
        op.execute({})
    assert str(op_error.value).endswith(sentence)
    assert mo_server.statement_log.mutating()[before:] == []


@pytest.mark.parametrize("value", BAD + ["2024-10-28 17:30: 00"])
def test_mo_pitr_uses_the_same_sentence_and_note(value: str, mo_server: Any,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    from airflow_provider_matrixone.cli.main import main  # noqa: PLC0415

    capsys.readouterr()
    code = main(["pitr", "restore", "--pname", "no_such_pitr", "--timestamp", value, "--timezone", "UTC",
                 "--dry-run", "--host", mo_server.host, "--port", str(mo_server.port), "--user", "root",
                 "--password", PASSWORD])
    err = capsys.readouterr().err
    if value in BAD:
        # the same sentence; only the closing example is written as the CLI flag
        assert code != 0 and _sentence(value).split("; use ")[0] in err
    else:
        note = timestamps.parse_timestamp(value, zone="UTC").note
        assert f"note: {note}" in err  # then it goes on and fails on the missing PITR, not the timestamp
        assert "no_such_pitr" in err
