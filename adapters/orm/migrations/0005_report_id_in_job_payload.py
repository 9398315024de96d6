"""Report jobs carry their report's id in their payload (chunks and merges inherit it), so a
worker loads the report by id and the API links any report job to its report."""

from django.db import migrations


def forwards(apps, schema_editor):
    Job = apps.get_model("reportflow", "JobRecord")
    Report = apps.get_model("reportflow", "ReportRecord")
    for report_id, job_id in Report.objects.values_list("id", "job_id").iterator():
        for job in Job.objects.filter(id=job_id) | Job.objects.filter(parent_id=job_id):
            if "report_id" not in job.payload:
                job.payload = {**job.payload, "report_id": str(report_id)}
                job.save(update_fields=["payload"])


class Migration(migrations.Migration):
    dependencies = [("reportflow", "0004_fan_out_resends_report_documents")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
