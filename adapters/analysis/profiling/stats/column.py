"""Everything a chunk learns about one column, mergeable with what other chunks learnt."""

from __future__ import annotations

import functools
import re
from typing import Any, TypeVar

import polars as pl

from .candidates import BooleanCandidate, NumericCandidate, TemporalCandidate
from .plain_facts import plain_facts
from .value_tally import ValueTally

TEXT_CHARS = 200
# Below this many values, reading them in Python to rule candidates out is cheaper than parsing,
# and so is computing their facts (see plain_facts.py).
SCREEN_ROWS = 256
PLAIN_ROWS = 256
# The batch queries are written as they should run: planning them (about 0.5 ms) buys nothing.
# They run on the in-memory engine: polars 2 picks its streaming engine by default, which
# costs 3x more on a small file's batch (1.2 against 0.4 ms) and 1.5x on a 4 MiB one
# (bench/results/round-f05a29a-0ec0726.md).
AS_WRITTEN = pl.QueryOptFlags.none()
_NUMBER_SIGN = re.compile(r"[0-9nN]")  # every number has a digit, or is nan, inf or infinity
_Candidate = TypeVar("_Candidate", NumericCandidate, TemporalCandidate, BooleanCandidate)


class ColumnAccumulator:
    """Non-null count, value tally, text extremes and the candidate types still alive."""

    __slots__ = ("boolean", "count", "name", "numeric", "tally", "temporal", "text_max", "text_min")

    def __init__(self, name: str) -> None:
        self.name = name
        self.count = 0
        self.tally = ValueTally()
        self.text_min: str | None = None
        self.text_max: str | None = None
        self.boolean: BooleanCandidate | None = BooleanCandidate()
        self.numeric: NumericCandidate | None = NumericCandidate()
        self.temporal: TemporalCandidate | None = TemporalCandidate()

    def observe(self, values: pl.Series, *, limit: int, budget: int) -> None:
        """Add a String column whose nulls are already normalised."""
        self.screen(values)
        facts = first_row(run_steps(values.to_frame(), [self.facts(None)]))
        self.absorb(values, split_facts(facts)[""], limit=limit, budget=budget)

    def screen(self, values: pl.Series) -> None:
        """Drop the candidates a small batch rules out without parsing (see `_screen`)."""
        if len(values) <= SCREEN_ROWS:
            # filtered in Python: a Series' drop_nulls runs a polars query (0.1 ms and more)
            self._screen([text for text in values.to_list() if text is not None])

    def plain_facts(self, values: pl.Series) -> dict[str, Any] | None:
        """The facts of a small batch (String, nulls normalised; `screen`ed first) as the query
        of `facts()` would give them, computed in Python; None for a larger batch, or when
        only the query can tell them (see plain_facts.py)."""
        if len(values) > PLAIN_ROWS:
            return None
        boolean, numeric, temporal = self.boolean, self.numeric, self.temporal
        parses_temporal = temporal is not None and temporal.shape is not None and boolean is None and numeric is None
        if self.tally.sketches is not None or parses_temporal or (numeric is not None and numeric.padded):
            return None  # the hashes, the temporal parse and the stripped parse are the query's
        integral = numeric is not None and numeric.integral
        texts = values.to_list()
        return plain_facts(texts, boolean=boolean is not None, numeric=numeric is not None, integral=integral)

    def facts(self, position: int | None) -> Steps:
        """Everything `absorb` needs of a batch of this column, the frame's column at `position`
        (None: its only column), as three steps of a query (see `run_steps`): the text its
        parses share (stripped, for a temporal parse), the column and its parses (each computed
        once), then the aggregates over them, aliased `position\0fact`. One query computes
        them for every column, in parallel."""
        # The candidates are read once: the last batch's column may still be changing them (see
        # PartialProfile.observe). Facts of a candidate that dies meanwhile are ignored; the
        # padding and shape the parses assumed travel with the facts.
        boolean, numeric, temporal = self.boolean, self.numeric, self.temporal
        padded, integral = (numeric.padded, numeric.integral) if numeric is not None else (False, False)
        # A query parses the temporal candidate when only it is left and its shape is known.
        shape = temporal.shape if temporal is not None and boolean is None and numeric is None else None
        if shape is not None and temporal is not None:
            padded = temporal.padded
        sketching = self.tally.sketches is not None
        return _steps(position, boolean is not None, numeric is not None, padded, integral, shape, sketching)

    def absorb(self, values: pl.Series, facts: dict[str, Any], *, limit: int, budget: int) -> None:
        """Add a String column (nulls normalised) from its `facts`, keyed as `facts()` names them
        without their prefix."""
        count = int(facts["count"])
        if not count:
            return
        self.count += count
        self.tally.absorb(facts_of(facts, "tally"), values, limit=limit, budget=budget)
        self._extend(_clip(facts["min"]), _clip(facts["max"]))
        # A batch that parses entirely as one type cannot parse as the others (true/false is no
        # number, a number is no ISO date): the later candidates are skipped, not parsed.
        if self.boolean is not None:
            if self.boolean.absorb(facts_of(facts, "boolean"), count) or self.boolean.observe(values.drop_nulls()):
                self.numeric = self.temporal = None
                return
            self.boolean = None
        if self.numeric is not None:
            numbers = facts_of(facts, "numeric")
            if self.numeric.absorb(numbers) or (not numbers["padded"] and self._padded_numbers(values)):
                self.temporal = None
                return
            self.numeric = None
        if self.temporal is not None:
            temporal = facts_of(facts, "temporal")
            if temporal and self.temporal.absorb(temporal):
                return
            if not self.temporal.observe(values.drop_nulls()):
                self.temporal = None
            elif temporal and temporal["bad"]:
                self.temporal.padded = True  # parsed in full what the query could not: strip from now on

    def _padded_numbers(self, values: pl.Series) -> bool:
        """Whether a batch that did not parse as written is numbers once stripped (then later
        batches are stripped in the query)."""
        assert self.numeric is not None
        if not self.numeric.observe(values.drop_nulls()):
            return False
        self.numeric.padded = True
        return True

    def _screen(self, texts: list[str]) -> None:
        """Drop the candidates that some value cannot parse as, judged by a character the value
        lacks: each test is a necessary condition of the candidate's parse, so the candidates
        that survive are exactly those parsing would keep; it only skips parses bound to fail
        (a tiny file otherwise pays a few polars queries per column for them)."""
        if self.boolean is not None and not all("e" in text or "E" in text for text in texts):
            self.boolean = None  # true and false both hold an e, and only E lowercases to e
        if self.numeric is not None and not all(_NUMBER_SIGN.search(text) for text in texts):
            self.numeric = None
        if self.temporal is not None and not all("-" in text for text in texts):
            self.temporal = None  # every accepted date and date-time starts with YYYY-MM-DD

    def merge(self, other: ColumnAccumulator, *, limit: int, budget: int) -> None:
        self.count += other.count
        self.tally.merge(other.tally, limit=limit, budget=budget)
        if other.text_min is not None and other.text_max is not None:
            self._extend(other.text_min, other.text_max)
        self.boolean = _merged(self.boolean, other.boolean)
        self.numeric = _merged(self.numeric, other.numeric)
        self.temporal = _merged(self.temporal, other.temporal)

    def inferred_type(self) -> str:
        if self.count == 0:
            return "empty"
        if self.boolean is not None:
            return "boolean"
        if self.numeric is not None:
            return "integer" if self.numeric.integral else "float"
        if self.temporal is not None:
            return "datetime" if self.temporal.has_time else "date"
        return "string"

    def _extend(self, low: str, high: str) -> None:
        self.text_min = low if self.text_min is None else min(self.text_min, low)
        self.text_max = high if self.text_max is None else max(self.text_max, high)

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "count": self.count,
            "tally": self.tally.to_json(),
            "text_min": self.text_min,
            "text_max": self.text_max,
            "boolean": None if self.boolean is None else self.boolean.to_json(),
            "numeric": None if self.numeric is None else self.numeric.to_json(),
            "temporal": None if self.temporal is None else self.temporal.to_json(),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ColumnAccumulator:
        column = cls(data["name"])
        column.count = int(data["count"])
        column.tally = ValueTally.from_json(data["tally"])
        column.text_min, column.text_max = data["text_min"], data["text_max"]
        column.boolean = None if data["boolean"] is None else BooleanCandidate.from_json(data["boolean"])
        column.numeric = None if data["numeric"] is None else NumericCandidate.from_json(data["numeric"])
        column.temporal = None if data["temporal"] is None else TemporalCandidate.from_json(data["temporal"])
        return column


