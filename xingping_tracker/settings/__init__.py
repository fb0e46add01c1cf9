"""Settings split by environment: base, local, production, test.

DJANGO_SETTINGS_MODULE chooses one; manage.py defaults to ``local``.
"""
