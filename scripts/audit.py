"""`make audit`: known vulnerabilities in the locked dependencies, with pip-audit.

Every package uv.lock pins (runtime and development) is exported with its hashes and
audited as pinned, without installing anything. A vulnerability passes only with a written,
dated exception in audit-exceptions.toml:

    [[exception]]
    id = "GHSA-xxxx-xxxx-xxxx"      # or its PYSEC/CVE alias
    package = "somepackage"
    reason = "why it does not apply here, or what we wait for"
    date = 2026-11-29               # when the exception was written

Exit status: 0 no known vulnerability without an exception; 1 at least one; 2 the exceptions
file is invalid; 3 the audit could not be completed (no vulnerability service answered for
every package), so nothing is known either way. AUDIT_SERVICE picks pip-audit's service
(`pypi`, the default, or `osv`); UV is how to run uv (default `python3 -m uv`).
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
import tempfile
import tomllib
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
EXCEPTIONS = ROOT / "audit-exceptions.toml"
CLEAN, VULNERABLE, INVALID_EXCEPTIONS, INCOMPLETE = 0, 1, 2, 3


class InvalidExceptions(ValueError):
    """audit-exceptions.toml has an entry without an id, a package, a reason or a valid date."""


@dataclass(frozen=True, slots=True, kw_only=True)
class AuditException:
    id: str
    package: str
    reason: str
    date: date


@dataclass(frozen=True, slots=True, kw_only=True)
class Verdict:
    status: int
    lines: list[str]


def load_exceptions(text: str, today: date) -> list[AuditException]:
    """The exceptions of an audit-exceptions.toml; each needs id, package, reason and a past date."""
    try:
        entries = tomllib.loads(text).get("exception", [])
    except tomllib.TOMLDecodeError as exc:
        raise InvalidExceptions(f"not TOML: {exc}") from exc
    exceptions = []
    for number, entry in enumerate(entries, start=1):
        missing = [key for key in ("id", "package", "reason") if not str(entry.get(key, "")).strip()]
        if missing:
            raise InvalidExceptions(f"exception {number} has no {', '.join(missing)}")
        written = entry.get("date")
        if not isinstance(written, date) or written > today:
            raise InvalidExceptions(f"exception {number} ({entry['id']}) needs the date it was written: 2026-11-29")
        exceptions.append(
            AuditException(id=entry["id"], package=_canonical(entry["package"]), reason=entry["reason"], date=written)
        )
    return exceptions


def judge(report: dict[str, Any], exceptions: list[AuditException]) -> Verdict:
    """Decide from pip-audit's JSON report: what is vulnerable, what is excepted, what was not audited."""
    lines, unexcepted, skipped, used = [], 0, [], set()
    for dependency in report.get("dependencies", []):
        name, version = dependency["name"], dependency.get("version", "")
        if "skip_reason" in dependency:  # pip-audit names the version in the reason
            skipped.append(f"{name}: {dependency['skip_reason']}")
            continue
        for vulnerability in dependency.get("vulns", []):
            ids = {vulnerability["id"], *vulnerability.get("aliases", [])}
            excepted = next((e for e in exceptions if e.id in ids and e.package == _canonical(name)), None)
            fixed_in = ", ".join(vulnerability.get("fix_versions", [])) or "no fixed version"
            if excepted is None:
                unexcepted += 1
                lines.append(f"VULNERABLE {name} {version}: {vulnerability['id']} (fixed in {fixed_in})")
            else:
                used.add(excepted)
                lines.append(f"excepted   {name} {version}: {vulnerability['id']} ({excepted.date}: {excepted.reason})")
    if unexcepted:
        lines.append(f"{unexcepted} known vulnerabilities without an exception: upgrade, or write a dated exception")
        return Verdict(status=VULNERABLE, lines=lines)
    if skipped:
        lines += [f"NOT AUDITED {line}" for line in skipped]
        lines.append(f"{len(skipped)} packages could not be audited: the vulnerability service did not answer for them")
        return Verdict(status=INCOMPLETE, lines=lines)
    stale = [e for e in exceptions if e not in used]
    lines += [f"exception {e.id} ({e.package}) matches nothing any more: remove it" for e in stale]
    lines.append(f"{len(report.get('dependencies', []))} locked packages audited: no known vulnerability unexcepted")
    return Verdict(status=CLEAN, lines=lines)


def main() -> int:
    try:
        exceptions = load_exceptions(EXCEPTIONS.read_text() if EXCEPTIONS.exists() else "", date.today())
    except InvalidExceptions as exc:
        print(f"audit: {EXCEPTIONS.name}: {exc}", file=sys.stderr)
        return INVALID_EXCEPTIONS
    with tempfile.TemporaryDirectory(prefix="reportflow-audit-") as folder:
        requirements, report_path = Path(folder) / "locked.txt", Path(folder) / "report.json"
        export_lock(requirements)
        audited = subprocess.run(pip_audit_command(requirements, report_path), capture_output=True, text=True)
        if not report_path.exists():
            print(f"audit: pip-audit could not run:\n{audited.stderr.strip()[-2000:]}", file=sys.stderr)
            return INCOMPLETE
        verdict = judge(json.loads(report_path.read_text()), exceptions)
    print("\n".join(verdict.lines))
    return verdict.status


def export_lock(destination: Path) -> None:
    """Every package uv.lock pins, runtime and development, with hashes, as a requirements file."""
    uv = shlex.split(os.environ.get("UV", "python3 -m uv"))
    command = ["export", "--frozen", "--all-groups", "--no-emit-project", "--format", "requirements.txt"]
    subprocess.run([*uv, *command, "--quiet", "-o", str(destination)], cwd=ROOT, check=True)


def pip_audit_command(requirements: Path, report: Path) -> list[str]:
    return [
        *(sys.executable, "-m", "pip_audit"),
        *("--requirement", str(requirements), "--disable-pip", "--progress-spinner", "off"),
        *("--vulnerability-service", os.environ.get("AUDIT_SERVICE", "pypi")),
        *("--format", "json", "--output", str(report)),
    ]


def _canonical(name: str) -> str:
    return name.lower().replace("_", "-").replace(".", "-")


if __name__ == "__main__":
    sys.exit(main())
