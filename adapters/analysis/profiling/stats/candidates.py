"""What a column could still be. A candidate type lives while every value seen parses as it, and
collects that type's statistics; the first value that does not parse kills it."""

from __future__ import annotations

from typing import Any

import polars as pl

from .distribution import Distribution
from .parsing import (
    common_datetime_micros_of,
    date_micros_of,
    float_of,
    fraction_of,
    integer_of,
    parse_boolean,
    parse_float,
    parse_integer,
    parse_temporal,
    plain_boolean_of,
    short_of,
    unpadded_float_of,
    unpadded_integer_of,
)


class _RangedCandidate:
    """A distribution plus exact integer extremes, merged the same way for every such type."""

    __slots__ = ("distribution", "high", "low")

    def __init__(self) -> None:
        self.distribution = Distribution()
        self.low: int | None = None
        self.high: int | None = None

    def _merge_range(self, other: _RangedCandidate) -> None:
        self.distribution.merge(other.distribution)
        if other.low is not None and other.high is not None:
            self._extend(other.low, other.high)

    def _extend(self, low: int, high: int) -> None:
        self.low = low if self.low is None else min(self.low, low)
        self.high = high if self.high is None else max(self.high, high)

    def _range_json(self) -> dict[str, Any]:
        return {"distribution": self.distribution.to_json(), "low": self.low, "high": self.high}

    def _load_range(self, data: dict[str, Any]) -> None:
        self.distribution = Distribution.from_json(data["distribution"])
        self.low, self.high = data["low"], data["high"]


class NumericCandidate(_RangedCandidate):
    __slots__ = ("integral", "padded")

    def __init__(self) -> None:
        super().__init__()
        self.integral = True
        # Whether a batch held numbers padded with blank space: a query strips the values only
        # then (the strip copies every value). Until then it parses them as written, and
        # `observe` parses a batch in full when some value does not parse so.
        self.padded = False

    def observe(self, values: pl.Series) -> bool:
        """Add non-null text values; False when one of them is not a number."""
        floats = parse_float(values)
        if floats.null_count():
            return False
        if self.integral:
            integers = parse_integer(values)
            if integers.null_count():
                self.integral = False
            else:
                self._extend(int(integers.min()), int(integers.max()))  # type: ignore[arg-type]
        self.distribution.observe(floats)
        return True

    @staticmethod
    def parsed(text: pl.Expr, *, padded: bool, integral: bool) -> dict[str, pl.Expr]:
        """The parses `facts` reads, computed once per batch: of the text as written, unless a
        batch held padded numbers (see `padded`), and as integers while the column is integral.
        The caller reads `padded` and `integral` once for `parsed` and `facts` alike."""
        floats, integers = (float_of, integer_of) if padded else (unpadded_float_of, unpadded_integer_of)
        return {"float": floats(text), "integer": integers(text)} if integral else {"float": floats(text)}

    @staticmethod
    def facts(text: pl.Expr, parsed: dict[str, pl.Expr], *, padded: bool) -> dict[str, pl.Expr]:
        """What `absorb` needs of a batch, as expressions over its text column (nulls included)
        and the columns of `parsed()`; `padded` as `parsed` got it."""
        floats = parsed["float"]
        found = {"bad": (text.is_not_null() & floats.is_null()).sum(), "padded": pl.lit(padded)}
        found |= Distribution.facts(floats)
        if "integer" in parsed:
            integers = parsed["integer"]
            found |= {"bad_integer": (text.is_not_null() & integers.is_null()).sum()}
            found |= {"low": integers.min(), "high": integers.max()}
        return found

    def absorb(self, facts: dict[str, Any]) -> bool:
        """`observe` from the values of `facts`: the same statistics, computed in a query of the
        batch. False when some value did not parse: unless the query stripped the values
        (facts["padded"]), `observe` must parse them (a padded number is still a number)."""
        if facts["bad"]:
            return False
        # Every value parsed, so none was padded: as written or stripped, the parses agree.
        if self.integral:
            if facts["bad_integer"]:
                self.integral = False
            else:
                self._extend(int(facts["low"]), int(facts["high"]))
        self.distribution.absorb(facts)
        return True

    def merge(self, other: NumericCandidate) -> None:
        self._merge_range(other)
        self.integral = self.integral and other.integral

    def to_json(self) -> dict[str, Any]:
        return {**self._range_json(), "integral": self.integral}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> NumericCandidate:
        candidate = cls()
        candidate._load_range(data)
        candidate.integral = bool(data["integral"])
        return candidate


