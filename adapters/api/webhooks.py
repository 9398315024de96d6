"""Webhook endpoints: register, read, change, delete, rotate the secret, send a test ping;
and each endpoint's delivery log, with redelivery. Responses render through the output
serializers that document them."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_serializer
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

from adapters.api.owner import owner_id
from adapters.api.pagination import next_page_url
from application.notifications.change_endpoint import ChangeWebhookEndpoint, DeleteWebhookEndpoint
from application.notifications.create_endpoint import CreateWebhookEndpoint
from application.notifications.get_endpoints import GetWebhookEndpoint, ListWebhookEndpoints
from application.notifications.list_deliveries import GetWebhookDelivery, ListWebhookDeliveries
from application.notifications.read_models import EndpointWithSecret, WebhookDeliveryView, WebhookEndpointView
from application.notifications.rotate_secret import RotateWebhookSecret
from application.notifications.send_again import Redeliver, SendTestEvent
from config.container import container
from domain.job_status import JobStatus
from domain.notifications.events import JOB_EVENTS, EventType

EVENT_CHOICES = sorted(JOB_EVENTS)
_DISABLED = OpenApiResponse(description="the endpoint is disabled: enable it first (problem+json)")
_REFUSED = OpenApiResponse(description="the URL may not be called (SSRF protection) or the input is invalid")


class WebhookOutput(serializers.Serializer):
    id = serializers.UUIDField()
    url = serializers.CharField()
    events = serializers.ListField(child=serializers.ChoiceField(choices=EVENT_CHOICES))
    enabled = serializers.BooleanField()
    disabled_reason = serializers.CharField(allow_blank=True)
    disabled_at = serializers.DateTimeField(allow_null=True)
    consecutive_failures = serializers.IntegerField(help_text="deliveries failed for good since the last success")
    previous_secret_expires_at = serializers.DateTimeField(
        allow_null=True, help_text="until then, deliveries are signed with the previous secret too"
    )
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    links = serializers.DictField(child=serializers.URLField())


class WebhookWithSecretOutput(WebhookOutput):
    secret = serializers.CharField(help_text="whsec_...: shown only at creation and on rotation")


class DeliveryOutput(serializers.Serializer):
    id = serializers.UUIDField()
    event_id = serializers.CharField(help_text="the webhook-id header: the same on every retry and redelivery")
    event_type = serializers.ChoiceField(choices=[e.value for e in EventType])
    status = serializers.ChoiceField(choices=[s.value for s in JobStatus], help_text="its delivery job's status")
    attempts = serializers.IntegerField()
    max_attempts = serializers.IntegerField()
    response_status = serializers.IntegerField(allow_null=True, help_text="of the last attempt; null: no answer")
    latency_ms = serializers.IntegerField(allow_null=True)
    attempted_at = serializers.DateTimeField(allow_null=True)
    last_error = serializers.CharField(allow_blank=True)
    next_attempt_at = serializers.DateTimeField(allow_null=True)
    note = serializers.CharField(allow_blank=True, help_text="what this delivery did to its endpoint")
    created_at = serializers.DateTimeField()
    links = serializers.DictField(child=serializers.URLField())


class DeliveryDetailOutput(DeliveryOutput):
    payload = serializers.CharField(help_text="the exact body sent")


class WebhookPageOutput(serializers.Serializer):
    results = WebhookOutput(many=True)


class DeliveryPageOutput(serializers.Serializer):
    results = DeliveryOutput(many=True)
    next = serializers.URLField(allow_null=True)


def _webhook(endpoint: WebhookEndpointView, request: Request) -> dict[str, Any]:
    kwargs = {"endpoint_id": endpoint.id}
    links = {
        "self": reverse("api:webhook-detail", kwargs=kwargs, request=request),
        "deliveries": reverse("api:webhook-delivery-list", kwargs=kwargs, request=request),
        "test": reverse("api:webhook-test", kwargs=kwargs, request=request),
        "rotate_secret": reverse("api:webhook-rotate-secret", kwargs=kwargs, request=request),
    }
    return {**endpoint.model_dump(), "links": links}


def _with_secret(created: EndpointWithSecret, request: Request) -> dict[str, Any]:
    return WebhookWithSecretOutput({**_webhook(created.endpoint, request), "secret": created.secret}).data


def _delivery(delivery: WebhookDeliveryView, request: Request) -> dict[str, Any]:
    kwargs = {"endpoint_id": delivery.endpoint_id, "delivery_id": delivery.id}
    links = {
        "self": reverse("api:webhook-delivery-detail", kwargs=kwargs, request=request),
        "redeliver": reverse("api:webhook-redeliver", kwargs=kwargs, request=request),
        "job": reverse("api:job-detail", kwargs={"job_id": delivery.job_id}, request=request),
        "endpoint": reverse("api:webhook-detail", kwargs={"endpoint_id": delivery.endpoint_id}, request=request),
    }
    return {**delivery.model_dump(), "links": links}


class WebhookListApi(APIView):
    @extend_schema_serializer(component_name="WebhookCreateInput")
    class InputSerializer(serializers.Serializer):
        url = serializers.CharField(max_length=2000)
        events = serializers.ListField(child=serializers.ChoiceField(choices=EVENT_CHOICES), min_length=1)

    @extend_schema(operation_id="webhooks_list", responses={200: WebhookPageOutput})
    def get(self, request: Request) -> Response:
        endpoints = container.list_webhooks()(ListWebhookEndpoints(owner_id=owner_id(request)))
        return Response(WebhookPageOutput({"results": [_webhook(e, request) for e in endpoints]}).data)

    @extend_schema(request=InputSerializer, responses={201: WebhookWithSecretOutput, 400: _REFUSED})
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        created = container.create_webhook()(CreateWebhookEndpoint(owner_id=owner_id(request), **data.validated_data))
        body = _with_secret(created, request)
        return Response(body, status=status.HTTP_201_CREATED, headers={"Location": body["links"]["self"]})


class WebhookDetailApi(APIView):
    @extend_schema_serializer(component_name="WebhookChangeInput")
    class InputSerializer(serializers.Serializer):
        url = serializers.CharField(max_length=2000, required=False)
        events = serializers.ListField(
            child=serializers.ChoiceField(choices=EVENT_CHOICES), min_length=1, required=False
        )
        enabled = serializers.BooleanField(required=False, help_text="true again forgets the failures")

    @extend_schema(responses={200: WebhookOutput})
    def get(self, request: Request, endpoint_id: UUID) -> Response:
        endpoint = container.get_webhook()(GetWebhookEndpoint(owner_id=owner_id(request), endpoint_id=endpoint_id))
        return Response(WebhookOutput(_webhook(endpoint, request)).data)

    @extend_schema(request=InputSerializer, responses={200: WebhookOutput, 400: _REFUSED})
    def patch(self, request: Request, endpoint_id: UUID) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        endpoint = container.change_webhook()(
            ChangeWebhookEndpoint(owner_id=owner_id(request), endpoint_id=endpoint_id, **data.validated_data)
        )
        return Response(WebhookOutput(_webhook(endpoint, request)).data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, endpoint_id: UUID) -> Response:
        container.delete_webhook()(DeleteWebhookEndpoint(owner_id=owner_id(request), endpoint_id=endpoint_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class WebhookRotateSecretApi(APIView):
    @extend_schema_serializer(component_name="WebhookRotateSecretInput")
    class InputSerializer(serializers.Serializer):
        grace_seconds = serializers.FloatField(
            required=False,
            min_value=0,
            help_text="how long the previous secret keeps signing too (default WEBHOOK_SECRET_GRACE_SECONDS)",
        )

    @extend_schema(request=InputSerializer, responses={200: WebhookWithSecretOutput})
    def post(self, request: Request, endpoint_id: UUID) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        rotated = container.rotate_webhook_secret()(
            RotateWebhookSecret(owner_id=owner_id(request), endpoint_id=endpoint_id, **data.validated_data)
        )
        return Response(_with_secret(rotated, request))


class WebhookTestApi(APIView):
    @extend_schema(request=None, responses={202: DeliveryOutput, 409: _DISABLED})
    def post(self, request: Request, endpoint_id: UUID) -> Response:
        delivery = container.send_test_webhook()(SendTestEvent(owner_id=owner_id(request), endpoint_id=endpoint_id))
        return Response(DeliveryOutput(_delivery(delivery, request)).data, status=status.HTTP_202_ACCEPTED)


class WebhookDeliveryListApi(APIView):
    class FilterSerializer(serializers.Serializer):
        cursor = serializers.CharField(required=False, max_length=500)
        limit = serializers.IntegerField(required=False, min_value=1, max_value=500, default=50)

    @extend_schema(
        operation_id="webhook_deliveries_list", parameters=[FilterSerializer], responses={200: DeliveryPageOutput}
    )
    def get(self, request: Request, endpoint_id: UUID) -> Response:
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        page = container.list_webhook_deliveries()(
            ListWebhookDeliveries(owner_id=owner_id(request), endpoint_id=endpoint_id, **filters.validated_data)
        )
        body = {
            "results": [_delivery(d, request) for d in page.items],
            "next": next_page_url(
                request, "api:webhook-delivery-list", page.next_cursor, kwargs={"endpoint_id": endpoint_id}
            ),
        }
        return Response(DeliveryPageOutput(body).data)


class WebhookDeliveryDetailApi(APIView):
    @extend_schema(responses={200: DeliveryDetailOutput})
    def get(self, request: Request, endpoint_id: UUID, delivery_id: UUID) -> Response:
        delivery = container.get_webhook_delivery()(
            GetWebhookDelivery(owner_id=owner_id(request), endpoint_id=endpoint_id, delivery_id=delivery_id)
        )
        return Response(DeliveryDetailOutput({**_delivery(delivery, request), "payload": delivery.payload}).data)


class WebhookRedeliverApi(APIView):
    @extend_schema(request=None, responses={202: DeliveryOutput, 409: _DISABLED})
    def post(self, request: Request, endpoint_id: UUID, delivery_id: UUID) -> Response:
        delivery = container.redeliver_webhook()(
            Redeliver(owner_id=owner_id(request), endpoint_id=endpoint_id, delivery_id=delivery_id)
        )
        return Response(DeliveryOutput(_delivery(delivery, request)).data, status=status.HTTP_202_ACCEPTED)
