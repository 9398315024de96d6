from django.urls import path

from adapters.api.job_actions import DeadLetterListApi, DeadLetterReplayApi, JobCancelApi, JobRetryApi
from adapters.api.jobs import JobDetailApi, JobEventsApi, JobListApi
from adapters.api.reports import (
    ReportColumnsCsvApi,
    ReportDetailApi,
    ReportHtmlApi,
    ReportHtmlSignedApi,
    ReportResultApi,
    ReportSubmitApi,
    ReportViolationsCsvApi,
)
from adapters.api.schedules import ScheduleDetailApi, ScheduleListApi, ScheduleRunsApi
from adapters.api.tokens import TokenListApi, TokenRevokeApi

app_name = "api"

urlpatterns = [
    path("reports/", ReportSubmitApi.as_view(), name="report-submit"),
    path("reports/<uuid:report_id>/", ReportDetailApi.as_view(), name="report-detail"),
    path("reports/<uuid:report_id>/result/", ReportResultApi.as_view(), name="report-result"),
    path("reports/<uuid:report_id>/report.html", ReportHtmlApi.as_view(), name="report-html"),
    path("reports/<uuid:report_id>/signed/report.html", ReportHtmlSignedApi.as_view(), name="report-html-signed"),
    path("reports/<uuid:report_id>/columns.csv", ReportColumnsCsvApi.as_view(), name="report-columns"),
    path("reports/<uuid:report_id>/violations.csv", ReportViolationsCsvApi.as_view(), name="report-violations"),
    path("jobs/", JobListApi.as_view(), name="job-list"),
    path("jobs/<uuid:job_id>/", JobDetailApi.as_view(), name="job-detail"),
    path("jobs/<uuid:job_id>/events/", JobEventsApi.as_view(), name="job-events"),
    path("jobs/<uuid:job_id>/cancel/", JobCancelApi.as_view(), name="job-cancel"),
    path("jobs/<uuid:job_id>/retry/", JobRetryApi.as_view(), name="job-retry"),
    path("dead-letters/", DeadLetterListApi.as_view(), name="dead-letter-list"),
    path("dead-letters/<uuid:job_id>/replay/", DeadLetterReplayApi.as_view(), name="dead-letter-replay"),
    path("tokens/", TokenListApi.as_view(), name="token-list"),
    path("tokens/<uuid:token_id>/", TokenRevokeApi.as_view(), name="token-revoke"),
    path("schedules/", ScheduleListApi.as_view(), name="schedule-list"),
    path("schedules/<uuid:schedule_id>/", ScheduleDetailApi.as_view(), name="schedule-detail"),
    path("schedules/<uuid:schedule_id>/runs/", ScheduleRunsApi.as_view(), name="schedule-runs"),
]
