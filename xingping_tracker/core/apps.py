from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "xingping_tracker.core"
    label = "core"
    verbose_name = "公共"
