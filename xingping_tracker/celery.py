"""The Celery application. Settings are read from Django settings with the CELERY_ prefix."""

import os

from celery import Celery
from celery.signals import worker_process_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xingping_tracker.settings.local")

app = Celery("xingping_tracker")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_process_init.connect
def _freeze_startup_heap(**_kwargs: object) -> None:
    """Each worker process freezes what it loaded at start (see xingping_tracker.core.heap)."""
    from xingping_tracker.core.heap import freeze_startup_heap

    freeze_startup_heap(load_urls=False)
