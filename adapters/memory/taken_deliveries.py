"""Deliveries taken and not acknowledged, as a test says a worker took them."""

from __future__ import annotations

from datetime import datetime

from domain.ports import TakenDelivery


class InMemoryTakenDeliveries:
    def __init__(self) -> None:
        self.taken: list[tuple[datetime, TakenDelivery]] = []  # when, what; acknowledged ones removed

    def take(self, delivery: TakenDelivery, *, at: datetime) -> None:
        self.taken.append((at, delivery))

    def taken_before(self, moment: datetime) -> list[TakenDelivery]:
        return [delivery for at, delivery in sorted(self.taken, key=lambda each: each[0]) if at < moment]
