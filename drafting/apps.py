from django.apps import AppConfig


class DraftingConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "drafting"
    verbose_name = "方案起草"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from progress.roles import ensure_role_groups

        # The plan office's drafting permissions exist only once this app's permissions are created.
        post_migrate.connect(ensure_role_groups, sender=self, dispatch_uid="drafting.ensure_role_groups")
