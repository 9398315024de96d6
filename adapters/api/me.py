"""The authenticated user's own settings: e-mail notifications."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from adapters.api.owner import owner_id
from adapters.api.schema import problem_responses
from application.notifications.email_preferences import ChangeEmailPreferences, GetEmailPreferences
from config.container import container


@extend_schema_serializer(component_name="EmailPreferences")
class EmailPreferencesOutput(serializers.Serializer):
    email = serializers.EmailField(allow_blank=True, help_text="where notifications go (the account's by default)")
    email_on_success = serializers.BooleanField()
    email_on_failure = serializers.BooleanField(help_text="failed for good, or dead after the last attempt")


class NotificationPreferencesApi(APIView):
    @extend_schema_serializer(component_name="EmailPreferencesChange")
    class InputSerializer(serializers.Serializer):
        email = serializers.EmailField(required=False, allow_blank=True)
        email_on_success = serializers.BooleanField(required=False)
        email_on_failure = serializers.BooleanField(required=False)

    @extend_schema(operation_id="me_notifications_retrieve", responses={200: EmailPreferencesOutput})
    def get(self, request: Request) -> Response:
        preferences = container.get_email_preferences()(GetEmailPreferences(owner_id=owner_id(request)))
        return Response(EmailPreferencesOutput(preferences).data)

    @extend_schema(
        operation_id="me_notifications_change",
        request=InputSerializer,
        responses={
            200: EmailPreferencesOutput,
            **problem_responses("validation-error", "malformed-request", "email-address-required"),
        },
    )
    def patch(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        preferences = container.change_email_preferences()(
            ChangeEmailPreferences(owner_id=owner_id(request), **data.validated_data)
        )
        return Response(EmailPreferencesOutput(preferences).data)
