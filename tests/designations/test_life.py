"""The designation's life (issue 15.3): workflow, re-evaluation by the nominating body, the office's decision
through the one removal path, expiry, and finance eligibility reading the state and the end date."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from nic1000.audit.models import AuditEntry
from nic1000.core.errors import Conflict, Forbidden, ValidationFailed
from nic1000.core.models import StateChange
from nic1000.designations.models import Membership, Reevaluation, ReevaluationPeriod
from nic1000.designations.reevaluations import Ratings, reevaluation_file, reevaluation_period_open
from nic1000.designations.selectors import membership_active_for
from nic1000.designations.services import designation_end
from nic1000.designations.tasks import designations_expire_due
from nic1000.designations.workflows import MEMBERSHIP
from nic1000.finance import services as finance_services
from nic1000.monitoring.models import Removal
from nic1000.monitoring.services.reevaluations import reevaluation_decide
from tests.finance.factories import ensure_products, select
from tests.told import assert_not_told, assert_told

pytestmark = pytest.mark.django_db

GOOD = Ratings(4, 4, 3, 5, growth_comment="exports up")
BAD = Ratings(1, 2, 1, 2, innovation_effort_comment="mass production failed")


def _period(personas, half: str = "2027H1") -> ReevaluationPeriod:  # type: ignore[no-untyped-def]
    return reevaluation_period_open(
        half=half, due_on=timezone.localdate() + dt.timedelta(days=14), acting_user=personas.program_office
    )


def _apply(personas):  # type: ignore[no-untyped-def]
    return finance_services.application_submit(
        company=personas.company_a_obj,
        acting_user=personas.company_a,
        purpose="operating",
        amount=1_000_000_000,
        channel="center",
    )


def test_workflow_declares_the_four_states() -> None:
    assert set(MEMBERSHIP.states) == {"active", "under_reevaluation", "removed", "ended"}
    assert set(MEMBERSHIP.states) == set(Membership.Status.values)
    assert MEMBERSHIP.transition("remove").requires_reason


def test_designation_end_is_the_day_before_the_anniversary() -> None:
    assert designation_end(selected_on=dt.date(2021, 5, 20), years=3) == dt.date(2024, 5, 19)
    assert designation_end(selected_on=dt.date(2024, 2, 29), years=1) == dt.date(2025, 2, 28)


def test_period_opens_once_and_tells_the_bodies(personas) -> None:  # type: ignore[no-untyped-def]
    select(personas.company_a_obj, body_code="MSS")
    period = _period(personas)
    assert_told(personas.ministry_mss, "designation.reevaluation_due", half="2027H1", n=1)
    assert_not_told(personas.ministry_motie, "designation.reevaluation_due")  # no designated company
    with pytest.raises(Conflict):
        _period(personas)
    with pytest.raises(ValidationFailed) as exc:
        reevaluation_period_open(half="2027-1", due_on=period.due_on, acting_user=personas.program_office)
    assert exc.value.code == "half_invalid"
    with pytest.raises(Forbidden):
        reevaluation_period_open(half="2027H2", due_on=period.due_on, acting_user=personas.ministry_mss)
    assert ReevaluationPeriod.objects.count() == 1


def test_reevaluation_by_the_nominating_body_then_continued(personas) -> None:  # type: ignore[no-untyped-def]
    m = select(personas.company_a_obj, body_code="MSS")
    period = _period(personas)
    r = reevaluation_file(
        period=period,
        membership=m,
        ratings=GOOD,
        recommendation="continue",
        acting_user=personas.ministry_mss,
    )
    m.refresh_from_db()
    assert m.status == Membership.Status.UNDER_REEVALUATION
    assert membership_active_for(company_id=m.company_id) is not None  # still designated while re-evaluated
    assert r.average == 4.0
    reevaluation_decide(reevaluation=r, decision="continue", note="keep", acting_user=personas.program_office)
    m.refresh_from_db()
    r.refresh_from_db()
    assert m.status == Membership.Status.ACTIVE and r.decision == "continue"
    history = list(StateChange.objects.filter(workflow="membership").values_list("transition", flat=True))
    assert history == ["reevaluate", "continue"]
    assert "stays designated" in assert_told(personas.company_a, "designation.reevaluated").title
    assert_told(personas.ministry_mss, "designation.reevaluated")
    assert AuditEntry.objects.filter(action="reevaluation.file").count() == 1
    with pytest.raises(Conflict):  # decided once
        reevaluation_decide(
            reevaluation=r, decision="continue", note="again", acting_user=personas.program_office
        )


def test_reevaluation_by_another_body_is_refused_and_changes_nothing(personas) -> None:  # type: ignore[no-untyped-def]
    m = select(personas.company_a_obj, body_code="MSS")
    period = _period(personas)
    with pytest.raises(Forbidden) as exc:
        reevaluation_file(
            period=period,
            membership=m,
            ratings=GOOD,
            recommendation="continue",
            acting_user=personas.ministry_motie,
        )
    assert exc.value.code == "not_nominating_body"
    m.refresh_from_db()
    assert m.status == Membership.Status.ACTIVE
    assert (
        not Reevaluation.objects.exists() and not StateChange.objects.filter(workflow="membership").exists()
    )


def test_incomplete_or_repeated_reevaluation_is_refused(personas) -> None:  # type: ignore[no-untyped-def]
    m = select(personas.company_a_obj, body_code="MSS")
    period = _period(personas)
    with pytest.raises(ValidationFailed) as exc:
        reevaluation_file(
            period=period,
            membership=m,
            ratings=Ratings(0, 6, 3, 3),
            recommendation="remove",
            acting_user=personas.ministry_mss,
        )
    assert {"innovation_effort", "growth", "innovation_effort_comment"} <= {
        d.field for d in exc.value.details
    }
    m.refresh_from_db()
    assert m.status == Membership.Status.ACTIVE and not Reevaluation.objects.exists()
    reevaluation_file(
        period=period,
        membership=m,
        ratings=GOOD,
        recommendation="continue",
        acting_user=personas.ministry_mss,
    )
    with pytest.raises(Conflict):
        reevaluation_file(
            period=period,
            membership=m,
            ratings=GOOD,
            recommendation="continue",
            acting_user=personas.ministry_mss,
        )


def test_removal_decision_goes_through_the_removal_and_ends_finance(personas) -> None:  # type: ignore[no-untyped-def]
    ensure_products()
    m = select(personas.company_a_obj, body_code="MSS")
    period = _period(personas)
    r = reevaluation_file(
        period=period, membership=m, ratings=BAD, recommendation="remove", acting_user=personas.ministry_mss
    )
    with pytest.raises(ValidationFailed):  # a removal needs a reason
        reevaluation_decide(
            reevaluation=r, decision="remove", note="weak", acting_user=personas.program_office
        )
    m.refresh_from_db()
    assert m.status == Membership.Status.UNDER_REEVALUATION and not Removal.objects.exists()
    reevaluation_decide(
        reevaluation=r,
        decision="remove",
        reason="mass_production_failed",
        note="failed",
        acting_user=personas.program_office,
    )
    m.refresh_from_db()
    assert m.status == Membership.Status.REMOVED and m.ended_on == timezone.localdate()
    assert Removal.objects.filter(membership=m).exists()  # the one removal path
    assert AuditEntry.objects.filter(action="membership.remove").count() == 1
    assert "is removed" in assert_told(personas.company_a, "designation.reevaluated").title
    with pytest.raises(ValidationFailed) as exc:
        _apply(personas)
    assert exc.value.code == "not_selected"


def test_expiry_job_expires_tells_and_ends_finance(personas) -> None:  # type: ignore[no-untyped-def]
    ensure_products()
    m = select(personas.company_a_obj, body_code="MSS")
    today = timezone.localdate()
    Membership.objects.filter(pk=m.pk).update(ends_on=today + dt.timedelta(days=10))
    now = timezone.now()
    assert designations_expire_due(now=now) == 0
    assert_told(personas.company_a, "designation.expiring")
    assert not StateChange.objects.exists()
    _apply(personas)  # still open before the end
    Membership.objects.filter(pk=m.pk).update(ends_on=today - dt.timedelta(days=1))
    # Past its end date, finance is closed even before the job runs.
    assert membership_active_for(company_id=m.company_id) is None
    with pytest.raises(ValidationFailed) as exc:
        _apply(personas)
    assert exc.value.code == "not_selected"
    assert designations_expire_due(now=now) == 1
    assert designations_expire_due(now=now) == 0  # idempotent
    m.refresh_from_db()
    assert m.status == Membership.Status.ENDED and m.ended_on == today
    assert StateChange.objects.filter(workflow="membership", transition="expire").count() == 1
    assert personas.company_a.notifications.filter(kind="designation.expiring").count() == 2


def test_expiry_job_is_registered() -> None:
    from nic1000.core.schedule import jobs

    assert "designations.expire" in {j.name for j in jobs()}
