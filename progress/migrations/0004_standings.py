"""Stored task standings (progress.standing_store): the stamp and cell tables, and the triggers that
bump a task's stamp on every write of its inputs — its progress reports, its effective-assignment
rows and its TaskProgress row — whoever makes the write. SQLite: one trigger per table and event;
PostgreSQL: statement-level triggers over the transition tables (one upsert per statement, the
tasks in id order)."""

import django.db.models.deletion
from django.db import migrations, models


# The tables whose rows carry a task_id that a standing is computed from.
INPUT_TABLES = ("progress_progressreport", "tasks_effectiveassignment", "progress_taskprogress")
STAMP = "progress_standingstamp"


def _bump_sqlite(row: str) -> str:
    return (
        f"INSERT INTO {STAMP} (task_id, stamp) VALUES ({row}.task_id, 1)"
        f" ON CONFLICT (task_id) DO UPDATE SET stamp = stamp + 1;"
    )


def _sqlite_statements() -> list[str]:
    statements = []
    for table in INPUT_TABLES:
        statements += [
            f"CREATE TRIGGER {table}_standing_ins AFTER INSERT ON {table} BEGIN {_bump_sqlite('NEW')} END",
            f"CREATE TRIGGER {table}_standing_upd AFTER UPDATE ON {table}"
            f" BEGIN {_bump_sqlite('OLD')} {_bump_sqlite('NEW')} END",
            f"CREATE TRIGGER {table}_standing_del AFTER DELETE ON {table} BEGIN {_bump_sqlite('OLD')} END",
        ]
    return statements


def _pg_function(name: str, rows: str) -> str:
    return f"""
        CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            INSERT INTO {STAMP} (task_id, stamp)
            SELECT task_id, 1 FROM ({rows}) AS changed GROUP BY task_id ORDER BY task_id
            ON CONFLICT (task_id) DO UPDATE SET stamp = {STAMP}.stamp + 1;
            RETURN NULL;
        END $$
    """


def _pg_statements() -> list[str]:
    statements = [
        _pg_function("standing_bump_new", "SELECT task_id FROM new_rows"),
        _pg_function("standing_bump_old", "SELECT task_id FROM old_rows"),
        _pg_function("standing_bump_both", "SELECT task_id FROM new_rows UNION SELECT task_id FROM old_rows"),
    ]
    for table in INPUT_TABLES:
        statements += [
            f"CREATE TRIGGER {table}_standing_ins AFTER INSERT ON {table} REFERENCING NEW TABLE AS new_rows"
            " FOR EACH STATEMENT EXECUTE FUNCTION standing_bump_new()",
            f"CREATE TRIGGER {table}_standing_upd AFTER UPDATE ON {table}"
            " REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows"
            " FOR EACH STATEMENT EXECUTE FUNCTION standing_bump_both()",
            f"CREATE TRIGGER {table}_standing_del AFTER DELETE ON {table} REFERENCING OLD TABLE AS old_rows"
            " FOR EACH STATEMENT EXECUTE FUNCTION standing_bump_old()",
        ]
    return statements


def create_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        statements = _sqlite_statements()
    elif vendor == "postgresql":
        statements = _pg_statements()
    else:  # pragma: no cover - the project runs on SQLite and PostgreSQL only
        raise RuntimeError(f"stored standings need triggers written for {vendor}")
    for statement in statements:
        schema_editor.execute(statement)


def drop_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for table in INPUT_TABLES:
        for event in ("ins", "upd", "del"):
            on = f" ON {table}" if vendor == "postgresql" else ""
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_standing_{event}{on}")
    if vendor == "postgresql":
        for name in ("standing_bump_new", "standing_bump_old", "standing_bump_both"):
            schema_editor.execute(f"DROP FUNCTION IF EXISTS {name}()")


class Migration(migrations.Migration):

    dependencies = [
        ('progress', '0003_align_report_roles'),
        ('tasks', '0005_plan_closing'),
    ]

    operations = [
        migrations.CreateModel(
            name='StandingStamp',
            fields=[
                ('task_id', models.BigIntegerField(primary_key=True, serialize=False, verbose_name='任务')),
                ('stamp', models.BigIntegerField(default=0, verbose_name='变更计数')),
            ],
            options={
                'verbose_name': '任务状态变更计数',
                'verbose_name_plural': '任务状态变更计数',
            },
        ),
        migrations.CreateModel(
            name='StandingCell',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('unit_id', models.BigIntegerField(verbose_name='牵头单位')),
                ('stamp', models.BigIntegerField(verbose_name='变更计数')),
                ('due_on', models.DateField(verbose_name='报送截止日')),
                ('status', models.CharField(blank=True, max_length=16, verbose_name='审核状态')),
                ('progress_status', models.CharField(blank=True, max_length=16, verbose_name='推进状态')),
                ('percent', models.SmallIntegerField(null=True, verbose_name='完成进度（%）')),
                ('on_time', models.BooleanField(default=False, verbose_name='按时报送')),
                ('released', models.BooleanField(default=False, verbose_name='本期已办结')),
                ('silent', models.IntegerField(default=0, verbose_name='未报送配合单位数')),
                ('period', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='progress.reviewperiod', verbose_name='填报期')),
                ('task', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='tasks.task', verbose_name='任务')),
            ],
            options={
                'verbose_name': '任务状态存储',
                'verbose_name_plural': '任务状态存储',
                'constraints': [models.UniqueConstraint(fields=('period', 'task', 'unit_id', 'stamp'), name='standing_cell_unique')],
            },
        ),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