class TemporalCandidate(_RangedCandidate):
    """Dates and date-times as epoch microseconds; exact extremes are kept as integers."""

    __slots__ = ("has_time", "padded", "shape")

    def __init__(self) -> None:
        super().__init__()
        self.has_time = False
        # How the last batch parsed ("date" or "datetime"): a query of the next batch tries that
        # shape alone, and `observe` parses the batch in full when it does not fit.
        self.shape: str | None = None
        # Whether a batch the query could not parse as written parsed in full: values padded with
        # blank space, or in a rarer spelling. The query strips the values only then (see
        # NumericCandidate.padded).
        self.padded = False

    def observe(self, values: pl.Series) -> bool:
        micros, has_time = parse_temporal(values)
        if micros.null_count():
            return False
        self.shape = "datetime" if has_time else "date"
        self.has_time = self.has_time or has_time
        self._extend(int(micros.min()), int(micros.max()))  # type: ignore[arg-type]
        self.distribution.observe(micros.cast(pl.Float64))
        return True

    @staticmethod
    def parsed(stripped: pl.Expr, shape: str, *, fraction: pl.Expr | None = None) -> dict[str, pl.Expr]:
        """The parse of the text in one shape (the last batch's, see `shape`), computed once per
        batch: of the stripped text, or of the text as written while no batch was padded (a
        padded value then fails to parse, and `observe` parses the batch). `fraction`: see
        common_datetime_micros_of."""
        micros = date_micros_of(stripped) if shape == "date" else common_datetime_micros_of(stripped, fraction)
        return {"micros": micros, "short": short_of(stripped)}

    @staticmethod
    def shared(text: pl.Expr, shape: str, *, padded: bool) -> dict[str, pl.Expr]:
        """What `parsed` reads more than once, computed beside the batch's columns first: the
        stripped text (when padded), or the fraction of date-times written plainly."""
        if padded:
            return {"stripped": text.str.strip_chars()}
        return {"fraction": fraction_of(text)} if shape == "datetime" else {}

    @staticmethod
    def facts(text: pl.Expr, parsed: dict[str, pl.Expr], shape: str) -> dict[str, pl.Expr]:
        micros = parsed["micros"]
        found = {"bad": (text.is_not_null() & micros.is_null()).sum(), "short": parsed["short"].any()}
        found |= {"dates": pl.lit(shape == "date"), "low": micros.min(), "high": micros.max()}
        return found | Distribution.facts(micros.cast(pl.Float64))

    def absorb(self, facts: dict[str, Any]) -> bool:
        """`observe` from the batch's `facts` when they settle it: every value parsed in the shape
        tried (facts["dates"]), as parse_temporal would parse them (dates when some value is
        short, date-times in the first format's common spelling when none is). False when they
        do not: `observe` must parse the values."""
        if facts["bad"] or facts["short"] != facts["dates"]:
            return False
        self.shape = "date" if facts["dates"] else "datetime"
        self.has_time = self.has_time or self.shape == "datetime"
        self._extend(int(facts["low"]), int(facts["high"]))
        self.distribution.absorb(facts)
        return True

    def merge(self, other: TemporalCandidate) -> None:
        self._merge_range(other)
        self.has_time = self.has_time or other.has_time

    def to_json(self) -> dict[str, Any]:
        return {**self._range_json(), "has_time": self.has_time}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> TemporalCandidate:
        candidate = cls()
        candidate._load_range(data)
        candidate.has_time = bool(data["has_time"])
        return candidate


class BooleanCandidate:
    __slots__ = ("falses", "trues")

    def __init__(self, trues: int = 0, falses: int = 0) -> None:
        self.trues = trues
        self.falses = falses

    def observe(self, values: pl.Series) -> bool:
        flags = parse_boolean(values)
        if flags.null_count():
            return False
        trues = int(flags.sum())
        self.trues += trues
        self.falses += len(flags) - trues
        return True

    @staticmethod
    def parsed(text: pl.Expr) -> dict[str, pl.Expr]:
        return {"boolean": plain_boolean_of(text)}

    @staticmethod
    def facts(text: pl.Expr, parsed: dict[str, pl.Expr]) -> dict[str, pl.Expr]:
        flags = parsed["boolean"]
        return {"bad": (text.is_not_null() & flags.is_null()).sum(), "trues": flags.sum()}

    def absorb(self, facts: dict[str, Any], count: int) -> bool:
        """`observe` of `count` values from their `facts` when every value is spelt plainly (see
        plain_boolean_of); False when one is not: `observe` must parse the values."""
        if facts["bad"]:
            return False
        self.trues += int(facts["trues"])
        self.falses += count - int(facts["trues"])
        return True

    def merge(self, other: BooleanCandidate) -> None:
        self.trues += other.trues
        self.falses += other.falses

    def to_json(self) -> dict[str, Any]:
        return {"trues": self.trues, "falses": self.falses}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> BooleanCandidate:
        return cls(int(data["trues"]), int(data["falses"]))
