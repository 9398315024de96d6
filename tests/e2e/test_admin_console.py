"""The operator console in a real browser (Debian's chromium, driven by Playwright) against the
real stack: an operator signs in, finds a dead job, replays its cause from the dead letters,
and sees the replay in the job's audit trail.

SCREENSHOT_DIR=docs/images regenerates the README's screenshots.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import IN_CI
from tests.e2e.stack import ROOT, Stack, running_stack, wait_for_job

pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.redis]

CSV = b"region,amount\nnorth,10\nsouth,7\n"
PASSWORD = "a-long-console-password-for-e2e"
# dies fast: one attempt, a fault while the flag file exists
ENGINE = {"REPORT_ENGINE": "tests.chaos.faults:FlakyAnalyzer", "REPORT_MAX_ATTEMPTS": "1"}


@pytest.fixture
def chromium() -> str:
    path = shutil.which("chromium")
    if path is None:
        message = "chromium is not installed (apt-get install -y chromium; .ci/run installs it)"
        if IN_CI:
            pytest.fail(f"CI=true and {message}", pytrace=False)
        pytest.skip(f"!!! SKIPPED: {message}")
    return path


@pytest.fixture
def screenshots(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("SCREENSHOT_DIR") or tmp_path / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def stack(tmp_path: Path, fresh_database: str, fresh_redis: str) -> Iterator[tuple[Stack, Path]]:
    flag = tmp_path / "fault.flag"
    flag.touch()
    env = {**ENGINE, "CHAOS_FAULT_FLAG": str(flag)}
    with running_stack(tmp_path / "var", database_url=fresh_database, broker_url=fresh_redis, extra_env=env) as s:
        yield s, flag


def make_operator(stack: Stack, name: str) -> None:
    done = subprocess.run(
        [sys.executable, "manage.py", "create_operator", name],
        cwd=ROOT,
        env={**stack.env, "PASSWORD": PASSWORD},
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )
    assert done.returncode == 0, done.stderr
    assert f"{stack.env.get('PUBLIC_BASE_URL', 'http://127.0.0.1:8000')}/admin/" in done.stdout


def test_an_operator_finds_a_dead_job_replays_its_cause_and_sees_it_in_the_audit_trail(
    stack: tuple[Stack, Path], chromium: str, screenshots: Path
) -> None:
    from playwright.sync_api import expect, sync_playwright

    running, flag = stack
    with running.client() as client:
        accepted = client.post("/api/v1/reports/", files={"file": ("sales.csv", CSV, "text/csv")})
        assert accepted.status_code == 202, accepted.text
        job_id = accepted.json()["id"]
        wait_for_job(client, accepted.headers["Location"], {"dead"})
    make_operator(running, "ops")
    flag.unlink()  # the cause is fixed: a replay succeeds
    admin_css = httpx.get(f"{running.base_url}/static/admin/css/base.css", timeout=10)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        page.set_default_timeout(15_000)
        try:
            page.goto(f"{running.base_url}/admin/")
            expect(page).to_have_url(re.compile(r"/admin/login/"))
            page.fill("#id_username", "ops")
            page.fill("#id_password", PASSWORD)
            page.click("input[type=submit]")
            expect(page.locator("#site-name")).to_contain_text("reportflow operator console")

            page.click("text=Job records")
            page.click("#changelist-filter >> text=dead")
            expect(page.locator("#result_list")).to_contain_text(job_id)
            page.screenshot(path=str(screenshots / "admin-jobs.png"))

            page.goto(f"{running.base_url}/admin/")
            page.click("text=Dead letters by cause")
            group = page.locator("tr.dead-letter-group")
            expect(group).to_have_count(1)
            expect(group).to_contain_text("TransientError")
            expect(group).to_contain_text("injected fault: <path> exists")
            expect(group.locator("td.count")).to_have_text("1")
            page.screenshot(path=str(screenshots / "admin-dead-letters.png"))
            group.locator("text=Review replay").click()
            expect(page.locator("#replay-review")).to_contain_text("dry run")
            expect(page.locator("tr.replayable")).to_contain_text(job_id)
            page.click("input[value^='Replay 1 job']")
            expect(page.locator(".messagelist")).to_contain_text("Replayed 1 job(s)")

            with running.client() as client:
                job = wait_for_job(client, f"/api/v1/jobs/{job_id}/", {"succeeded", "failed", "dead"})
            page.goto(f"{running.base_url}/admin/reportflow/jobrecord/{job_id}/change/")
            trail = page.locator("#events-group")
            expect(trail).to_contain_text("user:")
            expect(trail).to_contain_text("succeeded")
            rows = trail.locator("tbody tr").all_inner_texts()
        finally:
            browser.close()

    assert admin_css.status_code == 200 and "text/css" in admin_css.headers["Content-Type"]
    assert job["status"] == "succeeded", running.log_tail()
    found = [re.findall(r"\b(queued|running|dead|succeeded)\b", row)[:2] for row in rows]
    transitions = [pair for pair in found if pair]
    assert transitions[-3:] == [["dead", "queued"], ["queued", "running"], ["running", "succeeded"]], rows
    assert (screenshots / "admin-jobs.png").stat().st_size > 0
