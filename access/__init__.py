"""Who may see and do what: the one place.

Every page, API route, download, export, template and upload asks this package; nothing else calls
``has_perm`` or filters by unit membership.

- :mod:`access.actor`: the :class:`~access.actor.Actor` (a user's unit, unit role and city-level
  role, read once per request) and :func:`~access.actor.actor_for`.
- :mod:`access.roles`: the role groups (规划科, 市领导) and the one role → permission table.
- :mod:`access.rules`: one module per area (reports, tasks, periods, review board and dashboard,
  exports, offline templates, reminders, notifications, evidence): ``can_…`` answers, ``check_…``
  raises ``ApplicationError``.
- :mod:`access.querysets`: the list forms of the rules (``tasks_visible_to``, ``reports_visible_to``…).
- :mod:`access.units`: a unit's role on a task (from :func:`tasks.selectors.effective_assignments`).

The roles:

- **Unit staff** (a ``departments.Membership`` in an active unit: reporter or unit head) see their
  own unit's reports in any state, and the non-draft reports of other units on tasks where their
  unit is an effective unit (the lead unit reads its supporting units' contributions; drafts stay
  private to their unit). They edit their own unit's reports while the period is open and the
  report is a draft or was returned; both reporters and unit heads submit, except in a unit that
  requires the head's sign-off (``Department.head_signoff_required``), where only the head submits.
  A clerk of a deactivated unit is no unit's staff: they see no unit task anywhere.
- **The plan office** (``progress.review_progressreport``) sees everything and reviews, opens and
  closes periods, closes and reopens tasks, decides extension requests, edits reminder settings.
- **Leadership** (``tasks.view_task`` without the review permission) sees everything, changes nothing.
- Anyone signed in sees their own notifications only.

Nothing here may be imported by a models module (this package reads the models of every app).
"""
