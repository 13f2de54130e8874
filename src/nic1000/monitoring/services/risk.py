"""The early-warning probabilities calibrated to the programme: base rate and refit (issue 16, point 8).

Recorded outcomes: for each company and calendar year, its first inspection with a probability is one
observation once a full year has passed since; the outcome is 1 when, within that year, the company was
removed for severe damage to its going-concern value, or the support group opened a case by hand (a case
opened from an inspection follows the model's own warning, so counting it would grade the model by itself).
`acting_user=None` is the command line (`nic1000 ews recalibrate`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import numpy as np
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from nic1000.accounts.models import User
from nic1000.algorithms.early_warning import programme
from nic1000.audit.services import audit_record
from nic1000.core.access import require_role
from nic1000.core.errors import Conflict, ErrorDetail, ValidationFailed
from nic1000.core.roles import MONITORING_ACTORS
from nic1000.designations.models import Membership
from nic1000.monitoring.models import InspectionResult, RiskCalibration, SupportCase
from nic1000.monitoring.selectors import model_sample_rate

FOLLOW_UP_DAYS = 365


def sample_rate() -> float:
    """The base rate of the model's training sample (Conflict when the model does not record it)."""
    rate = model_sample_rate()
    if rate is None:
        raise Conflict(
            _("The early-warning model in use does not record its training sample's base rate."),
            code="no_sample_rate",
        )
    return rate


def _period_start(period: str) -> dt.date:
    return dt.date(int(period[:4]), int(period[5:7]), 1)


def _first_of_each_year(today: dt.date) -> Iterator[tuple[int, dt.date, float]]:
    """(company, period start, probability): each company's first scored inspection of each calendar year
    whose year of follow-up has passed."""
    last_start = today - dt.timedelta(days=FOLLOW_UP_DAYS)
    rows = (
        InspectionResult.objects.filter(probability__isnull=False, period__lte=f"{last_start:%Y-%m}")
        .order_by("company_id", "period")
        .values_list("company_id", "period", "probability")
        .iterator(chunk_size=5000)
    )
    seen: set[tuple[int, str]] = set()
    for company_id, period, probability in rows:
        if probability is None:
            continue
        start = _period_start(period)
        if start > last_start or (company_id, period[:4]) in seen:
            continue
        seen.add((company_id, period[:4]))
        yield company_id, start, float(probability)


def recorded_outcomes(*, today: dt.date | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(probabilities, outcomes) over the observations described in the module's docstring."""
    today = today or timezone.localdate()
    events: dict[int, list[dt.date]] = {}
    removed = Membership.objects.filter(
        status=Membership.Status.REMOVED,
        removal_reason=Membership.RemovalReason.GOING_CONCERN,
        ended_on__isnull=False,
    ).values_list("company_id", "ended_on")
    for company_id, ended_on in removed:
        if ended_on is None:
            continue
        events.setdefault(company_id, []).append(ended_on)
    by_hand = SupportCase.objects.filter(opened_from__isnull=True).values_list("company_id", "opened_at")
    for company_id, opened_at in by_hand:
        events.setdefault(company_id, []).append(timezone.localdate(opened_at))
    p: list[float] = []
    y: list[int] = []
    window = dt.timedelta(days=FOLLOW_UP_DAYS)
    for company_id, start, probability in _first_of_each_year(today):
        p.append(probability)
        y.append(int(any(start <= d < start + window for d in events.get(company_id, ()))))
    return np.asarray(p, dtype="float64"), np.asarray(y, dtype="int64")


def _insufficient(exc: programme.InsufficientOutcomes) -> Conflict:
    return Conflict(
        _(
            "Not enough recorded outcomes: %(observations)s observations with %(events)s distress events;"
            " at least %(need_observations)s observations and %(need_events)s events are needed."
            " Nothing was changed."
        )
        % {
            "observations": exc.observations,
            "events": exc.events,
            "need_observations": exc.need_observations,
            "need_events": exc.need_events,
        },
        code="insufficient_outcomes",
    )


def _record(
    *, acting_user: User | None, method: str, note: str = "", **values: float | int | None
) -> RiskCalibration:
    before = RiskCalibration.objects.first()
    row = RiskCalibration.objects.create(
        method=method,
        sample_rate=sample_rate(),
        note=note[:300],
        created_at=timezone.now(),
        created_by=acting_user,
        **values,
    )
    fields = ("method", "base_rate", "a", "b", "observations", "events")
    audit_record(
        actor=acting_user,
        action="risk_calibration.create",
        obj=row,
        changes={
            f: {"before": getattr(before, f) if before else None, "after": getattr(row, f)} for f in fields
        },
        reason=note,
    )
    return row


@transaction.atomic
def risk_base_rate_set(*, base_rate: float, acting_user: User, note: str = "") -> RiskCalibration:
    """The support group sets the programme's base rate; probabilities are moved there by prior correction."""
    require_role(acting_user, MONITORING_ACTORS)
    try:
        rate = programme.check_rate(base_rate)
    except ValueError as exc:
        raise ValidationFailed(
            _("A base rate must lie strictly between 0 and 1 (0% and 100%)."),
            [ErrorDetail(field="base_rate", value=str(base_rate), message=str(exc))],
            code="base_rate_out_of_range",
        ) from exc
    return _record(
        acting_user=acting_user, method=RiskCalibration.Method.BASE_RATE_SET, note=note, base_rate=rate
    )


@transaction.atomic
def risk_base_rate_estimate(*, acting_user: User | None, note: str = "") -> RiskCalibration:
    """The programme's base rate estimated from recorded outcomes (Conflict when there are too few)."""
    if acting_user is not None:
        require_role(acting_user, MONITORING_ACTORS)
    _, y = recorded_outcomes()
    try:
        est = programme.estimate_rate(y)
    except programme.InsufficientOutcomes as exc:
        raise _insufficient(exc) from exc
    return _record(
        acting_user=acting_user,
        method=RiskCalibration.Method.BASE_RATE_ESTIMATED,
        note=note or f"95% {est.low:.4f}–{est.high:.4f}",
        base_rate=est.rate,
        observations=est.observations,
        events=est.events,
    )


@transaction.atomic
def risk_recalibrate(*, acting_user: User | None, note: str = "") -> RiskCalibration:
    """Refit the probability map on recorded outcomes (Conflict, with the counts, when there are too few)."""
    if acting_user is not None:
        require_role(acting_user, MONITORING_ACTORS)
    p, y = recorded_outcomes()
    try:
        fit = programme.refit(p, y)
    except programme.InsufficientOutcomes as exc:
        raise _insufficient(exc) from exc
    return _record(
        acting_user=acting_user,
        method=RiskCalibration.Method.REFIT,
        note=note,
        a=fit.a,
        b=fit.b,
        observations=fit.observations,
        events=fit.events,
    )
