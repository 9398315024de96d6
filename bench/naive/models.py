from __future__ import annotations

from django.conf import settings
from django.db import models


class Report(models.Model):
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    file = models.FileField(upload_to="reports/%Y/%m/%d/")
    status = models.CharField(max_length=20, default="queued")
    created_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True)

    def __str__(self) -> str:
        return f"report {self.pk} ({self.status})"
