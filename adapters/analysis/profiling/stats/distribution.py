"""The distribution of a numeric (or temporal, as epoch microseconds) column: exact moments and
extremes, and a KLL sketch for quantiles and histograms."""

from __future__ import annotations

from typing import Any

import polars as pl
from datasketches import kll_doubles_sketch  # type: ignore[import-untyped,unused-ignore]

from .codec import from_text, to_text
from .moments import Moments

KLL_K = 200
QUANTILE_RANK_ERROR = kll_doubles_sketch.get_normalized_rank_error(KLL_K, False)
HISTOGRAM_MASS_ERROR = kll_doubles_sketch.get_normalized_rank_error(KLL_K, True)


class Distribution:
    """Finite values feed every statistic; NaN and infinities are only counted."""

    __slots__ = ("maximum", "minimum", "moments", "non_finite", "sketch")

    def __init__(self) -> None:
        self.moments = Moments()
        self.minimum: float | None = None
        self.maximum: float | None = None
        self.non_finite = 0
        self.sketch = kll_doubles_sketch(KLL_K)

    def observe(self, values: pl.Series) -> None:
        """Add non-null Float64 values."""
        finite = values.filter(values.is_finite())
        self.non_finite += len(values) - len(finite)
        self._add(finite)

    @staticmethod
    def facts(floats: pl.Expr) -> dict[str, pl.Expr]:
        """What `absorb` needs, as expressions over Float64 values (nulls included, and ignored):
        their count and the finite ones. Their moments and extremes are read from the finite
        values after the query: in it, each aggregate would filter the values anew."""
        return {"values": floats.count(), "finite": floats.filter(floats.is_finite()).implode()}

    def absorb(self, facts: dict[str, Any]) -> None:
        """`observe` from the values of `facts`: the same statistics, of the values the query kept."""
        finite: pl.Series = facts["finite"]
        self.non_finite += int(facts["values"]) - len(finite)
        self._add(finite)

    def _add(self, finite: pl.Series) -> None:
        if not len(finite):
            return
        self.moments = self.moments.merge(Moments.of(finite))
        self._extend(float(finite.min()), float(finite.max()))  # type: ignore[arg-type]
        values = finite.to_numpy(writable=True)  # the binding refuses read-only arrays
        if not (values[1:] >= values[:-1]).all():
            # Sorted, a batch updates the sketch in 0.55-0.7 of the time (its compactions sort
            # runs that are already in order), sort included; its error bounds hold for values
            # in any order.
            values.sort()
        self.sketch.update(values)

    def merge(self, other: Distribution) -> None:
        self.moments = self.moments.merge(other.moments)
        self.non_finite += other.non_finite
        if other.minimum is not None and other.maximum is not None:
            self._extend(other.minimum, other.maximum)
        self.sketch.merge(other.sketch)

    def quantiles(self, ranks: list[float]) -> list[float] | None:
        if self.sketch.is_empty():
            return None
        return [float(value) for value in self.sketch.get_quantiles(ranks)]

    def masses(self, split_points: list[float]) -> list[float]:
        """The fraction of values in each interval the split points define (left-closed)."""
        return [float(mass) for mass in self.sketch.get_pmf(split_points)]

    @property
    def exact(self) -> bool:
        """True while the sketch still holds every value, so quantiles and histograms are exact."""
        return not self.sketch.is_estimation_mode()

    def _extend(self, low: float, high: float) -> None:
        self.minimum = low if self.minimum is None else min(self.minimum, low)
        self.maximum = high if self.maximum is None else max(self.maximum, high)

    def to_json(self) -> dict[str, Any]:
        return {
            "moments": self.moments.to_json(),
            "min": self.minimum,
            "max": self.maximum,
            "non_finite": self.non_finite,
            "kll": to_text(self.sketch.serialize()),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Distribution:
        distribution = cls()
        distribution.moments = Moments.from_json(data["moments"])
        distribution.minimum = data["min"]
        distribution.maximum = data["max"]
        distribution.non_finite = int(data["non_finite"])
        distribution.sketch = kll_doubles_sketch.deserialize(from_text(data["kll"]))
        return distribution
