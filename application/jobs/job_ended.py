"""The one "job ended" hook: what follows every terminal transition, in order, inside its
transaction. Transition.save calls it; later capabilities (notifications, metrics) add
their listener here."""

from __future__ import annotations

from application.jobs.fan_in import fan_in, stop_children
from application.jobs.transition import JobEndedListener

ENGINE_LISTENERS: tuple[JobEndedListener, ...] = (
    stop_children,  # a job that ended no longer needs its children
    fan_in,  # a child that ended moves its parent on
)
