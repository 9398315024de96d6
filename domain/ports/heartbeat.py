from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Protocol
from uuid import UUID


class Lease(Protocol):
    def checkpoint(self, progress: float | None = None) -> None:
        """Report progress; raises AttemptAborted if the job was cancelled or the lease lost."""


class Heartbeat(Protocol):
    """Keeps a running attempt's lease alive while its work goes on."""

    def keep_alive(self, job_id: UUID, attempt: int, *, lease_seconds: float) -> AbstractContextManager[Lease]: ...

    def while_locked(self) -> AbstractContextManager[Lease]:
        """A lease for a brief attempt, whose work runs inside the transaction that holds its
        job's row lock: there is nothing to renew or read back (the start is not committed,
        and nothing else can change the job meanwhile); its checkpoints stop the work only
        when the worker stops, as `keep_alive`'s do."""
