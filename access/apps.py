from django.apps import AppConfig


class AccessConfig(AppConfig):
    name = "access"
    verbose_name = "权限"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from access.roles import ensure_role_groups

        # Installed after every app whose permissions the groups get, so they exist by now.
        post_migrate.connect(ensure_role_groups, sender=self, dispatch_uid="access.ensure_role_groups")
