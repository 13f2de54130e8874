"""Reminders: the daily jobs (reviews due or late, nominations closing) and the programme office's reminder to
every late evaluator at once. The jobs are idempotent: each notice carries a dedupe key per round and recipient,
so a second run the same day (or the next day) sends nothing new."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from nic1000.accounts.models import User
from nic1000.audit.services import audit_record
from nic1000.core.access import require_role
from nic1000.core.errors import Conflict
from nic1000.core.roles import OFFICE
from nic1000.registry.models import Body
from nic1000.rounds.models import Nomination, Quota, Round
from nic1000.rounds.pages import missing_reviews_by_evaluator
from nic1000.rounds.services import notices
from nic1000.rounds.workflows import RoundState


def review_due_days() -> int:
    """How many days before the scoring deadline evaluators are reminded (setting ROUNDS_REVIEW_DUE_DAYS)."""
    return int(getattr(settings, "ROUNDS_REVIEW_DUE_DAYS", 3))


def nominations_closing_days() -> int:
    """How many days before nominations close the bodies are reminded (ROUNDS_NOMINATIONS_CLOSING_DAYS)."""
    return int(getattr(settings, "ROUNDS_NOMINATIONS_CLOSING_DAYS", 3))


def reviews_due(*, now: dt.datetime) -> int:
    """Evaluators with reviews not submitted in a round under evaluation: `round.review_due` once when the
    deadline is near, `round.review_late` once when it has passed. Returns how many were told now."""
    told = 0
    window = dt.timedelta(days=review_due_days())
    rounds = Round.objects.filter(state=RoundState.EVALUATING, scoring_deadline__isnull=False)
    for rnd in rounds.select_related("program"):
        deadline = rnd.scoring_deadline
        assert deadline is not None
        if now > deadline:
            late, key = True, f"round-review-late-{rnd.pk}"
        elif deadline - now <= window:
            late, key = False, f"round-review-due-{rnd.pk}"
        else:
            continue
        missing = missing_reviews_by_evaluator(round=rnd)
        told += notices.tell_reviews(rnd, notices.not_yet_told(missing, key), late=late, key=key)
    return told


def nominations_closing(*, now: dt.datetime) -> int:
    """The officers of every participating body, once, a few days before nominations close: when, how many
    their body has nominated and its quota in the round. Returns how many were told now."""
    told = 0
    window = dt.timedelta(days=nominations_closing_days())
    rounds = Round.objects.filter(
        state=RoundState.NOMINATING, nominations_close_at__gt=now, nominations_close_at__lte=now + window
    )
    for rnd in rounds.select_related("program"):
        key = f"round-nominations-closing-{rnd.pk}"
        bodies = Body.objects.filter(pk__in=notices.round_body_ids(rnd)).order_by("code")
        quotas = dict(
            Quota.objects.filter(round=rnd, family=Quota.Family.BODY).values_list("key", "max_count")
        )
        nominated: dict[int, int] = {}
        for body_id in Nomination.objects.filter(candidacy__round=rnd).values_list("body_id", flat=True):
            nominated[body_id] = nominated.get(body_id, 0) + 1
        for body in bodies:
            told += notices.tell_nominations_closing(
                rnd, body, nominated=nominated.get(body.pk, 0), quota=quotas.get(body.code), key=key
            )
    return told


@dataclass(frozen=True)
class LateReminder:
    evaluators: int
    reviews: int


@transaction.atomic
def reviews_remind_late(*, round: Round, acting_user: User) -> LateReminder:
    """The programme office reminds every evaluator whose reviews are late in this round, at once (one notice
    each, however many reviews). Only once the deadline has passed, and only while there are late reviews."""
    require_role(acting_user, OFFICE)
    rnd = Round.objects.select_for_update().get(pk=round.pk)
    now = timezone.now()
    if rnd.state != RoundState.EVALUATING or not rnd.scoring_deadline or now <= rnd.scoring_deadline:
        raise Conflict(
            _("Late reviews are reminded once the scoring deadline has passed, during evaluation."),
            code="deadline_not_passed",
        )
    missing = missing_reviews_by_evaluator(round=rnd)
    if not missing:
        raise Conflict(_("No review is late: there is nobody to remind."), code="nothing_late")
    outcome = LateReminder(evaluators=len(missing), reviews=sum(missing.values()))
    notices.tell_reviews(rnd, missing, late=True, key=f"round-review-late-{rnd.pk}-{now:%Y%m%d%H%M%S%f}")
    audit_record(
        actor=acting_user,
        action="round.reviews_remind_late",
        obj=rnd,
        changes={
            "evaluators": {"before": None, "after": outcome.evaluators},
            "reviews": {"before": None, "after": outcome.reviews},
        },
    )
    return outcome
