"""Epoch microseconds back to ISO 8601 text for the result."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def iso(micros: float, *, has_time: bool) -> str:
    try:
        moment = _EPOCH + timedelta(microseconds=round(micros))
    except OverflowError:
        return f"{micros:.0f} µs since 1970-01-01"
    naive = moment.replace(tzinfo=None)
    return naive.isoformat() if has_time else naive.date().isoformat()
