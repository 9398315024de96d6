"""Webhook endpoints: register, read, change, delete, rotate the secret, send a test ping;
and each endpoint's delivery log, with redelivery. Every response renders through the
output serializer that documents it."""

from __future__ import annotations

from uuid import UUID

from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from adapters.api.owner import owner_id
from adapters.api.pagination import NextPage, PageFilter
from adapters.api.representations import JOB_STATUSES
from adapters.api.schema import location_header, problem_responses
from adapters.links import Link
from application.notifications.change_endpoint import ChangeWebhookEndpoint, DeleteWebhookEndpoint
from application.notifications.create_endpoint import CreateWebhookEndpoint
from application.notifications.get_endpoints import GetWebhookEndpoint, ListWebhookEndpoints
from application.notifications.list_deliveries import GetWebhookDelivery, ListWebhookDeliveries
from application.notifications.rotate_secret import RotateWebhookSecret
from application.notifications.send_again import Redeliver, SendTestEvent
from config.container import container
from domain.notifications.events import JOB_EVENTS, EventType

# what an endpoint may subscribe to, and every event type a delivery may carry (ping too)
WEBHOOK_EVENTS = sorted(event.value for event in JOB_EVENTS)
EVENT_TYPES = sorted(event.value for event in EventType)
_ENDPOINT = {"endpoint_id": "id"}


@extend_schema_serializer(component_name="WebhookLinks")
class WebhookLinksOutput(serializers.Serializer):
    self = Link("api:webhook-detail", path=_ENDPOINT)
    deliveries = Link("api:webhook-delivery-list", path=_ENDPOINT, help_text="the delivery log")
    test = Link("api:webhook-test", path=_ENDPOINT, help_text="POST: send a signed ping")
    rotate_secret = Link("api:webhook-rotate-secret", path=_ENDPOINT, help_text="POST: a new signing secret")


@extend_schema_serializer(component_name="Webhook")
class WebhookOutput(serializers.Serializer):
    id = serializers.UUIDField()
    url = serializers.CharField()
    events = serializers.ListField(child=serializers.ChoiceField(choices=WEBHOOK_EVENTS))
    enabled = serializers.BooleanField()
    disabled_reason = serializers.CharField(allow_blank=True)
    disabled_at = serializers.DateTimeField(allow_null=True)
    consecutive_failures = serializers.IntegerField(help_text="deliveries failed for good since the last success")
    previous_secret_expires_at = serializers.DateTimeField(
        allow_null=True, help_text="until then, deliveries carry a signature with the previous secret too"
    )
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    links = WebhookLinksOutput(source="*")


@extend_schema_serializer(component_name="WebhookWithSecret")
class WebhookWithSecretOutput(WebhookOutput):
    secret = serializers.CharField(help_text="whsec_...: shown only at creation and on rotation")


@extend_schema_serializer(component_name="WebhookList")
class WebhookListOutput(serializers.Serializer):
    results = WebhookOutput(many=True)


@extend_schema_serializer(component_name="WebhookDeliveryLinks")
class DeliveryLinksOutput(serializers.Serializer):
    self = Link("api:webhook-delivery-detail", path={"endpoint_id": "endpoint_id", "delivery_id": "id"})
    redeliver = Link(
        "api:webhook-redeliver",
        path={"endpoint_id": "endpoint_id", "delivery_id": "id"},
        help_text="POST: send the same event again, under the same webhook-id",
    )
    job = Link("api:job-detail", path={"job_id": "job_id"}, help_text="the delivery job and its audit trail")
    endpoint = Link("api:webhook-detail", path={"endpoint_id": "endpoint_id"})


@extend_schema_serializer(component_name="WebhookDelivery")
class DeliveryOutput(serializers.Serializer):
    id = serializers.UUIDField()
    event_id = serializers.CharField(help_text="the webhook-id header: the same on every retry and redelivery")
    event_type = serializers.ChoiceField(choices=EVENT_TYPES)
    status = serializers.ChoiceField(choices=JOB_STATUSES, help_text="its delivery job's status")
    attempts = serializers.IntegerField()
    max_attempts = serializers.IntegerField()
    response_status = serializers.IntegerField(allow_null=True, help_text="of the last attempt; null: no answer")
    latency_ms = serializers.IntegerField(allow_null=True)
    attempted_at = serializers.DateTimeField(allow_null=True)
    last_error = serializers.CharField(allow_blank=True)
    next_attempt_at = serializers.DateTimeField(allow_null=True)
    note = serializers.CharField(allow_blank=True, help_text="what this delivery did to its endpoint")
    created_at = serializers.DateTimeField()
    links = DeliveryLinksOutput(source="*")


@extend_schema_serializer(component_name="WebhookDeliveryDetail")
class DeliveryDetailOutput(DeliveryOutput):
    payload = serializers.CharField(help_text="the exact body sent")


@extend_schema_serializer(component_name="WebhookDeliveryPage")
class DeliveryPageOutput(serializers.Serializer):
    results = DeliveryOutput(many=True, source="items")
    next = NextPage("api:webhook-delivery-list")


