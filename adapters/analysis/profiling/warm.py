"""Pay the engine's start-up costs once per process, before the first report arrives."""

from __future__ import annotations

import importlib
import os
import tempfile

from .engine import ProfilingEngine

_SAMPLE = (
    "id,amount,day,at,flag,name\n"
    "1,10.5,2024-01-02,2024-01-02T09:30:00,true,alpha\n"
    "2,,2024-01-03,2024-01-03 10:00,false,beta\n"
    "3,7.25,2024-01-04,2024-01-04T11:00:00+02:00,true,\n"
)


def warm_up() -> None:
    """Import every module of the engine and profile (and render) a tiny file once, so the first
    real job pays no import, regex-compilation or first-call cost. Safe to call more than once."""
    engine = ProfilingEngine()
    with tempfile.TemporaryDirectory(prefix="reportflow-warm-") as directory:
        path = os.path.join(directory, "warm.csv")
        with open(path, "w", encoding="utf-8") as sample:
            sample.write(_SAMPLE)
        result = engine.analyze_path(path, schema={"columns": [{"name": "amount", "type": "float", "min": 0}]})
    engine.render_html(result)
    engine.export_csv(result, table="columns")
    # Readers that load pyarrow are imported with their first file (see source/read.py).
    for module in ("parquet_reader", "xlsx_reader"):
        importlib.import_module(f"{__package__}.source.{module}")
