"""Keep the garbage collector's full passes short in long-running processes.

A full (oldest-generation) collection scans every container object the process tracks: with
Django, DRF, Celery and the report engine loaded that was about 148,000 objects and 57 ms in
a web process (bench/results/round-a48f2d8-fa0876e.md), paid by whichever request or attempt
happens to trigger it: the tail of every latency. What start-up builds (modules, classes, settings, URL patterns) lives
as long as the process; `gc.freeze()` moves it out of the collector's sight, so a full pass
scans only what was made since. Nothing frozen is ever freed, which is what start-up objects
are anyway, and pages shared with a parent after fork stay shared (no reference-count writes
from the collector touching them).

The young collections are moved off the latency too: each ran when 700 more container objects
lived than before, in the middle of whichever request or attempt crossed the mark, and with
the caches cold of an idle process a collection cost 0.3-0.7 ms (bench.attempt_steps, jobs one
by one: 0.45 of them a job). With a threshold no short request or attempt reaches, the young
generations are collected once each is done, after its answer is sent or its end committed;
a long one still collects as it goes.
"""

from __future__ import annotations

import gc


def freeze_start_up_objects() -> None:
    """Call once a process has loaded what it keeps for its whole life, before serving."""
    gc.collect()  # what start-up already dropped is freed, not frozen
    gc.freeze()


# above what a request or a small report's attempt leaves alive, far below what would cost memory
YOUNG_THRESHOLD = 20_000


_collecting_after_work = False  # whether this process chose to (a serving one; not a test's)


def collect_after_each_piece_of_work() -> None:
    """Call once a process serves: young collections wait for `collect_young`, unless a piece of
    work makes YOUNG_THRESHOLD objects."""
    global _collecting_after_work
    gc.set_threshold(YOUNG_THRESHOLD, *gc.get_threshold()[1:])
    _collecting_after_work = True


def collect_young() -> None:
    """Call after each request or task, once its caller has its answer: one step of the
    collector's own schedule, each call as one of its young passes (the generation collected
    is the oldest whose count is due; start-up's objects are frozen, out of its way). Nothing
    in a process that did not call `collect_after_each_piece_of_work`, whose collector keeps
    its own schedule (a test run's, which applies tasks in its own process)."""
    if not _collecting_after_work:
        return
    _, young_passes, middle_passes = gc.get_count()
    _, young_due, middle_due = gc.get_threshold()
    gc.collect(2 if middle_passes >= middle_due else 1 if young_passes >= young_due else 0)
