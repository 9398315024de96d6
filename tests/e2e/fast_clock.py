"""The schedules' clock for the scheduler's e2e tests, chosen through SCHEDULE_CLOCK: time runs
SCHEDULE_CLOCK_SPEED times faster than real time from the Unix time SCHEDULE_CLOCK_EPOCH, so
every-minute cron ticks come seconds apart. Every process of a stack computes the same time."""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime


class FastClock:
    def __init__(self) -> None:
        self._epoch = float(os.environ["SCHEDULE_CLOCK_EPOCH"])
        self._speed = float(os.environ["SCHEDULE_CLOCK_SPEED"])

    def now(self) -> datetime:
        return datetime.fromtimestamp(self._epoch + (time.time() - self._epoch) * self._speed, UTC)