class WebhookListApi(APIView):
    @extend_schema_serializer(component_name="WebhookCreate")
    class InputSerializer(serializers.Serializer):
        url = serializers.CharField(max_length=2000, help_text="http(s), reaching public addresses only")
        events = serializers.ListField(child=serializers.ChoiceField(choices=WEBHOOK_EVENTS), min_length=1)

    @extend_schema(operation_id="webhooks_list", responses={200: WebhookListOutput})
    def get(self, request: Request) -> Response:
        endpoints = container.list_webhooks()(ListWebhookEndpoints(owner_id=owner_id(request)))
        return Response(WebhookListOutput({"results": endpoints}, context={"request": request}).data)

    @extend_schema(
        operation_id="webhooks_create",
        request=InputSerializer,
        parameters=[location_header(201, description="the endpoint")],
        responses={
            201: WebhookWithSecretOutput,
            **problem_responses(
                "validation-error", "malformed-request", "webhook-url-refused", "webhook-limit-reached"
            ),
        },
    )
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        created = container.create_webhook()(CreateWebhookEndpoint(owner_id=owner_id(request), **data.validated_data))
        body = WebhookWithSecretOutput(created, context={"request": request}).data
        return Response(body, status=status.HTTP_201_CREATED, headers={"Location": body["links"]["self"]})


class WebhookDetailApi(APIView):
    @extend_schema_serializer(component_name="WebhookChange")
    class InputSerializer(serializers.Serializer):
        url = serializers.CharField(max_length=2000, required=False)
        events = serializers.ListField(
            child=serializers.ChoiceField(choices=WEBHOOK_EVENTS), min_length=1, required=False
        )
        enabled = serializers.BooleanField(required=False, help_text="true again forgets the failures")

    @extend_schema(operation_id="webhooks_retrieve", responses={200: WebhookOutput, **problem_responses("not-found")})
    def get(self, request: Request, endpoint_id: UUID) -> Response:
        endpoint = container.get_webhook()(GetWebhookEndpoint(owner_id=owner_id(request), endpoint_id=endpoint_id))
        return Response(WebhookOutput(endpoint, context={"request": request}).data)

    @extend_schema(
        operation_id="webhooks_change",
        request=InputSerializer,
        responses={
            200: WebhookOutput,
            **problem_responses("validation-error", "malformed-request", "webhook-url-refused", "not-found"),
        },
    )
    def patch(self, request: Request, endpoint_id: UUID) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        endpoint = container.change_webhook()(
            ChangeWebhookEndpoint(owner_id=owner_id(request), endpoint_id=endpoint_id, **data.validated_data)
        )
        return Response(WebhookOutput(endpoint, context={"request": request}).data)

    @extend_schema(operation_id="webhooks_delete", responses={204: None, **problem_responses("not-found")})
    def delete(self, request: Request, endpoint_id: UUID) -> Response:
        container.delete_webhook()(DeleteWebhookEndpoint(owner_id=owner_id(request), endpoint_id=endpoint_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class WebhookRotateSecretApi(APIView):
    @extend_schema_serializer(component_name="WebhookRotateSecret")
    class InputSerializer(serializers.Serializer):
        grace_seconds = serializers.FloatField(
            required=False,
            min_value=0,
            help_text="how long the previous secret keeps signing too (default WEBHOOK_SECRET_GRACE_SECONDS)",
        )

    @extend_schema(
        operation_id="webhooks_rotate_secret",
        request=InputSerializer,
        responses={
            200: WebhookWithSecretOutput,
            **problem_responses("validation-error", "malformed-request", "not-found"),
        },
    )
    def post(self, request: Request, endpoint_id: UUID) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        rotated = container.rotate_webhook_secret()(
            RotateWebhookSecret(owner_id=owner_id(request), endpoint_id=endpoint_id, **data.validated_data)
        )
        return Response(WebhookWithSecretOutput(rotated, context={"request": request}).data)


class WebhookTestApi(APIView):
    @extend_schema(
        operation_id="webhooks_test",
        request=None,
        responses={202: DeliveryOutput, **problem_responses("not-found", "webhook-disabled")},
    )
    def post(self, request: Request, endpoint_id: UUID) -> Response:
        delivery = container.send_test_webhook()(SendTestEvent(owner_id=owner_id(request), endpoint_id=endpoint_id))
        return Response(DeliveryOutput(delivery, context={"request": request}).data, status=status.HTTP_202_ACCEPTED)


class WebhookDeliveryListApi(APIView):
    @extend_schema(
        operation_id="webhook_deliveries_list",
        parameters=[PageFilter],
        responses={
            200: DeliveryPageOutput,
            **problem_responses("validation-error", "invalid-cursor", "not-found"),
        },
    )
    def get(self, request: Request, endpoint_id: UUID) -> Response:
        filters = PageFilter(data=request.query_params)
        filters.is_valid(raise_exception=True)
        page = container.list_webhook_deliveries()(
            ListWebhookDeliveries(owner_id=owner_id(request), endpoint_id=endpoint_id, **filters.validated_data)
        )
        return Response(DeliveryPageOutput(page, context={"request": request}).data)


class WebhookDeliveryDetailApi(APIView):
    @extend_schema(
        operation_id="webhook_deliveries_retrieve",
        responses={200: DeliveryDetailOutput, **problem_responses("not-found")},
    )
    def get(self, request: Request, endpoint_id: UUID, delivery_id: UUID) -> Response:
        delivery = container.get_webhook_delivery()(
            GetWebhookDelivery(owner_id=owner_id(request), endpoint_id=endpoint_id, delivery_id=delivery_id)
        )
        return Response(DeliveryDetailOutput(delivery, context={"request": request}).data)


class WebhookRedeliverApi(APIView):
    @extend_schema(
        operation_id="webhook_deliveries_redeliver",
        request=None,
        responses={202: DeliveryOutput, **problem_responses("not-found", "webhook-disabled")},
    )
    def post(self, request: Request, endpoint_id: UUID, delivery_id: UUID) -> Response:
        delivery = container.redeliver_webhook()(
            Redeliver(owner_id=owner_id(request), endpoint_id=endpoint_id, delivery_id=delivery_id)
        )
        return Response(DeliveryOutput(delivery, context={"request": request}).data, status=status.HTTP_202_ACCEPTED)
