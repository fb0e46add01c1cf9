"""Writes of the reminders app: one module per area (scan, delivery, recipients, notifications)."""
