"""A stored task state carries the last day its light stays as computed (``valid_through``:
progress.states.valid_through), so the first read of a new day computes again only the tasks whose
deadline or due date has passed since, instead of every task of the plan. The rows stored before
get their own day: they are computed again once, as before."""

from django.db import migrations, models


def own_day(apps, schema_editor):
    apps.get_model("progress", "StoredState").objects.update(valid_through=models.F("as_of"))


class Migration(migrations.Migration):
    dependencies = [("progress", "0006_task_field_stamps")]

    operations = [
        migrations.AddField(
            model_name="storedstate",
            name="valid_through",
            field=models.DateField(null=True, verbose_name="有效至"),
        ),
        migrations.RunPython(own_day, migrations.RunPython.noop, elidable=True),
        migrations.AlterField(
            model_name="storedstate",
            name="valid_through",
            field=models.DateField(verbose_name="有效至"),
        ),
    ]
