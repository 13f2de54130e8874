"""Risk calibrated to the programme: the support group's base rate, estimates and refits on recorded outcomes,
grades beside every probability, and `nic1000 ews recalibrate`."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone, translation

from nic1000.audit.models import AuditEntry
from nic1000.core.errors import Conflict, Forbidden, ValidationFailed
from nic1000.designations.models import Membership
from nic1000.monitoring import selectors
from nic1000.monitoring.models import InspectionResult, InspectionRun, RiskCalibration
from nic1000.monitoring.services import risk
from tests.factories import CompanyFactory
from tests.monitoring.factories import member

POLISH_RATE = 271 / 7027


def _outcomes(n: int, events: int, *, p: float = 0.1, period: str | None = None) -> None:
    """n companies inspected over a year ago; `events` of them removed for going concern since."""
    start = timezone.localdate() - dt.timedelta(days=500)
    period = period or f"{start:%Y-%m}"
    run = InspectionRun.objects.create(period=period, status="done", created_at=timezone.now(), processed=n)
    companies = CompanyFactory.create_batch(n)
    rows = []
    for i, c in enumerate(companies):
        m = member(c)
        rows.append(
            InspectionResult(run=run, period=period, company=c, membership=m, probability=p, level="normal")
        )
        if i < events:
            Membership.objects.filter(pk=m.pk).update(
                status="removed", removal_reason="going_concern", ended_on=start + dt.timedelta(days=100)
            )
    InspectionResult.objects.bulk_create(rows)


@pytest.mark.django_db
def test_without_a_calibration_probabilities_stay_at_the_sample_rate_and_get_a_grade() -> None:
    in_force = selectors.programme_risk_in_force()
    assert in_force.current is None
    assert in_force.sample_rate == pytest.approx(POLISH_RATE)
    v = in_force.view(0.03)
    assert v is not None and v.programme == pytest.approx(0.03) and v.grade == 5
    assert in_force.view(None) is None


@pytest.mark.django_db
def test_the_support_group_sets_the_base_rate(personas) -> None:
    row = risk.risk_base_rate_set(base_rate=0.01, acting_user=personas.support, note="FSC estimate")
    assert row.method == "base_rate_set" and row.sample_rate == pytest.approx(POLISH_RATE)
    entry = AuditEntry.objects.get(action="risk_calibration.create")
    assert entry.changes["base_rate"] == {"before": None, "after": 0.01}
    v = selectors.programme_risk_in_force().view(POLISH_RATE)
    assert v is not None and v.programme == pytest.approx(0.01) and v.grade == 3


@pytest.mark.django_db
@pytest.mark.parametrize("bad", [0.0, 1.0, -0.2, 2.0, float("nan")])
def test_a_base_rate_outside_zero_one_is_refused_and_nothing_written(personas, bad: float) -> None:
    with pytest.raises(ValidationFailed) as exc:
        risk.risk_base_rate_set(base_rate=bad, acting_user=personas.support)
    assert exc.value.code == "base_rate_out_of_range"
    assert not RiskCalibration.objects.exists() and not AuditEntry.objects.exists()


@pytest.mark.django_db
def test_only_the_support_group_and_office_may_change_it(personas) -> None:
    for user in (personas.auditor, personas.ministry_mss, personas.evaluator):
        with pytest.raises(Forbidden):
            risk.risk_base_rate_set(base_rate=0.01, acting_user=user)
    assert not RiskCalibration.objects.exists()


@pytest.mark.django_db
def test_too_few_outcomes_say_how_many_and_change_nothing(personas) -> None:
    _outcomes(20, 2)
    with pytest.raises(Conflict) as exc:
        risk.risk_recalibrate(acting_user=personas.support)
    assert exc.value.code == "insufficient_outcomes" and "20" in str(exc.value) and "300" in str(exc.value)
    with translation.override("en"), pytest.raises(CommandError, match="Nothing was changed"):
        call_command("ews", "recalibrate")
    assert not RiskCalibration.objects.exists()


@pytest.mark.django_db
def test_the_base_rate_estimated_from_recorded_outcomes(personas) -> None:
    _outcomes(120, 6)
    # An inspection within the last year has no full year of follow-up yet: not an observation.
    recent = f"{timezone.localdate():%Y-%m}"
    run = InspectionRun.objects.create(period=recent, status="done", created_at=timezone.now(), processed=1)
    c = CompanyFactory()
    InspectionResult.objects.create(
        run=run, period=recent, company=c, membership=member(c), probability=0.9, level="critical"
    )
    row = risk.risk_base_rate_estimate(acting_user=personas.support)
    assert (row.observations, row.events) == (120, 6)
    assert row.base_rate == pytest.approx(0.05)


@pytest.mark.django_db
def test_recalibrate_refits_on_enough_outcomes_by_command() -> None:
    _outcomes(320, 32, p=0.3)  # the model says 30%, one in ten failed
    call_command("ews", "recalibrate")
    row = RiskCalibration.objects.get()
    assert row.method == "refit" and (row.observations, row.events) == (320, 32)
    assert row.created_by is None
    v = selectors.programme_risk_in_force().view(0.3)
    assert v is not None and v.programme == pytest.approx(0.1, abs=0.01)
    assert AuditEntry.objects.filter(action="risk_calibration.create", actor_id__isnull=True).count() == 1


@pytest.mark.django_db
def test_pages_show_grade_and_programme_probability(client, personas) -> None:
    _outcomes(1, 0, p=POLISH_RATE, period="2026-05")
    risk.risk_base_rate_set(base_rate=0.01, acting_user=personas.support)
    client.force_login(personas.support)
    result = InspectionResult.objects.get()
    page = client.get(reverse("monitoring:dashboard") + "?period=2026-05").content.decode()
    assert 'data-grade="3"' in page and "1.0%" in page and "3.9%" in page
    page = client.get(reverse("monitoring:company_detail", args=[result.company_id])).content.decode()
    assert 'data-grade="3"' in page
    page = client.get(reverse("monitoring:risk_calibration")).content.decode()
    assert "1.00%" in page and "3.86%" in page


@pytest.mark.django_db
def test_the_form_marks_a_bad_rate_and_keeps_the_calibration(client, personas) -> None:
    client.force_login(personas.support)
    url = reverse("monitoring:risk_calibration_change")
    r = client.post(url, {"action": "set", "base_rate_percent": "0", "note": ""})
    assert r.status_code == 422 and 'aria-invalid="true"' in r.content.decode()
    r = client.post(url, {"action": "refit"})
    assert r.status_code == 409
    assert not RiskCalibration.objects.exists()
    r = client.post(url, {"action": "set", "base_rate_percent": "1.5", "note": "first", "confirmed": "1"})
    assert r.status_code == 302
    assert RiskCalibration.objects.get().base_rate == pytest.approx(0.015)
