"""The reader thread hands over every item in order, its errors, and stops when the consumer does."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from adapters.analysis.profiling.source.prefetch import prefetched


def test_every_item_arrives_in_order() -> None:
    items = list(prefetched(iter(range(1_000)), depth=2))

    assert items == list(range(1_000))


def test_an_error_of_the_reader_is_raised_to_the_consumer_after_the_items_before_it() -> None:
    def failing() -> Iterator[int]:
        yield 1
        raise ValueError("broken block")

    stream = prefetched(failing())

    assert next(stream) == 1
    with pytest.raises(ValueError, match="broken block"):
        next(stream)


def test_a_consumer_that_stops_early_closes_the_reader() -> None:
    closed = []

    def endless() -> Iterator[int]:
        try:
            n = 0
            while True:
                yield n
                n += 1
        finally:
            closed.append(True)

    for item in prefetched(endless()):
        if item == 3:
            break

    assert closed == [True]
