from django.apps import AppConfig


class RemindersConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "reminders"
    verbose_name = "催办提醒"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from reminders.roles import ensure_reminder_permissions

        post_migrate.connect(
            ensure_reminder_permissions, sender=self, dispatch_uid="reminders.ensure_reminder_permissions"
        )
