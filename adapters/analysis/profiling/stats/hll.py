"""A HyperLogLog distinct count updated a whole batch at a time (numpy), mergeable across chunks.

Values are hashed by polars (64 bits, natively, no Python loop per value); the top 14 bits
pick one of 16,384 registers, which keeps the largest rank (leading zeros + 1) of the other
bits. The estimate is Ertl's improved raw estimator (2017), unbiased over the whole range
without empirical tables; its relative standard error is about 1.04 / sqrt(16,384) = 0.8 %.
Polars promises stable hashes within one version only, so a sketch carries that version and
refuses to merge with a sketch hashed by another.
"""

from __future__ import annotations

import base64
import math

import numpy as np
import numpy.typing as npt
import polars as pl

LG_K = 14
RELATIVE_STANDARD_ERROR = 1.04 / math.sqrt(2**LG_K)
HASH_VERSION = f"polars-{pl.__version__}"
HASH_SEED = 0
_M = 2**LG_K
_Q = 64 - LG_K


class HyperLogLog:
    __slots__ = ("registers",)

    def __init__(self, registers: npt.NDArray[np.uint8] | None = None) -> None:
        self.registers = np.zeros(_M, np.uint8) if registers is None else registers

    def update(self, values: pl.Series) -> None:
        """Add non-null String values."""
        self.update_hashes(values.hash(seed=HASH_SEED).to_numpy())

    def update_hashes(self, hashes: npt.NDArray[np.uint64]) -> None:
        """Add values by their polars hashes (seed HASH_SEED)."""
        index = (hashes >> np.uint64(_Q)).astype(np.intp)
        np.maximum.at(self.registers, index, _ranks(hashes))

    def merge(self, other: HyperLogLog) -> None:
        np.maximum(self.registers, other.registers, out=self.registers)

    def estimate(self) -> float:
        counts = np.bincount(self.registers, minlength=_Q + 2).astype(np.float64)
        z = _M * _tau(1.0 - counts[_Q + 1] / _M)
        for k in range(_Q, 0, -1):
            z = 0.5 * (z + counts[k])
        z += _M * _sigma(counts[0] / _M)
        return _M * _M / (2.0 * math.log(2.0) * z)

    def bounds(self, std_devs: int) -> tuple[int, int]:
        """Bounds holding the true count with the confidence of `std_devs` standard errors; never
        below the registers that saw a value (each of them saw a distinct one)."""
        estimate = self.estimate()
        seen = int(np.count_nonzero(self.registers))
        low = max(seen, math.floor(estimate * (1 - std_devs * RELATIVE_STANDARD_ERROR)))
        return low, max(low, math.ceil(estimate * (1 + std_devs * RELATIVE_STANDARD_ERROR)))

    def to_text(self) -> str:
        return base64.b64encode(self.registers.tobytes()).decode("ascii")

    @classmethod
    def from_text(cls, text: str) -> HyperLogLog:
        registers = np.frombuffer(base64.b64decode(text.encode("ascii"), validate=True), np.uint8).copy()
        if len(registers) != _M or registers.max(initial=0) > _Q + 1:
            raise ValueError("a distinct-count sketch is malformed")
        return cls(registers)


def _ranks(hashes: npt.NDArray[np.uint64]) -> npt.NDArray[np.uint8]:
    """The rank of each hash: the leading zeros of its low Q bits, plus one (Q + 1 when they are
    all zero). Q bits convert to a float exactly (Q < 53), whose binary exponent is their bit
    length: numpy alone, 0.06 ms for 45,000 hashes (a polars call would wait for polars'
    threads, busy with the batch queries)."""
    low = (hashes & np.uint64((1 << _Q) - 1)).astype(np.float64)
    return (_Q + 1 - np.frexp(low)[1]).astype(np.uint8)


def _sigma(x: float) -> float:
    if x == 1.0:
        return math.inf
    y, z = 1.0, x
    while True:
        x *= x
        previous = z
        z += x * y
        y += y
        if z == previous:
            return z


def _tau(x: float) -> float:
    if x in (0.0, 1.0):
        return 0.0
    y, z = 1.0, 1.0 - x
    while True:
        x = math.sqrt(x)
        previous = z
        y *= 0.5
        z -= (1.0 - x) ** 2 * y
        if z == previous:
            return z / 3.0
