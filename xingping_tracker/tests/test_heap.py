"""The web process freezes its start-up heap (xingping_tracker.core.heap): checked in a fresh
interpreter that imports the WSGI module as gunicorn does."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import gc
before = gc.get_freeze_count()
import xingping_tracker.wsgi
import sys
views = [name for name in sys.modules if name.endswith('.views') or '.views.' in name]
print(before, gc.get_freeze_count(), len(views))
"""


def test_wsgi_module_freezes_the_loaded_app_with_its_views() -> None:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "xingping_tracker.settings.test"}
    result = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    before, frozen, views = (int(word) for word in result.stdout.split())
    assert before == 0
    # Django, the apps and every view module (the URLconf is loaded first) are frozen.
    assert frozen > 50_000
    assert views >= 10


def test_freeze_startup_heap_leaves_later_garbage_collectable() -> None:
    probe = """
import gc, weakref
from xingping_tracker.core.heap import freeze_startup_heap
freeze_startup_heap(load_urls=False)
class Node: pass
a, b = Node(), Node()
a.other, b.other = b, a
gone = weakref.ref(a)
del a, b
gc.collect()
print(gone() is None)
"""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "xingping_tracker.settings.test"}
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()\n" + probe],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True"


def test_the_test_process_runs_with_its_loaded_heap_frozen_as_the_web_process_does() -> None:
    """The harness (conftest.pytest_collection_finish) freezes what start-up and collection loaded
    and collects the youngest generation less often; both are what the suite's figures assume."""
    import gc

    from conftest import GC_YOUNG_THRESHOLD

    assert gc.get_freeze_count() > 50_000
    assert gc.get_threshold()[0] == GC_YOUNG_THRESHOLD
