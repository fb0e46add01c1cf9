"""PostgreSQL: extended statistics on the effective-assignment table's (unit, task) pairs.

Pages filter reports by "the report's unit counts for its task in this role" (an EXISTS on this
table by unit, task and role: the one rule of :mod:`tasks.services.effective_assignments`). Without
these statistics PostgreSQL multiplies the two columns' distinct counts and guessed about 9,000
pairs where the synthetic plan has 48,000 supporting ones; it then drove the review queue of
contributions (``?role=supporting``) from every pair instead of from the period's reports: 424 ms
for its page of 100 reports, 15 ms with them. Analysed here so that the statistics hold at once on
an existing database. Nothing on SQLite, whose planner has no such statistics."""

from django.db import migrations

NAME = "tasks_effectiveassignment_unit_task_stats"


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"CREATE STATISTICS IF NOT EXISTS {NAME} (ndistinct) ON department_id, task_id FROM tasks_effectiveassignment"
    )
    schema_editor.execute("ANALYZE tasks_effectiveassignment")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP STATISTICS IF EXISTS {NAME}")


class Migration(migrations.Migration):
    dependencies = [("tasks", "0006_effective_cell_counts")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
