"""The README stands alone: everything it points to is in the repository."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text()
# a path in backticks or in a link: `adapters/api/reports.py`, (tests/chaos/README.md)
MENTIONED_PATH = re.compile(r"[`(]((?:\.\./|/)?[\w.-]+(?:/[\w.-]+)+/?)[`)]")
MAKE_TARGET = re.compile(r"`make ([a-z-]+)")
# media types, time zone names and cron steps that look like paths
NOT_FILES = {
    "application/problem+json",
    "text/html",
    "text/csv",
    "America/New_York",
    "Europe/Paris",
    "a-b/n",
    "a/n",
    "*/n",
}


def test_the_readme_points_to_nothing_outside_the_repository() -> None:
    assert not re.search(r"(?<!\.)\.\./", README)  # "../", but not an ellipsis ".../x"
    assert "shared/" not in README
    assert not re.search(r"(?<![\w.:/])/(?:work|home|root|tmp)/", README)


def test_every_path_the_readme_mentions_exists_in_the_repository() -> None:
    mentioned = {match for match in MENTIONED_PATH.findall(README) if match not in NOT_FILES}
    # URL paths, and what `make run` creates under var/, are not files of the repository
    paths = {path for path in mentioned if not path.startswith(("/", "api/", "problems/", "var/", "VAR_DIR/", "..."))}

    missing = sorted(path for path in paths if not (ROOT / path.split("{")[0]).exists())

    assert len(paths) > 10
    assert missing == []


def test_every_make_target_the_readme_names_exists() -> None:
    makefile = (ROOT / "Makefile").read_text()
    targets = set(re.findall(r"^([a-z-]+):", makefile, flags=re.MULTILINE))

    assert set(MAKE_TARGET.findall(README)) - targets == set()
