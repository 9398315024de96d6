"""Rates as settings and overrides write them: "120/min"."""

from __future__ import annotations

_PERIODS = {
    **dict.fromkeys(["s", "sec", "secs", "second", "seconds"], 1),
    **dict.fromkeys(["m", "min", "mins", "minute", "minutes"], 60),
    **dict.fromkeys(["h", "hour", "hours"], 3600),
    **dict.fromkeys(["d", "day", "days"], 86400),
}


def parse_rate(rate: str) -> tuple[int, int] | None:
    """ "120/min" -> (120, 60): requests per window of seconds; None for no limit ("" or "0")."""
    text = rate.strip().lower()
    if text in ("", "0"):
        return None
    count, _, period = text.partition("/")
    if not count.isdigit() or (period.rstrip("s") not in _PERIODS and period not in _PERIODS):
        raise ValueError(f"a rate is COUNT/PERIOD with PERIOD one of s, min, hour, day, not {rate!r}")
    seconds = _PERIODS[period] if period in _PERIODS else _PERIODS[period.rstrip("s")]
    return (int(count), seconds) if int(count) else None
