"""Checkpoints: how a caller follows progress and stops the work (same shape as the domain's port)."""

from __future__ import annotations

from collections.abc import Callable

# Called after every block with the share of the chunk done (None when unknown); what it
# raises (the domain's AttemptAborted) stops the work and propagates to the caller.
Checkpoint = Callable[[float | None], None]


def no_checkpoint(progress: float | None = None) -> None:
    return None
