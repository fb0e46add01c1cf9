"""WSGI entry point (gunicorn in production)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xingping_tracker.settings.production")

application = get_wsgi_application()

from xingping_tracker.core.heap import freeze_startup_heap  # noqa: E402 - after Django is set up

freeze_startup_heap()
