from django.apps import AppConfig


class ProgressConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "progress"
    verbose_name = "进展填报与审核"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from progress.roles import ensure_role_groups

        post_migrate.connect(ensure_role_groups, sender=self, dispatch_uid="progress.ensure_role_groups")
