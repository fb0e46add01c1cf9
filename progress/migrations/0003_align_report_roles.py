"""Every stored report role made its unit's effective role once (progress.services.report_roles keeps
it so from then on)."""

from django.db import migrations


def align(apps, schema_editor):
    from progress.services.report_roles import align_report_roles

    report, cell = apps.get_model("progress", "ProgressReport"), apps.get_model("tasks", "EffectiveAssignment")
    task_ids = report.objects.order_by().values_list("task_id", flat=True).distinct()
    align_report_roles(list(task_ids), report_model=report, cell_model=cell)


class Migration(migrations.Migration):
    dependencies = [
        ("progress", "0002_actual_series_index"),
        ("tasks", "0005_plan_closing"),
    ]

    operations = [migrations.RunPython(align, migrations.RunPython.noop)]
