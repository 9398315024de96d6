"""A file above the fan-out size is profiled as chunk jobs on a real worker and merged once."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from adapters.analysis.report_engine import ProfilingReportEngine
from tests.e2e.stack import running_stack, wait_for_job


def write_csv(path: Path, rows: int) -> None:
    rng = random.Random(7)
    with path.open("w") as out:
        out.write("id,amount,country,day\n")
        for n in range(rows):
            out.write(
                f"{n},{rng.uniform(-50, 500):.3f},{rng.choice(['FR', 'NA', 'DE', ''])},2026-01-{n % 28 + 1:02d}\n"
            )


@pytest.mark.slow
@pytest.mark.postgres
@pytest.mark.redis
def test_a_large_report_fans_out_into_chunk_jobs_and_merges_to_the_single_pass_result(
    tmp_path: Path, fresh_database: str, fresh_redis: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = tmp_path / "big.csv"
    write_csv(source, 40_000)
    monkeypatch.setenv("FAN_OUT_BYTES", str(256 * 1024))
    monkeypatch.setenv("CHUNK_BYTES", str(128 * 1024))
    monkeypatch.setenv("MAX_UPLOAD_BYTES", str(64 * 1024 * 1024))

    with running_stack(tmp_path / "var", database_url=fresh_database, broker_url=fresh_redis) as stack:
        stack.start_worker("worker2")
        with stack.client() as client:
            accepted = client.post("/api/v1/reports/", files={"file": ("big.csv", source.read_bytes(), "text/csv")})
            job = wait_for_job(client, accepted.headers["Location"], {"succeeded", "failed", "dead"}, timeout=120)
            children = client.get("/api/v1/jobs/", params={"parent_id": job["id"], "limit": 500}).json()["results"]
            report = client.get(accepted.json()["links"]["report"]).json()
            merged = client.get(report["links"]["result"]).json()

    single = ProfilingReportEngine().analyze_path(str(source), schema=None).document
    chunks = [c for c in children if c["kind"] == "report.chunk"]
    merges = [c for c in children if c["kind"] == "report.merge"]
    assert job["status"] == "succeeded", stack.log_tail()
    assert job["progress"] == 1.0
    assert len(chunks) == job["children_total"] > 2
    assert len(merges) == 1
    assert {c["status"] for c in children} == {"succeeded"}
    assert {c["links"]["parent"] for c in children} == {job["links"]["self"]}
    assert merged["file"]["chunks"] == len(chunks)
    assert merged["summary"] == single["summary"] == {"rows": 40_000, "columns": 4}
    for got, want in zip(merged["columns"], single["columns"], strict=True):
        assert (got["count"], got["nulls"], got["min"], got["max"]) == (
            want["count"],
            want["nulls"],
            want["min"],
            want["max"],
        )
        if want["mean"] is not None and not isinstance(want["mean"], str):
            assert got["mean"] == pytest.approx(want["mean"], rel=1e-9)
            assert got["std"] == pytest.approx(want["std"], rel=1e-9)
