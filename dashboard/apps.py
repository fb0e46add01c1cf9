from django.apps import AppConfig


class DashboardConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "dashboard"
    verbose_name = "领导看板"

    def ready(self) -> None:
        from dashboard import closings, freshness

        closings.connect()
        freshness.connect()
        freshness.warm_up()
