"""A small batch's facts computed in Python, when its values are spelt plainly.

A batch of a few hundred values is profiled faster in Python than by a polars query: the query
wakes polars' threads, which a worker's idle pool process has let sleep (about 1 ms for the
3-row file after a pause, against 0.1 ms here). The facts are those `ColumnAccumulator.facts`
asks the query for, with the same values: a number is parsed here only when written in the
plain decimal form both parsers read the same way (the correctly rounded float of the same
digits; a 64-bit integer), and a value that is no number in any spelling is told by a character
no number has. Anything else (NaN, infinity, padding, a long value, a sketching tally) returns
None, and the query computes the column's facts as before. The moments and the extremes of
the numbers are still computed by polars, from the parsed values, in `Distribution.absorb`.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

import polars as pl

from .parsing import FALSE_SPELLINGS, TRUE_SPELLINGS
from .value_tally import LONG_VALUE_CHARS

# ASCII digits only: Python's float() and int() also read other scripts' digits and "1_000".
_PLAIN_FLOAT = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?", re.ASCII)
_PLAIN_INTEGER = re.compile(r"[+-]?[0-9]+", re.ASCII)
# Every character that some spelling of a float polars reads may hold (nan, inf, infinity).
_NUMBER_CHARACTERS = frozenset("0123456789+-.eEnNaAiIfFtTyY")
_INT64 = (-(2**63), 2**63 - 1)
_MAX_FINITE = 1.7976931348623157e308
_TRUE, _FALSE = frozenset(TRUE_SPELLINGS), frozenset(FALSE_SPELLINGS)


def plain_facts(texts: list[str | None], *, boolean: bool, numeric: bool, integral: bool) -> dict[str, Any] | None:
    """The facts of a column's batch (`texts`, None for a null) for the candidates it still has,
    keyed as `split_facts` keys the query's; None when a value is not plain enough to tell."""
    values = [text for text in texts if text is not None]
    if any(len(text) * 4 > LONG_VALUE_CHARS and len(text.encode()) > LONG_VALUE_CHARS for text in values):
        return None  # a long value is counted by its key: the query's path does it
    found: dict[str, Any] = {"count": len(values), "min": min(values, default=None), "max": max(values, default=None)}
    counts = Counter(values)
    # from Series: half the time of a frame built from a dict of lists with its schema
    values_counted = pl.Series("value", list(counts), pl.String)
    table = pl.DataFrame([values_counted, pl.Series("count", list(counts.values()), pl.Int64)])
    found |= {"tally\0long": False, "tally\0table": table}
    if boolean:
        trues = sum(text in _TRUE for text in values)
        falses = sum(text in _FALSE for text in values)
        found |= {"boolean\0bad": len(values) - trues - falses, "boolean\0trues": trues}
    if numeric:
        numbers = _numeric_facts(values, integral=integral)
        if numbers is None:
            return None
        found |= {f"numeric\0{key}": value for key, value in numbers.items()}
    return found


def _numeric_facts(values: list[str], *, integral: bool) -> dict[str, Any] | None:
    floats, integers, bad = [], [], 0
    for text in values:
        if _PLAIN_FLOAT.fullmatch(text):
            floats.append(float(text))
            if integral and _PLAIN_INTEGER.fullmatch(text):
                integers.append(int(text))
        elif _no_number(text):
            bad += 1
        else:  # NaN, infinity or padded: the query parses it
            return None
    if bad:
        # `padded`: stripping would not make these values numbers either (the character that
        # rules each out is no blank space), so the batch needs no parse of its stripped text.
        return {"bad": bad, "padded": True}
    found: dict[str, Any] = {"bad": 0, "padded": False, "values": len(floats)}
    found["finite"] = pl.Series([value for value in floats if -_MAX_FINITE <= value <= _MAX_FINITE], dtype=pl.Float64)
    if integral:
        in_range = [value for value in integers if _INT64[0] <= value <= _INT64[1]]
        found |= {"bad_integer": len(values) - len(in_range), "low": min(in_range, default=None)}
        found["high"] = max(in_range, default=None)
    return found


def _no_number(text: str) -> bool:
    """Whether no spelling of a number, stripped of blank space or not, can be this text: it
    holds a character that is neither blank space nor any number's."""
    return any(char not in _NUMBER_CHARACTERS and not char.isspace() for char in text)
