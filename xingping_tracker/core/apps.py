from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "xingping_tracker.core"
    label = "core"
    verbose_name = "公共"

    def ready(self) -> None:
        from xingping_tracker.core import authentication

        authentication.connect_signals()
