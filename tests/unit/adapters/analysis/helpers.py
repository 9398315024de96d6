"""Small helpers shared by the report engine's tests."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Write = Callable[[str, bytes | str], str]


def column(result: dict[str, Any], name: str) -> dict[str, Any]:
    """The profile of one column of a result."""
    return next(c for c in result["columns"] if c["name"] == name)
