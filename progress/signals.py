"""What the progress services tell other apps, inside the transaction of the change.

The reminders app turns these into the units' notices (in-app and in the next digest); it connects
its receivers in its ``AppConfig.ready``, so progress never imports it (the app layering). The
signals are sent with ``send`` inside the service's transaction: a notice is written with the change
it tells of, and a change that rolls back leaves none.

- ``report_reviewed(report, accepted)``: the plan office accepted or returned a report.
- ``extension_decided(request, approved)``: an extension request was approved or refused.
- ``period_moved(period, department_ids, opened)``: a period opened (or reopened) or closed.

And one question, asked while a page is read (not in a transaction):

- ``latest_readings_asked(target_ids)``: the task page asks for each target's latest reading. The
  indicators app answers with a dict ``{target id: reading}`` (its one series,
  ``indicators.selectors.actual_series``: delivered lead reports and the plan office's entries);
  a reading has ``year``, ``value`` and ``data_date`` (None for an entry of a year without a date).
"""

from django.dispatch import Signal

report_reviewed = Signal()
extension_decided = Signal()
period_moved = Signal()
latest_readings_asked = Signal()
