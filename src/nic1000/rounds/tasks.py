"""Scheduled work of the rounds (registered in `RoundsConfig.ready()`, run daily by `nic1000 worker`): each job
only calls its service, which is idempotent (dedupe keys per round and recipient)."""

from __future__ import annotations

import datetime as dt

from nic1000.rounds.services import reminders


def review_reminders_due(*, now: dt.datetime) -> int:
    """Evaluators with reviews not submitted: the deadline is near, or has passed."""
    return reminders.reviews_due(now=now)


def nominations_closing_due(*, now: dt.datetime) -> int:
    """Bodies' officers: nominations close in a few days."""
    return reminders.nominations_closing(now=now)
