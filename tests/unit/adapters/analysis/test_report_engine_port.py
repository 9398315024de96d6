"""The ReportEngine port over the profiling library: a result it made carries its model, never
validated again for the three documents rendered from it, and renders exactly as its document
alone would."""

from __future__ import annotations

from pathlib import Path

import pytest

from adapters.analysis import report_engine
from adapters.analysis.profiling import ProfileResult as ResultModel
from adapters.analysis.report_engine import ProfilingReportEngine
from domain.profile import DeclaredSchema, ProfileResult

FILES = {
    "small": ("id,amount,label\n1,10.5,a\n2,,b\n3,30,=c\n", None),
    "every type, a schema broken": (
        "id,amount,day,at,flag,name\n"
        "1,10.5,2024-01-02,2024-01-02T09:30:00,true,alpha\n"
        "2,,2024-01-03,2024-01-03 10:00,false,<b>beta</b>\n"
        "3,-7.25,2024-01-04,2024-01-04T11:00:00+02:00,true,\n"
        '4,1e3,2024-02-29,2024-01-05T00:00:00,false,"a,b"\n',
        {"columns": [{"name": "amount", "type": "float", "min": 0}, {"name": "name", "required": True}]},
    ),
    "many rows": ("n,x\n" + "".join(f"{i},{i * 0.37:.3f}\n" for i in range(5000)), None),
}


@pytest.mark.parametrize("name", FILES)
def test_a_result_is_never_validated_again_and_renders_as_its_document_would(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    content, schema = FILES[name]
    path = tmp_path / "orders.csv"
    path.write_text(content)
    engine = ProfilingReportEngine()
    validations = []
    validate = ResultModel.model_validate.__func__  # type: ignore[attr-defined]

    def counted(cls, data, **kwargs):  # type: ignore[no-untyped-def]
        validations.append(data)
        return validate(cls, data, **kwargs)

    monkeypatch.setattr(ResultModel, "model_validate", classmethod(counted))
    declared = None if schema is None else DeclaredSchema(definition=schema)
    result = engine.analyze_path(str(path), schema=declared)

    def documents(of: ProfileResult) -> list[str]:
        tables = [engine.export_csv(of, table="columns"), engine.export_csv(of, table="violations")]
        return [engine.render_html(of), *tables]

    rendered = documents(result)
    assert validations == [], "the engine hands its model over with the document"
    plain = ProfileResult(document=result.document)  # a result the engine did not make
    assert rendered == documents(plain), "the model renders exactly as its document validated"
    assert len(validations) == 3
    assert ResultModel.model_validate(result.document).model_dump(mode="json") == result.document
    assert isinstance(result, report_engine.ProfileResult) and result.summary["rows"] == content.count("\n") - 1
