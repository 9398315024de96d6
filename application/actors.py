"""How the audit trail names who did something."""

from __future__ import annotations

SYSTEM = "system"


def user(owner_id: int) -> str:
    return f"user:{owner_id}"


def worker(host: str) -> str:
    return f"worker:{host}"
