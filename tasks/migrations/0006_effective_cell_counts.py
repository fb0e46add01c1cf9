"""Per-unit cell counts of a plan (tasks.models.EffectiveCellCount), kept by triggers: a primary row
of the effective-assignment table written, removed or changed, and a task moved to another plan,
add to and subtract from the counts in the same transaction, whoever makes the write. SQLite: row
triggers; PostgreSQL: statement-level triggers over the transition tables (the rows locked and
upserted in key order). A count that falls to zero is deleted; a subtraction never creates a row.
The counts of the rows already stored are filled in here."""

from django.db import migrations, models

COUNTS = "tasks_effectivecellcount"
CELLS = "tasks_effectiveassignment"
TASK = "tasks_task"
KEY = "(plan_id, unit_id, role)"
TRIGGERS = {  # name: table (the same names on both databases)
    f"{CELLS}_counts_ins": CELLS,
    f"{CELLS}_counts_upd": CELLS,
    f"{CELLS}_counts_del": CELLS,
    f"{TASK}_counts_plan": TASK,
}
PG_FUNCTIONS = ("effective_counts_add", "effective_counts_remove", "effective_counts_change", "effective_counts_plan")


def _add_sqlite(row: str) -> str:
    return (
        f"INSERT INTO {COUNTS} (plan_id, unit_id, role, cells)"
        f" SELECT t.plan_id, {row}.department_id, {row}.role, 1 FROM {TASK} t"
        f" WHERE {row}.is_primary AND t.id = {row}.task_id"
        f" ON CONFLICT {KEY} DO UPDATE SET cells = cells + 1;"
    )


def _remove_sqlite(row: str) -> str:
    return (
        f"UPDATE {COUNTS} SET cells = cells - 1 WHERE {row}.is_primary"
        f" AND plan_id = (SELECT t.plan_id FROM {TASK} t WHERE t.id = {row}.task_id)"
        f" AND unit_id = {row}.department_id AND role = {row}.role;"
        f" DELETE FROM {COUNTS} WHERE cells <= 0 AND unit_id = {row}.department_id AND role = {row}.role;"
    )


def _sqlite_statements() -> list[str]:
    moved = (
        f"SELECT COUNT(*) FROM {CELLS} ea WHERE ea.task_id = NEW.id AND ea.is_primary"
        f" AND ea.department_id = {COUNTS}.unit_id AND ea.role = {COUNTS}.role"
    )
    return [
        f"CREATE TRIGGER {CELLS}_counts_ins AFTER INSERT ON {CELLS} WHEN NEW.is_primary BEGIN {_add_sqlite('NEW')} END",
        f"CREATE TRIGGER {CELLS}_counts_upd AFTER UPDATE OF is_primary, role, department_id, task_id ON {CELLS}"
        f" BEGIN {_remove_sqlite('OLD')} {_add_sqlite('NEW')} END",
        f"CREATE TRIGGER {CELLS}_counts_del AFTER DELETE ON {CELLS} WHEN OLD.is_primary BEGIN {_remove_sqlite('OLD')} END",
        f"CREATE TRIGGER {TASK}_counts_plan AFTER UPDATE OF plan_id ON {TASK} WHEN OLD.plan_id IS NOT NEW.plan_id BEGIN"
        f" UPDATE {COUNTS} SET cells = cells - ({moved}) WHERE plan_id = OLD.plan_id;"
        f" DELETE FROM {COUNTS} WHERE plan_id = OLD.plan_id AND cells <= 0;"
        f" INSERT INTO {COUNTS} (plan_id, unit_id, role, cells)"
        f" SELECT NEW.plan_id, ea.department_id, ea.role, COUNT(*) FROM {CELLS} ea WHERE ea.task_id = NEW.id AND ea.is_primary"
        f" GROUP BY ea.department_id, ea.role ON CONFLICT {KEY} DO UPDATE SET cells = cells + excluded.cells;"
        " END",
    ]


def _pg_add(rows: str) -> str:
    """Add the counts of ``rows`` (a query of plan_id, unit_id, role, n), in key order."""
    return (
        f"INSERT INTO {COUNTS} (plan_id, unit_id, role, cells) SELECT * FROM ({rows}) AS added ORDER BY 1, 2, 3"
        f" ON CONFLICT {KEY} DO UPDATE SET cells = {COUNTS}.cells + EXCLUDED.cells;"
    )


def _pg_remove(rows: str) -> str:
    """Subtract the counts of ``rows`` from the rows that exist, locked in key order first."""
    return f"""
        PERFORM 1 FROM {COUNTS} c WHERE {KEY} IN (SELECT plan_id, unit_id, role FROM ({rows}) AS locked)
        ORDER BY c.plan_id, c.unit_id, c.role FOR UPDATE;
        UPDATE {COUNTS} c SET cells = c.cells - r.n FROM ({rows}) AS r
        WHERE c.plan_id = r.plan_id AND c.unit_id = r.unit_id AND c.role = r.role;
        DELETE FROM {COUNTS} WHERE cells <= 0;
    """


