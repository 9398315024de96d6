"""Only empty fields are missing values; NA, null and friends are values unless configured."""

from __future__ import annotations

import pytest

from adapters.analysis.profiling import ProfilingEngine

from .helpers import Write, column


def test_a_country_code_na_is_a_value_not_a_missing_one(engine: ProfilingEngine, write: Write) -> None:
    path = write("countries.csv", "country,amount\n" + "NA,1\n" * 500 + "FR,2\n" + ",3\n")

    country = column(engine.analyze_path(path), "country")

    assert country["nulls"] == 1
    assert country["count"] == 501
    assert country["type"] == "string"
    assert country["top_values"][0] == {"value": "NA", "count": 500, "lower_bound": 500, "upper_bound": 500}


def test_the_strings_null_none_and_nan_in_a_text_column_are_values(engine: ProfilingEngine, write: Write) -> None:
    path = write("words.csv", "word\nnull\nNULL\nNone\nN/A\n-\nx\n")

    word = column(engine.analyze_path(path), "word")

    assert word["nulls"] == 0
    assert word["distinct"]["value"] == 6


def test_a_field_of_blank_space_is_a_value_but_an_empty_quoted_field_is_missing(
    engine: ProfilingEngine, write: Write
) -> None:
    path = write("blank.csv", 'a,b\n" ",1\n"",2\n,3\n')

    a = column(engine.analyze_path(path), "a")

    assert (a["count"], a["nulls"]) == (1, 2)


def test_configured_null_tokens_become_missing_values(write: Write) -> None:
    path = write("tokens.csv", "score\n1\nNA\n-\n3\n")

    score = column(ProfilingEngine(null_values=("NA", "-")).analyze_path(path), "score")

    assert score["nulls"] == 2
    assert score["type"] == "integer"


def test_json_null_and_a_missing_key_are_missing_but_the_string_null_is_not(
    engine: ProfilingEngine, write: Write
) -> None:
    path = write("nulls.jsonl", '{"a": null}\n{"b": 1}\n{"a": "null"}\n{"a": "NA"}\n')

    a = column(engine.analyze_path(path), "a")

    assert (a["count"], a["nulls"]) == (2, 2)


def test_the_result_states_which_tokens_counted_as_null(write: Write) -> None:
    path = write("tokens.csv", "a\n1\n")

    result = ProfilingEngine(null_values=("NA",)).analyze_path(path)

    assert result["null_values"] == ["NA"]


@pytest.mark.parametrize("tokens", [(), ("NA", "-")], ids=["no tokens", "NA and -"])
def test_nulls_of_a_block_polars_parses_are_those_of_a_small_one(write: Write, tokens: tuple[str, ...]) -> None:
    """Past a few hundred records polars parses the block (and makes the nulls itself when it
    parses strictly): empty fields, quoted or not, and the tokens, quoted or not, are missing;
    blank space and a token inside other text are values."""
    rows = ['"",1', ",2", '"NA",3', "NA,4", '" ",5', "-,6", "x-NA,7", "ok,8"]
    engine = ProfilingEngine(null_values=tokens)

    small = column(engine.analyze_path(write("small.csv", "a,b\n" + "\n".join(rows) + "\n")), "a")
    large = column(engine.analyze_path(write("large.csv", "a,b\n" + "\n".join(rows * 250) + "\n")), "a")

    missing = 2 + (3 if tokens else 0)
    assert (small["count"], small["nulls"]) == (8 - missing, missing)
    assert (large["count"], large["nulls"]) == (250 * (8 - missing), 250 * missing)
