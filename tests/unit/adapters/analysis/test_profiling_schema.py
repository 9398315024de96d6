"""A declared schema is validated up front, then checked row by row with line numbers."""

from __future__ import annotations

from typing import Any

import pytest

from adapters.analysis.profiling import ProfilingEngine, SchemaError, parse_schema
from domain.errors import PermanentError

from .helpers import Write


def _check(engine: ProfilingEngine, path: str, schema: dict[str, Any]) -> dict[str, Any]:
    result = engine.analyze_path(path, schema=schema)
    check = result["schema_check"]
    assert check is not None
    return check


@pytest.mark.parametrize(
    ("schema", "problem"),
    [
        ({"columns": [{"name": "a", "type": "money"}]}, "columns.0.type"),
        ({"columns": [{"name": "a", "min": 1}]}, "min and max need a type"),
        ({"columns": [{"name": "a", "type": "integer", "min": 5, "max": 1}]}, "min is greater than max"),
        ({"columns": [{"name": "a", "type": "date", "min": "yesterday"}]}, "min must be an ISO date"),
        ({"columns": [{"name": "a", "regex": "("}]}, "regex does not compile"),
        ({"columns": [{"name": "a"}, {"name": "a"}]}, "declared more than once: a"),
        ({"columns": [{"name": "a", "colour": "red"}]}, "columns.0.colour"),
        ({"columns": []}, "columns"),
        ("not an object", "schema"),
    ],
)
def test_a_bad_schema_is_refused_with_every_problem_located(schema: object, problem: str) -> None:
    with pytest.raises(SchemaError) as raised:
        parse_schema(schema)

    assert problem in str(raised.value)
    assert raised.value.errors
    assert isinstance(raised.value, PermanentError)


def test_a_bad_schema_is_refused_before_the_file_is_read(engine: ProfilingEngine, write: Write) -> None:
    path = write("empty.csv", b"")

    with pytest.raises(SchemaError):
        engine.analyze_path(path, schema={"columns": [{"name": "a", "type": "nope"}]})


def test_a_valid_file_passes_its_schema(engine: ProfilingEngine, write: Write) -> None:
    path = write("ok.csv", "id,country\n1,FR\n2,NA\n")
    schema = {
        "columns": [{"name": "id", "type": "integer", "nullable": False}, {"name": "country", "regex": "[A-Z]{2}"}]
    }

    check = _check(engine, path, schema)

    assert check["valid"] is True
    assert check["violations"] == []


def test_each_rule_reports_the_line_column_value_and_rule_of_a_violation(engine: ProfilingEngine, write: Write) -> None:
    path = write(
        "orders.csv",
        "id,status,amount,day,code\n"
        "1,open,10,2024-01-05,AB1\n"
        "x,open,10,2024-01-05,AB2\n"
        "3,lost,10,2024-01-05,AB3\n"
        "4,open,-1,2024-01-05,AB4\n"
        "5,open,10,2023-12-31,AB5\n"
        "6,open,10,2024-01-05,zz\n"
        ",open,10,2024-01-05,AB7\n",
    )
    schema = {
        "columns": [
            {"name": "id", "type": "integer", "nullable": False},
            {"name": "status", "allowed_values": ["open", "closed"]},
            {"name": "amount", "type": "float", "min": 0},
            {"name": "day", "type": "date", "min": "2024-01-01"},
            {"name": "code", "regex": "[A-Z]{2}[0-9]"},
        ]
    }

    check = _check(engine, path, schema)

    found = [(v["line"], v["column"], v["rule"], v["value"]) for v in check["violations"]]
    assert found == [
        (3, "id", "type", "x"),
        (4, "status", "allowed_values", "lost"),
        (5, "amount", "min", "-1"),
        (6, "day", "min", "2023-12-31"),
        (7, "code", "regex", "zz"),
        (8, "id", "null", None),
    ]
    assert check["counts_by_rule"] == {"type": 1, "allowed_values": 1, "min": 2, "regex": 1, "null": 1}


def test_the_violation_list_is_capped_but_the_counts_are_complete(write: Write) -> None:
    path = write("many.csv", "n\n" + "bad\n" * 2_500)

    check = _check(ProfilingEngine(), path, {"columns": [{"name": "n", "type": "integer"}]})

    assert check["violations_total"] == 2_500
    assert len(check["violations"]) == 1_000
    assert check["truncated"] is True
    assert [v["line"] for v in check["violations"][:3]] == [2, 3, 4]


def test_line_numbers_count_blank_lines_and_records_spanning_lines(engine: ProfilingEngine, write: Write) -> None:
    path = write("lines.csv", 'id,note\n1,"two\nlines"\n\nx,ok\n')

    check = _check(engine, path, {"columns": [{"name": "id", "type": "integer"}]})

    assert [v["line"] for v in check["violations"]] == [5]


def test_a_missing_required_column_and_an_undeclared_one_are_file_level(engine: ProfilingEngine, write: Write) -> None:
    path = write("cols.csv", "id,extra\n1,x\n")
    schema = {
        "columns": [{"name": "id"}, {"name": "name", "nullable": False}, {"name": "nickname", "required": False}],
        "allow_extra_columns": False,
    }

    check = _check(engine, path, schema)

    found = [(v["line"], v["column"], v["rule"]) for v in check["violations"]]
    assert found == [(None, "name", "missing_column"), (None, "extra", "unexpected_column")]


def test_a_declared_datetime_range_is_compared_in_utc(engine: ProfilingEngine, write: Write) -> None:
    path = write("times.csv", "at\n2024-01-01T00:30:00+02:00\n2024-01-01T00:30:00Z\n")
    schema = {"columns": [{"name": "at", "type": "datetime", "min": "2024-01-01T00:00:00"}]}

    check = _check(engine, path, schema)

    assert [(v["line"], v["rule"]) for v in check["violations"]] == [(2, "min")]


def test_a_date_column_refuses_a_value_with_a_time_of_day(engine: ProfilingEngine, write: Write) -> None:
    path = write("days.csv", "day\n2024-01-01\n2024-01-01 10:00\n")

    check = _check(engine, path, {"columns": [{"name": "day", "type": "date"}]})

    assert [(v["line"], v["rule"], v["message"]) for v in check["violations"]] == [
        (3, "type", "expected a date (YYYY-MM-DD)")
    ]


def test_a_json_lines_record_without_a_required_key_violates_its_nullability(
    engine: ProfilingEngine, write: Write
) -> None:
    path = write("events.jsonl", '{"id": 1}\n{"other": 2}\n')

    check = _check(engine, path, {"columns": [{"name": "id", "nullable": False}]})

    assert [(v["line"], v["rule"]) for v in check["violations"]] == [(2, "null")]


def test_the_engine_checks_a_schema_without_a_file(engine: ProfilingEngine) -> None:
    engine.check_schema({"columns": [{"name": "a", "type": "integer"}]})

    with pytest.raises(SchemaError, match=r"columns\.0\.type"):
        engine.check_schema({"columns": [{"name": "a", "type": "money"}]})
