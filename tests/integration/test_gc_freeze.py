"""Long-running processes take what start-up made out of the garbage collector's full passes:
each gunicorn worker once it has loaded the WSGI application, each Celery pool process once it
has warmed up the report engine. Checked in fresh interpreters, as those processes start."""

from __future__ import annotations

from pathlib import Path

import pytest

from config.gc_freeze import YOUNG_THRESHOLD
from tests.integration.fresh_process import run_fresh

FROZEN = "import gc; print(gc.get_threshold()[0], gc.get_freeze_count(), len(gc.get_objects()))"


def frozen_after(code: str, tmp_path: Path) -> tuple[int, int, int]:
    threshold, frozen, tracked = run_fresh(f"{code}\n{FROZEN}", tmp_path).split()[-3:]
    return int(threshold), int(frozen), int(tracked)


@pytest.mark.parametrize(
    "start_up",
    [
        pytest.param("import config.wsgi", id="gunicorn worker"),
        pytest.param(
            "import django; django.setup()\nfrom adapters.celery import tasks\ntasks._warm_up()", id="pool process"
        ),
    ],
)
def test_what_start_up_made_is_frozen_out_of_the_collector_s_passes(start_up: str, tmp_path: Path) -> None:
    threshold, frozen, tracked = frozen_after(start_up, tmp_path)

    assert frozen > 50_000, "Django and its apps alone make more than this"
    assert tracked < frozen / 10, "a full pass scans only what was made since"
    assert threshold == YOUNG_THRESHOLD, "young garbage waits for the end of each request or task"


def test_a_gunicorn_worker_loads_the_report_engine_before_its_first_request(tmp_path: Path) -> None:
    loaded = run_fresh("import sys\nimport config.wsgi\nprint('polars' in sys.modules)", tmp_path).split()[-1]

    assert loaded == "True", "else the first upload a worker takes waits for the import"
