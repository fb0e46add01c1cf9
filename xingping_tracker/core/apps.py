from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "xingping_tracker.core"
    label = "core"
    verbose_name = "公共"

    def ready(self) -> None:
        from django.db.models import Field, ForeignObject

        from xingping_tracker.core import authentication
        from xingping_tracker.core.sql import InIds

        authentication.connect_signals()
        Field.register_lookup(InIds)
        ForeignObject.register_lookup(InIds)  # relations read only their own class's lookups
