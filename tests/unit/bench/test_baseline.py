"""`make bench BASELINE=<commit>`: another commit runs as one more side, from a worktree that
is gone afterwards, on every part reportflow runs in, its processes started from there."""

from __future__ import annotations

import dataclasses
import subprocess
from contextlib import ExitStack
from pathlib import Path

import pytest
import redis

from bench.__main__ import with_baseline
from bench.baseline import baseline
from bench.parts import PARTS, Part
from bench.report_engine import measure
from bench.stacks import BARE, NAIVE, REPORTFLOW, Bench
from tests.e2e.stack import ROOT


def git(*args: str) -> str:
    return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=True).stdout


def test_the_baseline_runs_from_a_worktree_of_its_commit_that_is_removed_afterwards(tmp_path: Path) -> None:
    commit = git("rev-parse", "--short", "HEAD").strip()

    with baseline("HEAD", tmp_path) as base:
        tree = base.side.root
        readme = (tree / "README.md").read_text()
        listed = git("worktree", "list")
        environment = Bench(ExitStack(), redis.Redis(db=15), tmp_path).environment(base.side)

    assert (base.commit, base.side.name) == (commit, f"reportflow at {commit}")
    assert base.side.settings == REPORTFLOW.settings and base.side.root != ROOT
    assert readme == git("show", "HEAD:README.md")
    assert str(tree) in listed
    assert environment["PYTHONPATH"] == str(tree)
    assert not tree.exists() and str(tree) not in git("worktree", "list")


def test_a_commit_git_does_not_know_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="no commit"), baseline("no-such-commit-anywhere", tmp_path):
        pass


def test_the_baseline_follows_reportflow_in_every_part_reportflow_runs_in() -> None:
    other = dataclasses.replace(REPORTFLOW, name="reportflow at abc1234", root=Path("/x"))
    alone = Part("bare only", "jobs", (BARE,), PARTS["drain"].measure, {"jobs/s": True})

    assert with_baseline(PARTS["drain"], other).sides == (REPORTFLOW, other, NAIVE, BARE)
    assert with_baseline(PARTS["submit"], other).sides == (REPORTFLOW, other, NAIVE)
    assert with_baseline(alone, other) is alone
    assert with_baseline(PARTS["drain"], None) is PARTS["drain"]


def test_the_profile_part_profiles_the_file_with_the_baseline_too(tmp_path: Path) -> None:
    _, ours, theirs, before = measure(rows=2_000, repetitions=1, directory=tmp_path, baseline=ROOT)

    assert [run.rows for run in (*ours, *theirs, *before)] == [2_000] * 3
    assert before[0].columns.keys() == ours[0].columns.keys()
