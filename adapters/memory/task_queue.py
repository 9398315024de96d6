from __future__ import annotations

from domain.ports import Delivery


class InMemoryTaskQueue:
    """Records deliveries instead of sending them; `fail_with` simulates a broker outage."""

    def __init__(self) -> None:
        self.deliveries: list[Delivery] = []
        self.fail_with: Exception | None = None

    def enqueue(self, delivery: Delivery) -> None:
        if self.fail_with is not None:
            raise self.fail_with
        self.deliveries.append(delivery)