Steps = tuple[list[pl.Expr], list[pl.Expr], list[pl.Expr]]


@functools.lru_cache(maxsize=256)  # bounded: each entry holds a few dozen objects the GC scans
def _steps(
    position: int | None,
    boolean: bool,
    numeric: bool,
    padded: bool,
    integral: bool,
    shape: str | None,
    sketching: bool,
) -> Steps:
    """A column's `facts` steps for the candidates it still has, built once per position and
    state: a column's expressions are the same from batch to batch and file to file (building
    them was a sixth of a small file's profile), and polars expressions are immutable. A file
    wider than the cache builds its columns' steps each batch, as before there was a cache. The
    facts are named by position, never by the column's name, so no file's text is kept here."""
    text, prefix = (pl.first(), "") if position is None else (pl.nth(position), str(position))
    shared: dict[str, pl.Expr] = {}
    parses = {"text": text}
    if boolean:
        parses |= BooleanCandidate.parsed(text)
    if numeric:
        parses |= NumericCandidate.parsed(text, padded=padded, integral=integral)
    if shape is not None:
        shared = TemporalCandidate.shared(text, shape, padded=padded)
        source = pl.col(f"{prefix}\0stripped") if padded else text
        fraction = pl.col(f"{prefix}\0fraction") if "fraction" in shared else None
        parses |= TemporalCandidate.parsed(source, shape, fraction=fraction)
    parsed = {key: pl.col(f"{prefix}\0{key}") for key in parses}
    column = parsed["text"]
    found = {"count": column.count(), "min": column.min(), "max": column.max()}
    found |= {f"tally\0{key}": expr for key, expr in ValueTally.facts(column, sketching=sketching).items()}
    if boolean:
        found |= {f"boolean\0{key}": expr for key, expr in BooleanCandidate.facts(column, parsed).items()}
    if numeric:
        numbers = NumericCandidate.facts(column, parsed, padded=padded)
        found |= {f"numeric\0{key}": expr for key, expr in numbers.items()}
    if shape is not None:
        found |= {f"temporal\0{key}": expr for key, expr in TemporalCandidate.facts(column, parsed, shape).items()}
    return (
        [expr.alias(f"{prefix}\0{key}") for key, expr in shared.items()],
        [expr.alias(f"{prefix}\0{key}") for key, expr in parses.items()],
        [expr.alias(f"{prefix}\0{key}") for key, expr in found.items()],
    )


