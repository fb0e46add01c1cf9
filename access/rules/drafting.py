"""Drafting new plans from work reports: the plan office's work alone."""

from __future__ import annotations

from access.actor import Actor


def can_draft(actor: Actor) -> bool:
    return actor.is_reviewer
