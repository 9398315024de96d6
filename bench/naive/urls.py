from django.urls import path

from bench.naive.views import ReportUpload

urlpatterns = [path("api/v1/reports/", ReportUpload.as_view())]
