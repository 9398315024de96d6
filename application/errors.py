"""Errors the use cases raise. The HTTP edge maps each to one problem type, in one place."""

from __future__ import annotations


class ApplicationError(Exception):
    """Base of every error a use case raises on purpose."""


class NotFound(ApplicationError):
    """No such object for this owner. Another owner's object is not found either."""

    def __init__(self, what: str, object_id: object) -> None:
        super().__init__(f"{what} {object_id} not found")
        self.what = what
        self.object_id = object_id


class ResultNotReady(ApplicationError):
    """The report's job has not succeeded yet: it is waiting or running."""

    def __init__(self, status: str) -> None:
        super().__init__(f"the result is not available while the job is {status}")
        self.status = status


class ResultUnavailable(ApplicationError):
    """The report's job ended without a result (failed, dead or cancelled): waiting will not
    help; a failed or dead job can be replayed."""

    def __init__(self, status: str) -> None:
        hint = "replay the job to try again" if status != "cancelled" else "upload the file again"
        super().__init__(f"the job ended {status} without a result; {hint}")
        self.status = status


class UploadTooLarge(ApplicationError):
    def __init__(self, size_bytes: int, limit_bytes: int) -> None:
        super().__init__(f"the upload is {size_bytes} bytes; the limit is {limit_bytes} bytes")
        self.size_bytes = size_bytes
        self.limit_bytes = limit_bytes


class EmptyUpload(ApplicationError):
    def __init__(self) -> None:
        super().__init__("the uploaded file is empty")


class InvalidCursor(ApplicationError):
    def __init__(self) -> None:
        super().__init__("the pagination cursor is malformed or expired")


class PriorityNotAllowed(ApplicationError):
    """The user asked for a priority they may not use."""

    def __init__(self, priority: str) -> None:
        super().__init__(f"you may not submit jobs with priority {priority!r}")
        self.priority = priority
