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


class TooManyQueued(ApplicationError):
    """The user has as many unfinished jobs as they may: a new submission waits until some end."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"you have {limit} unfinished jobs, the most you may have; submit again once some end")
        self.limit = limit


class StorageQuotaExceeded(ApplicationError):
    """Storing the upload would take the user's stored uploads past their quota."""

    def __init__(self, *, limit_bytes: int, used_bytes: int, size_bytes: int) -> None:
        super().__init__(
            f"your stored uploads take {used_bytes} of {limit_bytes} bytes; this one ({size_bytes} bytes) "
            "does not fit: delete reports you no longer need"
        )
        self.limit_bytes = limit_bytes
        self.used_bytes = used_bytes


class BacklogFull(ApplicationError):
    """The service has more work waiting than it takes on: new submissions are refused for a while."""

    def __init__(self, retry_after_seconds: int) -> None:
        super().__init__("the service has too much work waiting; submit again later")
        self.retry_after_seconds = retry_after_seconds


class ReportDeleted(ApplicationError):
    """The report's upload and result were deleted; its metadata and audit trail remain."""

    def __init__(self, report_id: object) -> None:
        super().__init__(f"report {report_id} was deleted: its upload and result are gone")


class ReportJobActive(ApplicationError):
    """A report is deleted only once its job has ended: cancel the job first."""

    def __init__(self, status: str) -> None:
        super().__init__(f"the report's job is {status}; cancel it (or let it end) before deleting the report")
        self.status = status


class ReportInUse(ApplicationError):
    """Schedules re-run the report's upload: delete them (or point them elsewhere) first."""

    def __init__(self, schedule_ids: list[object]) -> None:
        names = ", ".join(str(s) for s in schedule_ids)
        super().__init__(f"schedules run from this report's upload: {names}; delete them first")
        self.schedule_ids = schedule_ids
