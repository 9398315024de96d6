"""`make bench BASELINE=<commit>`: another commit of reportflow as one more side, so a change
is measured before and after in one run, its runs alternating with this checkout's.

The commit is checked out into a git worktree under the run's scratch folder and removed at
the end. Its processes run from there on this checkout's virtualenv: when the two commits'
lock files differ, the results say so.
"""

from __future__ import annotations

import dataclasses
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bench.stacks import REPORTFLOW, Side
from tests.e2e.stack import ROOT


@dataclasses.dataclass(frozen=True)
class Baseline:
    side: Side
    commit: str  # abbreviated
    notes: list[str]


@contextmanager
def baseline(commit: str, scratch: Path) -> Iterator[Baseline]:
    """Raises ValueError for a commit git does not know."""
    found = git("rev-parse", "--verify", "--quiet", f"{commit}^{{commit}}").stdout.strip()
    if not found:
        raise ValueError(f"no commit {commit!r} in this repository")
    short = git("rev-parse", "--short", found).stdout.strip()
    tree = scratch / f"baseline-{short}"
    added = git("worktree", "add", "--detach", str(tree), found)
    if added.returncode:
        raise RuntimeError(f"git worktree add failed: {added.stderr.strip()}")
    notes = []
    if git("diff", "--quiet", found, "HEAD", "--", "uv.lock").returncode:
        notes.append(f"reportflow at {short} has another uv.lock: it ran on this checkout's dependencies")
    try:
        yield Baseline(dataclasses.replace(REPORTFLOW, name=f"reportflow at {short}", root=tree), short, notes)
    finally:
        git("worktree", "remove", "--force", str(tree))


def git(*args: str) -> subprocess.CompletedProcess[str]:
    """Run git in this checkout; never raises for its exit status (callers look at it)."""
    return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=False)
