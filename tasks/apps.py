from django.apps import AppConfig


class TasksConfig(AppConfig):
    name = "tasks"
    verbose_name = "任务分工"

    def ready(self) -> None:
        # What departments (below tasks) asks of the tasks app: departments.extensions.
        from departments.extensions import group_units_changed, provide_task_facts
        from tasks.selectors import department_task_counts, department_task_overview
        from tasks.services.effective_assignments import refresh_effective_assignments_for_groups

        def refresh_for_groups(sender: object, *, group_ids: list[int], **kwargs: object) -> None:
            refresh_effective_assignments_for_groups(group_ids=group_ids)

        # A group's members or kind decide the units of the tasks naming it.
        group_units_changed.connect(refresh_for_groups, weak=False, dispatch_uid="tasks_refresh_effective_for_groups")
        provide_task_facts(counts=department_task_counts, overview=department_task_overview)
