from typing import Any

from django.apps import AppConfig


class RemindersConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "reminders"
    verbose_name = "催办提醒"

    def ready(self) -> None:
        """Tell the units what happened to their work: the progress services' signals become notices."""
        from progress import signals
        from reminders.services import unit_notices

        def on_report_reviewed(sender: Any, *, report: Any, accepted: bool, **kwargs: Any) -> None:
            unit_notices.report_reviewed(report, accepted=accepted)

        def on_extension_decided(sender: Any, *, request: Any, approved: bool, **kwargs: Any) -> None:
            unit_notices.extension_decided(request, approved=approved)

        def on_period_moved(
            sender: Any, *, period: Any, department_ids: list[int], opened: bool, **kwargs: Any
        ) -> None:
            unit_notices.period_moved(period, department_ids=department_ids, opened=opened)

        signals.report_reviewed.connect(on_report_reviewed, dispatch_uid="reminders.report_reviewed", weak=False)
        signals.extension_decided.connect(on_extension_decided, dispatch_uid="reminders.extension_decided", weak=False)
        signals.period_moved.connect(on_period_moved, dispatch_uid="reminders.period_moved", weak=False)
