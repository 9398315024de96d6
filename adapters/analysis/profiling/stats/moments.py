"""Exact count, mean and variance that merge across chunks (Chan et al.'s parallel formula)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import polars as pl


@dataclass(frozen=True, slots=True, kw_only=True)
class Moments:
    """count, mean and M2 (the sum of squared deviations from the mean)."""

    count: int = 0
    mean: float = 0.0
    m2: float = 0.0

    @classmethod
    def of(cls, values: pl.Series) -> Moments:
        """Moments of finite, non-null float values."""
        if len(values) == 0:
            return cls()
        return cls.from_aggregates(len(values), values.mean(), values.var(ddof=0))

    @classmethod
    def from_aggregates(cls, count: int, mean: Any, variance: Any) -> Moments:
        """Moments of `count` values (at least one) from their mean and population variance."""
        m2 = float(variance) * count if count > 1 else 0.0
        return cls(count=count, mean=float(mean), m2=m2)

    def merge(self, other: Moments) -> Moments:
        if other.count == 0:
            return self
        if self.count == 0:
            return other
        count = self.count + other.count
        delta = other.mean - self.mean
        mean = self.mean + delta * other.count / count
        m2 = self.m2 + other.m2 + delta * delta * self.count * other.count / count
        return Moments(count=count, mean=mean, m2=m2)

    @property
    def std(self) -> float | None:
        """Sample standard deviation (ddof=1); None below two values."""
        return math.sqrt(self.m2 / (self.count - 1)) if self.count > 1 else None

    def to_json(self) -> dict[str, Any]:
        return {"count": self.count, "mean": self.mean, "m2": self.m2}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Moments:
        return cls(count=int(data["count"]), mean=float(data["mean"]), m2=float(data["m2"]))
