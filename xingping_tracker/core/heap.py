"""The start-up heap, frozen: what a web or worker process loads once (Django, the apps, the URLconf
and its views) is moved out of the garbage collector's generations with :func:`gc.freeze`.

Why: CPython's full collections scan every tracked object. A process that has loaded Django holds
about 125,000 of them for its whole life; each full collection during a large read (the annual
assessment's draft reads tens of thousands of rows) rescanned them all. Frozen, they are never
scanned again (nor freed: they live as long as the process anyway), and pages that fork share them
with fewer copy-on-write faults. Nothing else changes: cycles made later are collected as before.

Called once per process: at the end of ``xingping_tracker.wsgi`` (each gunicorn worker) and when a
Celery worker process starts (``xingping_tracker.celery``); ``bench/`` calls it at the same point so
its figures are the production processes'.
"""

from __future__ import annotations

import gc


def freeze_startup_heap(*, load_urls: bool = True) -> int:
    """Load the URLconf (so the views' modules are part of the start-up heap), collect what start-up
    left as garbage, freeze the rest. Returns the number of objects frozen."""
    if load_urls:
        from django.urls import get_resolver

        get_resolver().url_patterns  # noqa: B018 - imports every view module
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()
