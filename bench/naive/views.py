from __future__ import annotations

from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from bench.naive.models import Report
from bench.naive.tasks import process_report


class ReportSerializer(serializers.ModelSerializer):
    class Meta:
        model = Report
        fields = ["id", "file", "status", "created_at"]
        read_only_fields = ["status", "created_at"]


class ReportUpload(APIView):
    def post(self, request: Request) -> Response:
        serializer = ReportSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        report = serializer.save(owner=request.user)
        process_report.delay(report.id)
        return Response(serializer.data, status=status.HTTP_202_ACCEPTED)