def run_steps(frame: pl.DataFrame, steps: list[Steps]) -> pl.DataFrame:
    """One query of the `facts` steps of some columns: their shared text is added beside the
    batch's columns, then their parses are selected, then their aggregates (one row)."""
    shared = [expr for step in steps for expr in step[0]]
    parses = [expr for step in steps for expr in step[1]]
    aggregates = [expr for step in steps for expr in step[2]]
    query = frame.lazy().with_columns(shared).select(parses).select(aggregates)
    return query.collect(optimizations=AS_WRITTEN, engine="in-memory")


def first_row(frame: pl.DataFrame) -> dict[str, Any]:
    """The one row of a query's result: lists as Series, other values as Python values."""
    # Each column's first value as polars gives it: a list stays a Series (DataFrame.row would
    # turn a large batch's values into Python objects; a frame without the lists costs more
    # to make than it saves).
    return {values.name: values[0] for values in frame.get_columns()}


def split_facts(facts: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The facts of a query by the prefix of their name (before its first NUL), without it."""
    split: dict[str, dict[str, Any]] = {}
    for key, value in facts.items():
        prefix, _, rest = key.partition("\0")
        split.setdefault(prefix, {})[rest] = value
    return split


def facts_of(facts: dict[str, Any], prefix: str) -> dict[str, Any]:
    """The facts under `prefix\0`, without it."""
    start = f"{prefix}\0"
    return {key[len(start) :]: value for key, value in facts.items() if key.startswith(start)}


def _merged(mine: _Candidate | None, theirs: _Candidate | None) -> _Candidate | None:
    """A candidate survives the merge only if both sides kept it (an empty side keeps every one)."""
    if mine is None or theirs is None:
        return None
    mine.merge(theirs)
    return mine


def _clip(value: object) -> str:
    """Text extremes are kept to 200 characters; clipping preserves their order."""
    text = str(value)
    return text if len(text) <= TEXT_CHARS else text[:TEXT_CHARS] + "…"
