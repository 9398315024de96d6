"""`make audit` fails on a known vulnerability unless a written, dated exception covers it."""

from __future__ import annotations

import subprocess
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from scripts.audit import (
    CLEAN,
    INCOMPLETE,
    VULNERABLE,
    InvalidExceptions,
    export_lock,
    judge,
    load_exceptions,
    pip_audit_command,
)

TODAY = date(2026, 11, 29)
# the shape of pip-audit's JSON report
REPORT: dict[str, Any] = {
    "dependencies": [
        {"name": "Django", "version": "5.2.0", "vulns": [
            {"id": "GHSA-aaaa-bbbb-cccc", "aliases": ["CVE-2026-0001", "PYSEC-2026-1"], "fix_versions": ["5.2.1"]}
        ]},
        {"name": "celery", "version": "5.5.0", "vulns": []},
    ],
    "fixes": [],
}  # fmt: skip
EXCEPTION = """
[[exception]]
id = "{id}"
package = "{package}"
reason = "the admin site that is affected is not installed"
date = 2026-11-20
"""


def test_a_known_vulnerability_without_an_exception_fails_the_audit() -> None:
    verdict = judge(REPORT, [])

    assert verdict.status == VULNERABLE
    assert "VULNERABLE Django 5.2.0: GHSA-aaaa-bbbb-cccc (fixed in 5.2.1)" in verdict.lines


@pytest.mark.parametrize("advisory", ["GHSA-aaaa-bbbb-cccc", "CVE-2026-0001"])
def test_a_written_dated_exception_lets_the_vulnerability_pass_by_id_or_alias(advisory: str) -> None:
    exceptions = load_exceptions(EXCEPTION.format(id=advisory, package="django"), TODAY)

    verdict = judge(REPORT, exceptions)

    assert verdict.status == CLEAN
    assert any(line.startswith("excepted   Django 5.2.0: GHSA-aaaa-bbbb-cccc (2026-11-20:") for line in verdict.lines)


def test_an_exception_for_another_package_does_not_cover_the_vulnerability() -> None:
    exceptions = load_exceptions(EXCEPTION.format(id="GHSA-aaaa-bbbb-cccc", package="celery"), TODAY)

    assert judge(REPORT, exceptions).status == VULNERABLE


@pytest.mark.parametrize(
    ("entry", "complaint"),
    [
        ('id = "GHSA-1"\npackage = "django"\ndate = 2026-11-20', "has no reason"),
        ('id = "GHSA-1"\npackage = "django"\nreason = "  "\ndate = 2026-11-20', "has no reason"),
        ('id = "GHSA-1"\npackage = "django"\nreason = "later"', "needs the date it was written"),
        ('id = "GHSA-1"\npackage = "django"\nreason = "later"\ndate = "soon"', "needs the date it was written"),
        ('id = "GHSA-1"\npackage = "django"\nreason = "later"\ndate = 2027-01-01', "needs the date it was written"),
        ('package = "django"\nreason = "later"\ndate = 2026-11-20', "has no id"),
    ],
)
def test_an_exception_without_a_reason_or_a_past_date_is_refused(entry: str, complaint: str) -> None:
    with pytest.raises(InvalidExceptions, match=complaint):
        load_exceptions(f"[[exception]]\n{entry}\n", TODAY)


def test_a_package_the_service_could_not_audit_makes_the_audit_incomplete_not_clean() -> None:
    reason = "Dependency not found on PyPI and could not be audited: django (5.2.0)"
    report = {"dependencies": [{"name": "django", "skip_reason": reason}]}

    verdict = judge(report, [])

    assert verdict.status == INCOMPLETE
    assert f"NOT AUDITED django: {reason}" in verdict.lines


def test_the_repository_s_exceptions_file_is_valid() -> None:
    load_exceptions((Path(__file__).parents[3] / "audit-exceptions.toml").read_text(), date.today())


def test_the_audit_covers_every_locked_package_pinned_with_hashes_without_installing_anything(tmp_path: Path) -> None:
    requirements = tmp_path / "locked.txt"

    export_lock(requirements)
    command = pip_audit_command(requirements, tmp_path / "report.json")

    text = requirements.read_text()
    assert "\ndjango==" in text and "\npytest==" in text and "--hash=sha256:" in text
    assert "--disable-pip" in command and str(requirements) in command
    assert subprocess.run([*command[:3], "--version"], capture_output=True).returncode == 0