def _pg_counts(rows: str) -> str:
    return (
        f"SELECT t.plan_id AS plan_id, x.department_id AS unit_id, x.role AS role, COUNT(*) AS n"
        f" FROM {rows} x JOIN {TASK} t ON t.id = x.task_id WHERE x.is_primary GROUP BY 1, 2, 3"
    )


def _pg_function(name: str, body: str) -> str:
    return f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN {body} RETURN NULL; END $$"


def _pg_statements() -> list[str]:
    moved = (
        f"SELECT n.id AS task_id, o.plan_id AS old_plan, n.plan_id AS new_plan FROM new_rows n"
        f" JOIN old_rows o ON o.id = n.id WHERE n.plan_id IS DISTINCT FROM o.plan_id"
    )

    def of_moved(plan: str) -> str:
        return (
            f"SELECT m.{plan} AS plan_id, ea.department_id AS unit_id, ea.role AS role, COUNT(*) AS n"
            f" FROM ({moved}) m JOIN {CELLS} ea ON ea.task_id = m.task_id AND ea.is_primary GROUP BY 1, 2, 3"
        )

    return [
        _pg_function("effective_counts_add", _pg_add(_pg_counts("new_rows"))),
        _pg_function("effective_counts_remove", _pg_remove(_pg_counts("old_rows"))),
        _pg_function(
            "effective_counts_change", _pg_remove(_pg_counts("old_rows")) + _pg_add(_pg_counts("new_rows"))
        ),
        _pg_function("effective_counts_plan", _pg_remove(of_moved("old_plan")) + _pg_add(of_moved("new_plan"))),
        f"CREATE TRIGGER {CELLS}_counts_ins AFTER INSERT ON {CELLS} REFERENCING NEW TABLE AS new_rows"
        " FOR EACH STATEMENT EXECUTE FUNCTION effective_counts_add()",
        f"CREATE TRIGGER {CELLS}_counts_upd AFTER UPDATE ON {CELLS} REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows"
        " FOR EACH STATEMENT EXECUTE FUNCTION effective_counts_change()",
        f"CREATE TRIGGER {CELLS}_counts_del AFTER DELETE ON {CELLS} REFERENCING OLD TABLE AS old_rows"
        " FOR EACH STATEMENT EXECUTE FUNCTION effective_counts_remove()",
        f"CREATE TRIGGER {TASK}_counts_plan AFTER UPDATE ON {TASK} REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows"
        " FOR EACH STATEMENT EXECUTE FUNCTION effective_counts_plan()",
    ]


def create_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        statements = _sqlite_statements()
    elif vendor == "postgresql":
        statements = _pg_statements()
    else:  # pragma: no cover - the project runs on SQLite and PostgreSQL only
        raise RuntimeError(f"the cell counts need triggers written for {vendor}")
    for statement in statements:
        schema_editor.execute(statement)
    schema_editor.execute(
        f"INSERT INTO {COUNTS} (plan_id, unit_id, role, cells)"
        f" SELECT t.plan_id, ea.department_id, ea.role, COUNT(*) FROM {CELLS} ea JOIN {TASK} t ON t.id = ea.task_id"
        " WHERE ea.is_primary GROUP BY t.plan_id, ea.department_id, ea.role"
    )


def drop_triggers(apps, schema_editor):
    postgresql = schema_editor.connection.vendor == "postgresql"
    for name, table in TRIGGERS.items():
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}{' ON ' + table if postgresql else ''}")
    if postgresql:
        for name in PG_FUNCTIONS:
            schema_editor.execute(f"DROP FUNCTION IF EXISTS {name}()")


class Migration(migrations.Migration):

    dependencies = [
        ('tasks', '0005_plan_closing'),
    ]

    operations = [
        migrations.CreateModel(
            name='EffectiveCellCount',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('plan_id', models.BigIntegerField(verbose_name='规划')),
                ('unit_id', models.BigIntegerField(verbose_name='单位')),
                ('role', models.CharField(choices=[('lead', '牵头'), ('supporting', '配合')], max_length=16, verbose_name='角色')),
                ('cells', models.IntegerField(verbose_name='任务数')),
            ],
            options={
                'verbose_name': '单位承担任务数',
                'verbose_name_plural': '单位承担任务数',
                'constraints': [models.UniqueConstraint(fields=('plan_id', 'unit_id', 'role'), name='effective_cell_count_key')],
            },
        ),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
