"""Fan-out and fan-in, as job-ended listeners.

A fanned-out job waits for its children. Each child records the parent attempt it belongs
to, so after a replay the children of an earlier plan neither count nor end the new one.
"""

from __future__ import annotations

from application import actors
from application.jobs.transition import Transition
from domain.errors import PermanentError, TransientError
from domain.job import Job
from domain.job_status import JobStatus


def of_current_plan(child: Job, parent: Job) -> bool:
    """True when the child belongs to the parent's current attempt."""
    return parent.is_fanned_out and child.payload.get("parent_attempt") == parent.attempts


def fan_in(transition: Transition, child: Job) -> None:
    """A child of a fanned-out job ended. The last of its children to succeed starts the
    parent kind's fan-in job (its merge), whose success ends the parent; a child that ended
    any other way ends the parent the same way. The parent's row lock orders children that
    end at the same moment, so the fan-in job is created exactly once."""
    if child.parent_id is None:
        return
    parent = transition.uow.jobs.get(child.parent_id, for_update=True)
    if parent is None or not of_current_plan(child, parent):
        return  # the parent ended or was replayed meanwhile: this child is not part of its plan
    now = transition.now
    fan_in_kind = transition.kinds.kind(parent.kind).fan_in_kind
    if child.status is not JobStatus.SUCCEEDED:
        _end_like(parent, child, transition)
    elif child.kind == fan_in_kind:
        parent.succeed(now=now, actor=transition.actor)
    elif parent.child_succeeded(now=now):
        if fan_in_kind is None:
            parent.succeed(now=now, actor=transition.actor)
        else:
            transition.new_job(fan_in_kind, parent=parent)
    transition.save(parent)


def stop_children(transition: Transition, parent: Job) -> None:
    """A job that ended no longer needs its children: those still waiting are cancelled, and
    those running are asked to stop at their next checkpoint."""
    if parent.children_total == 0:
        return
    for child in transition.uow.jobs.children(parent.id, for_update=True):
        if not child.is_terminal:
            child.request_cancel(now=transition.now, actor=actors.SYSTEM)
            transition.save(child)


def _end_like(parent: Job, child: Job, transition: Transition) -> None:
    reason = f"{child.kind} {child.id} ended {child.status}: {child.error}"
    now = transition.now
    if child.status is JobStatus.DEAD:
        parent.give_up(TransientError(reason), now=now, actor=actors.SYSTEM, detail=child.error_detail)
    elif child.status is JobStatus.FAILED:
        parent.fail(PermanentError(child.error), now=now, actor=actors.SYSTEM, detail=child.error_detail)
    else:
        parent.cancel(now=now, actor=actors.SYSTEM, reason=reason)
