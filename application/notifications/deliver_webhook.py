"""One attempt of a webhook delivery job.

load:   the delivery, its fixed event and its endpoint's URL and secrets (a deleted endpoint
        or delivery fails the job at once; so does a disabled endpoint).
work:   check the destination again (SSRF; the host is resolved now and the request goes to
        the address that was checked), sign the event's exact bytes for this attempt's
        timestamp with every live secret, POST once; log what the receiver answered in a
        short transaction of its own, so the answer is kept even if this worker dies next.
        A 2xx is done; 410 Gone disables the endpoint and fails the delivery; anything else
        (another status, no answer) is a TransientError, retried with the engine's backoff.
record: the job succeeds.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from application.jobs.registry import Recording
from application.notifications.destinations import DestinationCheck
from application.notifications.ports import (
    HostNotResolved,
    WebhookExchange,
    WebhookRequest,
    WebhookSender,
    WebhookSigner,
)
from application.notifications.settings import NotificationSettings
from domain.errors import JobInputMissing, PermanentError, TransientError
from domain.job import Job
from domain.notifications.delivery import WebhookDelivery
from domain.notifications.errors import RefusedDestination
from domain.notifications.events import NotificationEvent
from domain.ports import Checkpoint, Clock, UnitOfWork

GONE = 410


@dataclass(frozen=True, slots=True)
class LoadedDelivery:
    delivery: WebhookDelivery
    event: NotificationEvent
    url: str
    secrets: tuple[str, ...]


class DeliverWebhookHandler:
    def __init__(
        self,
        *,
        uow: UnitOfWork,
        check: DestinationCheck,
        signer: WebhookSigner,
        sender: WebhookSender,
        clock: Clock,
        settings: NotificationSettings,
    ) -> None:
        self._uow = uow  # for the exchange log, apart from the attempt's transactions
        self._check = check
        self._signer = signer
        self._sender = sender
        self._clock = clock
        self._settings = settings

    def load(self, uow: UnitOfWork, job: Job) -> LoadedDelivery:
        delivery = uow.webhook_deliveries.get(UUID(str(job.payload["delivery_id"])))
        event = uow.notification_events.get(delivery.event_id) if delivery else None
        endpoint = uow.webhook_endpoints.get(delivery.endpoint_id) if delivery else None
        if delivery is None or event is None or endpoint is None:
            raise JobInputMissing("the webhook endpoint or this delivery was deleted")
        if not endpoint.enabled:
            raise PermanentError(f"not sent: the endpoint is disabled ({endpoint.disabled_reason})")
        now = self._clock.now()
        secrets = tuple(secret.value for secret in endpoint.signing_secrets(now))
        return LoadedDelivery(delivery=delivery, event=event, url=endpoint.url, secrets=secrets)

    def runs_briefly(self, job: Job, delivery: LoadedDelivery) -> bool:
        return False  # it calls a remote endpoint, which no row lock may wait for

    def work(self, job: Job, loaded: LoadedDelivery, checkpoint: Checkpoint) -> WebhookExchange:
        checkpoint(None)
        try:
            target = self._check(loaded.url)
        except HostNotResolved as exc:
            raise TransientError(f"the endpoint's host did not resolve: {exc}") from None
        except RefusedDestination as exc:
            raise PermanentError(f"not sent: {exc}") from None
        now = self._clock.now()
        event = loaded.event
        headers = {
            "content-type": "application/json",
            "user-agent": self._settings.user_agent,
            "webhook-id": event.id,
            "webhook-timestamp": str(int(now.timestamp())),
            "webhook-signature": self._signer.sign(
                secrets=loaded.secrets, message_id=event.id, timestamp=now, body=event.body
            ),
        }
        exchange = self._sender.send(
            WebhookRequest(url=loaded.url, address=target.address, headers=headers, body=event.body.encode())
        )
        self._log(job, loaded.delivery, exchange, at=now)
        if exchange.ok:
            return exchange
        if exchange.status == GONE:
            raise PermanentError(f"{exchange.describe()}: the endpoint is gone and now disabled")
        raise TransientError(exchange.describe())

    def record(self, recording: Recording, job: Job, loaded: LoadedDelivery, done: WebhookExchange) -> None:
        job.succeed(now=recording.now, actor=recording.actor)

    def _log(self, job: Job, delivery: WebhookDelivery, exchange: WebhookExchange, *, at: datetime) -> None:
        with self._uow as uow:
            kept = uow.webhook_deliveries.get(delivery.id)
            endpoint = uow.webhook_endpoints.get(delivery.endpoint_id, for_update=True)
            if kept is None or endpoint is None:
                return
            if not kept.record_attempt(
                job.attempts, at=at, response_status=exchange.status, latency_ms=exchange.latency_ms
            ):
                return
            if exchange.ok and endpoint.record_success(now=at):
                uow.webhook_endpoints.save(endpoint)
            elif exchange.status == GONE and endpoint.gone(now=at):
                uow.webhook_endpoints.save(endpoint)
                kept.note = f"endpoint {endpoint.disabled_reason}"
            uow.webhook_deliveries.save(kept)
            uow.commit()
