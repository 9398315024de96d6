"""Keep the garbage collector's full passes short in long-running processes.

A full (oldest-generation) collection scans every container object the process tracks: with
Django, DRF, Celery and the report engine loaded that was about 148,000 objects and 57 ms in
a web process (bench/results/round-a48f2d8-fa0876e.md), paid by whichever request or attempt
happens to trigger it: the tail of every latency. What start-up builds (modules, classes, settings, URL patterns) lives
as long as the process; `gc.freeze()` moves it out of the collector's sight, so a full pass
scans only what was made since. Nothing frozen is ever freed, which is what start-up objects
are anyway, and pages shared with a parent after fork stay shared (no reference-count writes
from the collector touching them).
"""

from __future__ import annotations

import gc


def freeze_start_up_objects() -> None:
    """Call once a process has loaded what it keeps for its whole life, before serving."""
    gc.collect()  # what start-up already dropped is freed, not frozen
    gc.freeze()
