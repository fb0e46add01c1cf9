from django.apps import AppConfig


class IndicatorsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "indicators"
    verbose_name = "指标监测"

    def ready(self) -> None:
        # The task page (progress, a lower layer) asks for its targets' latest readings; the answer
        # is the one series (indicators.selectors.actual_series).
        from progress.signals import latest_readings_asked

        from .selectors import latest_readings

        latest_readings_asked.connect(latest_readings, dispatch_uid="indicators.latest_readings")
