from __future__ import annotations

from datetime import datetime
from typing import Any

from adapters.orm.models import DeadMessageRecord


class DjangoDeadMessageRepository:
    def add(self, *, task: str, payload: dict[str, Any], reason: str, received_at: datetime) -> None:
        DeadMessageRecord.objects.create(task=task, payload=payload, reason=reason, received_at=received_at)

    def count(self) -> int:
        return DeadMessageRecord.objects.count()
