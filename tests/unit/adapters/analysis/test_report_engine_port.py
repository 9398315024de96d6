"""The ReportEngine port over the profiling library: a result it made is validated once for
the three documents rendered from it, and renders exactly as its document alone would."""

from __future__ import annotations

from pathlib import Path

import pytest

from adapters.analysis import report_engine
from adapters.analysis.profiling import ProfileResult as ResultModel
from adapters.analysis.report_engine import ProfilingReportEngine
from domain.profile import ProfileResult


def test_a_result_is_validated_once_and_renders_as_its_document_would(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "orders.csv"
    path.write_text("id,amount,label\n1,10.5,a\n2,,b\n3,30,=c\n")
    engine = ProfilingReportEngine()
    validations = []
    validate = ResultModel.model_validate.__func__  # type: ignore[attr-defined]

    def counted(cls, data, **kwargs):  # type: ignore[no-untyped-def]
        validations.append(data)
        return validate(cls, data, **kwargs)

    monkeypatch.setattr(ResultModel, "model_validate", classmethod(counted))
    result = engine.analyze_path(str(path), schema=None)

    def documents(of: ProfileResult) -> list[str]:
        tables = [engine.export_csv(of, table="columns"), engine.export_csv(of, table="violations")]
        return [engine.render_html(of), *tables]

    rendered = documents(result)
    assert len(validations) == 1
    plain = ProfileResult(document=result.document)  # a result the engine did not make
    assert rendered == documents(plain)
    assert len(validations) == 4
    assert isinstance(result, report_engine.ProfileResult) and result.summary == {"rows": 3, "columns": 3}
