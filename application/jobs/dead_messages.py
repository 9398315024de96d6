"""Keep a task message that can never run, instead of retrying it forever."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

from domain.ports import Clock, UnitOfWork


class RecordDeadMessage(BaseModel):
    model_config = ConfigDict(frozen=True)

    task: str
    payload: dict[str, Any]
    reason: str


class RecordDeadMessageHandler:
    def __init__(self, *, uow: UnitOfWork, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    def __call__(self, cmd: RecordDeadMessage) -> None:
        with self._uow as uow:
            uow.dead_messages.add(task=cmd.task, payload=cmd.payload, reason=cmd.reason, received_at=self._clock.now())
            uow.commit()
