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
from dataclasses import dataclass

import numpy as np
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from nic1000.accounts.models import User
from nic1000.activity.services import notify
from nic1000.algorithms.early_warning import programme
from nic1000.audit.services import audit_record
from nic1000.core.access import require_role
from nic1000.core.errors import Conflict, ErrorDetail, ValidationFailed
from nic1000.core.roles import MONITORING_ACTORS
from nic1000.designations.models import Membership
from nic1000.monitoring.models import InspectionResult, RiskCalibration, SupportCase
from nic1000.monitoring.selectors import model_sample_rate
from nic1000.monitoring.services import notices

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
    _tell_changed(row, acting_user=acting_user)
    return row


def _tell_changed(row: RiskCalibration, *, acting_user: User | None) -> None:
    """The support group and the programme office (but whoever changed it) learn of the new calibration."""
    if row.method == RiskCalibration.Method.REFIT:
        title = gettext_noop(
            "Risk calibration refitted on %(observations)s recorded outcomes (%(events)s events)"
        )
    elif row.method == RiskCalibration.Method.BASE_RATE_ESTIMATED:
        title = gettext_noop("Programme base rate estimated from recorded outcomes: %(rate)s")
    else:
        title = gettext_noop("Programme base rate set to %(rate)s")
    rate = f"{row.base_rate * 100:.2f}%" if row.base_rate is not None else ""
    notify(
        recipients=notices.without([*notices.support_group(), *notices.programme_office()], acting_user),
        kind="monitoring.risk_calibration",
        title=title,
        body=gettext_noop("Grades and programme probabilities on every page now use it."),
        params={"rate": rate, "observations": row.observations, "events": row.events},
        link=reverse("monitoring:risk_calibration"),
        dedupe_key=f"risk-calibration:{row.pk}",
    )


@dataclass(frozen=True)
class CalibrationPreview:
    """What a change would put in force, computed without writing (the confirmation page shows it)."""

    method: str
    base_rate: float | None = None
    a: float | None = None
    b: float | None = None
    observations: int = 0
    events: int = 0
    note: str = ""


def _checked_rate(base_rate: float) -> float:
    try:
        return programme.check_rate(base_rate)
    except ValueError as exc:
        raise ValidationFailed(
            _("A base rate must lie strictly between 0 and 1 (0% and 100%)."),
            [ErrorDetail(field="base_rate", value=str(base_rate), message=str(exc))],
            code="base_rate_out_of_range",
        ) from exc


def _estimated() -> CalibrationPreview:
    _, y = recorded_outcomes()
    try:
        est = programme.estimate_rate(y)
    except programme.InsufficientOutcomes as exc:
        raise _insufficient(exc) from exc
    return CalibrationPreview(
        method=RiskCalibration.Method.BASE_RATE_ESTIMATED,
        base_rate=est.rate,
        observations=est.observations,
        events=est.events,
        note=f"95% {est.low:.4f}–{est.high:.4f}",
    )


def _refitted() -> CalibrationPreview:
    p, y = recorded_outcomes()
    try:
        fit = programme.refit(p, y)
    except programme.InsufficientOutcomes as exc:
        raise _insufficient(exc) from exc
    return CalibrationPreview(
        method=RiskCalibration.Method.REFIT,
        a=fit.a,
        b=fit.b,
        observations=fit.observations,
        events=fit.events,
    )


def risk_preview(*, action: str, base_rate: float | None = None) -> CalibrationPreview:
    """What `action` ("set" with `base_rate`, "estimate", "refit") would put in force; raises what the
    change itself would (a rate out of range, too few outcomes). Writes nothing."""
    if action == "set":
        return CalibrationPreview(
            method=RiskCalibration.Method.BASE_RATE_SET, base_rate=_checked_rate(float(base_rate or 0))
        )
    if action == "estimate":
        return _estimated()
    if action == "refit":
        return _refitted()
    raise ValidationFailed(_("Unknown calibration change."), code="bad_action")


@transaction.atomic
def risk_base_rate_set(*, base_rate: float, acting_user: User, note: str = "") -> RiskCalibration:
    """The support group sets the programme's base rate; probabilities are moved there by prior correction."""
    require_role(acting_user, MONITORING_ACTORS)
    rate = _checked_rate(base_rate)
    return _record(
        acting_user=acting_user, method=RiskCalibration.Method.BASE_RATE_SET, note=note, base_rate=rate
    )


@transaction.atomic
def risk_base_rate_estimate(*, acting_user: User | None, note: str = "") -> RiskCalibration:
    """The programme's base rate estimated from recorded outcomes (Conflict when there are too few)."""
    if acting_user is not None:
        require_role(acting_user, MONITORING_ACTORS)
    est = _estimated()
    return _record(
        acting_user=acting_user,
        method=est.method,
        note=note or est.note,
        base_rate=est.base_rate,
        observations=est.observations,
        events=est.events,
    )


@transaction.atomic
def risk_recalibrate(*, acting_user: User | None, note: str = "") -> RiskCalibration:
    """Refit the probability map on recorded outcomes (Conflict, with the counts, when there are too few)."""
    if acting_user is not None:
        require_role(acting_user, MONITORING_ACTORS)
    fit = _refitted()
    return _record(
        acting_user=acting_user,
        method=fit.method,
        note=note,
        a=fit.a,
        b=fit.b,
        observations=fit.observations,
        events=fit.events,
    )
