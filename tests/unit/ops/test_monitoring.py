"""The Grafana dashboard and the Prometheus alert rules that ship in ops/ name only metrics
reportflow exports, and promtool accepts the rules and passes their unit tests."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from prometheus_client import Counter, Histogram
from prometheus_client.metrics import MetricWrapperBase

from adapters.metrics.collectors import EngineGaugesCollector, QueueDepthCollector
from adapters.metrics.definitions import COUNTED
from application.jobs.statistics import EngineGauges

ROOT = Path(__file__).resolve().parents[3]
PROMETHEUS = ROOT / "ops" / "prometheus"
DASHBOARD = ROOT / "ops" / "grafana" / "reportflow.json"
PROMETHEUS_OWN = {"up"}  # what Prometheus itself records for every scrape target
IN_CI = os.environ.get("CI", "").lower() == "true"


def exported_names() -> set[str]:
    """Every sample name reportflow's processes expose."""
    names: set[str] = set()
    for metric in COUNTED:
        names |= _sample_names(metric)
    for collector in (
        EngineGaugesCollector(lambda: EngineGauges(jobs=[], outbox_backlog=0, outbox_oldest_seconds=0)),
        QueueDepthCollector(lambda: {}),
    ):
        names |= {family.name for family in collector.describe()}
    return names


def _sample_names(metric: MetricWrapperBase) -> set[str]:
    (family,) = metric.describe()
    if isinstance(metric, Counter):
        return {f"{family.name}_total", f"{family.name}_created"}
    if isinstance(metric, Histogram):
        return {f"{family.name}_{suffix}" for suffix in ("bucket", "count", "sum", "created")}
    return {family.name}


def dashboard_expressions() -> list[str]:
    dashboard = json.loads(DASHBOARD.read_text())
    return [target["expr"] for panel in dashboard["panels"] for target in panel.get("targets", [])]


def rules() -> list[dict[str, Any]]:
    return [
        rule for group in yaml.safe_load((PROMETHEUS / "alerts.yml").read_text())["groups"] for rule in group["rules"]
    ]


def metric_names_in(expression: str) -> set[str]:
    without_labels = re.sub(r"\{[^}]*\}", "{}", expression)
    return set(re.findall(r"\breportflow_[a-z0-9_]+\b", without_labels)) | {
        name for name in re.findall(r"\b([a-zA-Z_:][a-zA-Z0-9_:]*)\{", without_labels)
    }


def test_the_dashboard_names_only_metrics_reportflow_exports() -> None:
    expressions = dashboard_expressions()
    named = set().union(*(metric_names_in(e) for e in expressions))

    assert len(expressions) >= 20
    assert named - exported_names() - PROMETHEUS_OWN == set()
    assert {"reportflow_jobs_submitted_total", "reportflow_job_run_seconds_bucket", "reportflow_queue_depth"} <= named


def test_every_dashboard_panel_queries_the_chosen_prometheus() -> None:
    dashboard = json.loads(DASHBOARD.read_text())
    panels = [p for p in dashboard["panels"] if p["type"] != "row"]

    assert dashboard["uid"] == "reportflow"
    assert [v["name"] for v in dashboard["templating"]["list"]] == ["datasource"]
    assert all(p["datasource"]["uid"] == "${datasource}" and p["targets"] for p in panels)
    assert len({p["id"] for p in dashboard["panels"]}) == len(dashboard["panels"])


def test_the_alert_rules_name_only_metrics_reportflow_exports() -> None:
    named = set().union(*(metric_names_in(rule["expr"]) for rule in rules()))

    assert named - exported_names() - PROMETHEUS_OWN == set()


def test_the_rules_cover_stuck_jobs_dead_letters_the_outbox_and_worker_heartbeats_each_with_a_unit_test() -> None:
    names = {rule["alert"] for rule in rules()}
    tested = set(re.findall(r"alertname: (\w+)", (PROMETHEUS / "alerts.test.yml").read_text()))

    assert {
        "ReportflowJobsRunningPastTheirLease",
        "ReportflowJobsWaitingLong",
        "ReportflowDeadLettersGrowing",
        "ReportflowOutboxBacklog",
        "ReportflowOutboxStale",
        "ReportflowNoWorkerHeartbeat",
        "ReportflowWorkerHeartbeatStale",
    } <= names
    assert names - tested == set(), "every alert has a promtool unit test"


@pytest.fixture
def promtool() -> str:
    found = shutil.which("promtool")
    if found is None:
        reason = "promtool is not installed (`bash .ci/install-promtool` installs it from Debian's prometheus package)"
        if IN_CI:
            pytest.fail(f"CI=true and {reason}", pytrace=False)
        pytest.skip(f"!!! SKIPPED: {reason}; the alert rules were NOT checked")
    return found


@pytest.mark.parametrize(
    "command",
    [["check", "rules", "alerts.yml"], ["test", "rules", "alerts.test.yml"], ["check", "config", "prometheus.yml"]],
    ids=["check-rules", "rule-unit-tests", "check-config"],
)
def test_promtool_accepts_the_shipped_prometheus_files(promtool: str, command: list[str]) -> None:
    done = subprocess.run([promtool, *command], cwd=PROMETHEUS, capture_output=True, text=True, timeout=120)

    assert done.returncode == 0, done.stdout + done.stderr
