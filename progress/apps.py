from django.apps import AppConfig


class ProgressConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "progress"
    verbose_name = "进展填报与审核"

    def ready(self) -> None:
        # A report's stored role follows its unit's effective role (progress.services.report_roles).
        from tasks.signals import effective_units_changed

        from .services.report_roles import on_effective_units_changed

        effective_units_changed.connect(on_effective_units_changed, dispatch_uid="progress.align_report_roles")
