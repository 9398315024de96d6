"""The e-mail a job's end produces: plain text, rendered from the fixed event, so every
attempt sends the same message with the same Message-ID."""

from __future__ import annotations

from application.notifications.ports import EmailMessage
from domain.notifications.events import EventType, NotificationEvent

_VERB = {
    EventType.JOB_SUCCEEDED: "succeeded",
    EventType.JOB_FAILED: "failed",
    EventType.JOB_DEAD: "failed after its last attempt",
    EventType.JOB_CANCELLED: "was cancelled",
}


def message_id(event: NotificationEvent, *, domain: str) -> str:
    return f"<{event.id}@{domain}>"


def email_for(event: NotificationEvent, *, to: str, domain: str) -> EmailMessage:
    data = event.data
    report = data.get("report") or {}
    what = f"report {report['name']!r}" if report else f"job {data['id']}"
    lines = [
        f"Your {what} {_VERB.get(event.type, event.type.value)}.",
        "",
        f"Job:     {data['links']['self']}",
        f"Status:  {data['status']} after {data['attempts']} attempt(s)",
    ]
    if data.get("error"):
        lines.append(f"Error:   {data['error']}")
    links = data["links"]
    if "report" in links:
        lines.append(f"Report:  {links['report']}")
    if "result" in links:
        lines.append(f"Result:  {links['result']}")
    if report.get("summary"):
        lines.append(f"Summary: {report['summary']}")
    lines += [
        "",
        f"Event {event.id} at {event.timestamp.isoformat()}.",
        "Turn these e-mails off: PATCH /api/v1/me/notifications/",
    ]
    return EmailMessage(
        to=to,
        subject=f"[reportflow] {what} {_VERB.get(event.type, event.type.value)}",
        body="\n".join(lines) + "\n",
        message_id=message_id(event, domain=domain),
        headers={"X-Reportflow-Event": event.type.value},
    )
