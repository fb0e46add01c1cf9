"""No models: the module exists so that migrate sends ``post_migrate`` for this app (see apps.py)."""
