"""A task's stamp (progress.standing_store) also moves when the task's own fields that its state is
computed from change: its number, section, binding flag or deadline. The stored task states
(progress.state_store) then need only compare stamps to find what changed. SQLite: one trigger on
those columns; PostgreSQL: a statement-level trigger over the transition tables (transition tables
allow no column list, so the function compares old and new rows itself)."""

from django.db import migrations

STAMP = "progress_standingstamp"
TASK = "tasks_task"
TRIGGER = "tasks_task_standing_upd"
FUNCTION = "standing_bump_task_fields"
COLUMNS = ("number", "section_id", "binding", "deadline")


def create_trigger(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        changed = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in COLUMNS)
        schema_editor.execute(
            f"CREATE TRIGGER {TRIGGER} AFTER UPDATE OF {', '.join(COLUMNS)} ON {TASK} WHEN {changed}"
            f" BEGIN INSERT INTO {STAMP} (task_id, stamp) VALUES (NEW.id, 1)"
            " ON CONFLICT (task_id) DO UPDATE SET stamp = stamp + 1; END"
        )
    elif vendor == "postgresql":
        changed = " OR ".join(f"n.{c} IS DISTINCT FROM o.{c}" for c in COLUMNS)
        schema_editor.execute(
            f"""
            CREATE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                INSERT INTO {STAMP} (task_id, stamp)
                SELECT n.id, 1 FROM new_rows n JOIN old_rows o ON o.id = n.id WHERE {changed} ORDER BY n.id
                ON CONFLICT (task_id) DO UPDATE SET stamp = {STAMP}.stamp + 1;
                RETURN NULL;
            END $$
            """
        )
        schema_editor.execute(
            f"CREATE TRIGGER {TRIGGER} AFTER UPDATE ON {TASK} REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows"
            f" FOR EACH STATEMENT EXECUTE FUNCTION {FUNCTION}()"
        )
    else:  # pragma: no cover - the project runs on SQLite and PostgreSQL only
        raise RuntimeError(f"stored standings need triggers written for {vendor}")


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {TRIGGER} ON {TASK}")
        schema_editor.execute(f"DROP FUNCTION IF EXISTS {FUNCTION}()")
    else:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {TRIGGER}")


class Migration(migrations.Migration):
    dependencies = [
        ("progress", "0005_stored_states"),
        ("tasks", "0005_plan_closing"),
    ]

    operations = [migrations.RunPython(create_trigger, drop_trigger)]
