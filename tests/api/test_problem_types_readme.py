"""The README's list of problem types is the list of the types the code can answer."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from adapters.api.problems import problem_types

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text()


def readme_table() -> dict[str, str]:
    """Problem type -> status, from the README's "Problem types" table."""
    section = README.split("\n### Problem types\n", 1)[1].split("\n#", 1)[0]
    rows = re.findall(r"^\| `/problems/([a-z-]+)` \| (\d{3}|varies) \|", section, re.MULTILINE)
    return dict(rows)


def built_with_problem() -> dict[str, set[str]]:
    """Every type given literally to problem(...) anywhere in the code -> where."""
    found: dict[str, set[str]] = {}
    for path in [*ROOT.glob("adapters/**/*.py"), *ROOT.glob("config/**/*.py")]:
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if not isinstance(node, ast.Call):
                continue
            name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
            if name == "problem" and len(node.args) > 1 and isinstance(node.args[1], ast.Constant):
                found.setdefault(str(node.args[1].value), set()).add(str(path.relative_to(ROOT)))
    return found


def test_the_readme_lists_every_problem_type_the_code_answers_with_its_status() -> None:
    expected = {slug: "varies" if status is None else str(status) for slug, (status, _) in problem_types().items()}

    assert readme_table() == expected


def test_every_problem_built_anywhere_in_the_code_is_a_known_type() -> None:
    built = built_with_problem()

    assert {"not-ready", "internal-error", "not-found"} <= set(built), "the scan finds the calls"
    assert {slug: where for slug, where in built.items() if slug not in problem_types()} == {}


def test_every_problem_type_the_readme_mentions_exists() -> None:
    mentioned = set(re.findall(r"/problems/([a-z-]+)", README))

    assert mentioned - set(problem_types()) == set()
