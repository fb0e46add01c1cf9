"""PostgreSQL: the cell-count triggers (migration 0006) first take a transaction-level advisory lock
per plan whose counts the statement changes, in plan order.

Each statement locked its count rows in key order, but a transaction writes them in several
statements (the refresh deletes the stale rows, then inserts the new ones), so two transactions
moving units in opposite directions within one plan could each hold the rows the other needs next:
PostgreSQL would abort one of them as deadlocked. Holding the plan's lock until the commit makes
such writers of one plan wait for each other instead; writers of other plans, and the reports,
which never write these rows, are not held up. SQLite has one writer at a time: nothing to do."""

from importlib import import_module

from django.db import migrations

# The functions of 0006, whose text this migration extends (a migration's code never changes).
counts = import_module("tasks.migrations.0006_effective_cell_counts")

# The advisory locks' first key: this lock's own namespace (the second key is the plan id).
LOCK_NAMESPACE = 170017
MOVED = (  # the tasks a statement on the task table moved to another plan
    "SELECT n.id AS task_id, o.plan_id AS old_plan, n.plan_id AS new_plan FROM new_rows n"
    " JOIN old_rows o ON o.id = n.id WHERE n.plan_id IS DISTINCT FROM o.plan_id"
)
LOCKED_PLANS = {  # function: the plans whose counts its statement changes
    "effective_counts_add": f"SELECT t.plan_id FROM new_rows x JOIN {counts.TASK} t ON t.id = x.task_id",
    "effective_counts_remove": f"SELECT t.plan_id FROM old_rows x JOIN {counts.TASK} t ON t.id = x.task_id",
    "effective_counts_change": (
        f"SELECT t.plan_id FROM old_rows x JOIN {counts.TASK} t ON t.id = x.task_id"
        f" UNION SELECT t.plan_id FROM new_rows x JOIN {counts.TASK} t ON t.id = x.task_id"
    ),
    "effective_counts_plan": f"SELECT old_plan FROM ({MOVED}) m UNION SELECT new_plan FROM ({MOVED}) m",
}


def _lock(plans: str) -> str:
    """Take the advisory lock of each plan in ``plans`` (a query of plan ids), in plan order."""
    return (
        f"PERFORM pg_advisory_xact_lock({LOCK_NAMESPACE}, p.plan_id::integer)"
        f" FROM (SELECT DISTINCT q.plan_id FROM ({plans}) AS q (plan_id) ORDER BY 1) AS p;"
    )


def _functions(*, locked: bool) -> list[str]:
    """0006's trigger functions, replaced; with ``locked``, each first takes its plans' locks."""
    statements = []
    for statement in counts._pg_statements():
        if not statement.startswith("CREATE FUNCTION "):
            continue  # the triggers themselves stay
        name = statement.removeprefix("CREATE FUNCTION ").split("(", 1)[0]
        if locked:
            statement = statement.replace(" AS $$ BEGIN ", f" AS $$ BEGIN {_lock(LOCKED_PLANS[name])} ", 1)
        statements.append(statement.replace("CREATE FUNCTION ", "CREATE OR REPLACE FUNCTION ", 1))
    if len(statements) != len(LOCKED_PLANS):
        raise RuntimeError("0006's trigger functions are not those this migration replaces")
    return statements


def lock_plans(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in _functions(locked=True):
            schema_editor.execute(statement)


def unlock_plans(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in _functions(locked=False):
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("tasks", "0007_effective_pairs_statistics")]

    operations = [migrations.RunPython(lock_plans, unlock_plans, elidable=False)]
