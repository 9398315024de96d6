"""The caller's own API tokens: list them, revoke one. New ones come from `make token`."""

from __future__ import annotations

from uuid import UUID

from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from adapters.api.owner import owner_id
from adapters.api.schema import problem_responses
from adapters.orm import api_tokens
from adapters.orm.models import ApiTokenRecord


@extend_schema_serializer(component_name="Token")
class TokenOutput(serializers.Serializer):
    id = serializers.UUIDField()
    created_at = serializers.DateTimeField(source="created")
    expires_at = serializers.DateTimeField(source="expiry", allow_null=True, help_text="null: never expires")
    current = serializers.SerializerMethodField(help_text="the token this request was authenticated with")

    def get_current(self, token: ApiTokenRecord) -> bool:
        return bool(token.pk == self.context["current"])


@extend_schema_serializer(component_name="TokenList")
class TokenListOutput(serializers.Serializer):
    results = TokenOutput(many=True)


class TokenListApi(APIView):
    @extend_schema(operation_id="tokens_list", responses={200: TokenListOutput})
    def get(self, request: Request) -> Response:
        tokens = api_tokens.live_tokens(owner_id(request), timezone.now())
        context = {"current": getattr(request.auth, "pk", None)}
        return Response(TokenListOutput({"results": tokens}, context=context).data)


class TokenRevokeApi(APIView):
    @extend_schema(
        operation_id="tokens_revoke",
        responses={
            204: OpenApiResponse(description="revoked: the token no longer authenticates"),
            **problem_responses("not-found"),
        },
    )
    def delete(self, request: Request, token_id: UUID) -> Response:
        if not api_tokens.revoke(owner_id(request), token_id):
            raise NotFound(f"no token {token_id}")
        return Response(status=status.HTTP_204_NO_CONTENT)
