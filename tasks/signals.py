"""What the tasks app tells the apps above it, inside the transaction of the change (they connect
their receivers in their ``AppConfig.ready``, so tasks never imports them: the app layering).

- ``effective_units_changed(task_ids)``: the effective units or their roles changed on these tasks
  (:func:`tasks.services.effective_assignments.refresh_effective_assignments` sends it after it
  rewrote their rows). The progress app keeps its reports' roles equal to the units' effective
  roles (:mod:`progress.services.report_roles`).
"""

from django.dispatch import Signal

effective_units_changed = Signal()
