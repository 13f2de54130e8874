"""Refill for real and progress to the target (issue 15.4, 15.6): vacancies per body since its previous round,
refills within the vacancies, the optimiser's extra room, the places refilled after publication, the default
quota from the target, the programme and quota pages."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from nic1000.audit.models import AuditEntry
from nic1000.core.errors import ValidationFailed
from nic1000.designations.models import Membership
from nic1000.monitoring.services.removals import membership_remove
from nic1000.rounds.models import Candidacy, Publication, Quota, Round
from nic1000.rounds.refills import (
    default_quotas,
    programme_progress,
    refilled_in,
    split_by_shares,
    vacancies_for,
)
from nic1000.rounds.services.selection import scores_aggregate, selection_run
from nic1000.rounds.services.setup import QuotaInput, program_update, quotas_set
from tests.factories import CompanyFactory, body
from tests.rounds.factories import make_assignment, make_candidacy, make_evaluator, make_round, submit_review

pytestmark = pytest.mark.django_db


def _previous(rnd: Round, members: dict[str, int]) -> list[Membership]:
    """A published earlier round of the same programme that designated `members` companies per body."""
    prev = Round.objects.create(
        program=rnd.program, number=rnd.number - 1, name="이전 차수", state="closed",
        published_at=timezone.now() - dt.timedelta(days=90),
    )  # fmt: skip
    day = timezone.localdate() - dt.timedelta(days=90)
    return [
        Membership.objects.create(company=CompanyFactory(), round=prev, body=body(code), selected_on=day)
        for code, n in members.items()
        for _ in range(n)
    ]


def _remove(personas, m: Membership) -> None:  # type: ignore[no-untyped-def]
    membership_remove(
        membership=m, reason="weak_marketability", note="re-evaluation", acting_user=personas.program_office
    )


@pytest.fixture
def world(personas):  # type: ignore[no-untyped-def]
    """A selecting round 3 (MSS, MOTIE) with five scored MSS candidacies and one MOTIE; round 2 designated
    three MSS and one MOTIE companies, one MSS company removed since."""
    rnd = make_round(acting_user=personas.program_office, state="selecting")
    members = _previous(rnd, {"MSS": 3, "MOTIE": 1})
    _remove(personas, members[0])
    e1, e2 = make_evaluator("r1"), make_evaluator("r2")
    for code, score in [("MSS", 5), ("MSS", 5), ("MSS", 4), ("MSS", 4), ("MSS", 3), ("MOTIE", 2)]:
        c = make_candidacy(rnd, bodies=(code,))
        submit_review(make_assignment(c, e1), total=0, score=score)
        submit_review(make_assignment(c, e2), total=0, score=score)
    scores_aggregate(round=rnd, acting_user=personas.program_office)
    return rnd, members


def test_vacancies_count_removals_since_the_bodys_previous_round(personas, world) -> None:  # type: ignore[no-untyped-def]
    rnd, _members = world
    assert vacancies_for(round=rnd) == {"MSS": 1}
    # A removal before the body's previous round was that round's to refill.
    old = Membership.objects.create(
        company=CompanyFactory(), round=Round.objects.get(number=2), body=body("MOTIE"),
        selected_on=timezone.localdate() - dt.timedelta(days=400), status="removed",
        ended_on=timezone.localdate() - dt.timedelta(days=200),
    )  # fmt: skip
    assert old.pk and vacancies_for(round=rnd) == {"MSS": 1}


def test_refill_beyond_the_vacancies_is_refused_and_changes_nothing(personas, world) -> None:  # type: ignore[no-untyped-def]
    rnd, _ = world
    quotas_set(round=rnd, rows=[QuotaInput("total", "", 1, 2)], acting_user=personas.program_office)
    for rows in (
        [QuotaInput("body", "MSS", None, 2, refill=2)],  # one vacancy only
        [QuotaInput("body", "MOTIE", None, 2, refill=1)],  # MOTIE has none
        [QuotaInput("sector", "C", None, 2, refill=1)],  # not a body's quota
    ):
        with pytest.raises(ValidationFailed) as exc:
            quotas_set(round=rnd, rows=rows, acting_user=personas.program_office)
        assert exc.value.code == "refill_beyond_vacancies"
        assert exc.value.details[0].field == "refill"
    assert list(Quota.objects.filter(round=rnd).values_list("family", "max_count", "refill")) == [
        ("total", 2, 0)
    ]


def test_the_optimiser_uses_the_refill_as_extra_room_and_counts_it_refilled(personas, world) -> None:  # type: ignore[no-untyped-def]
    rnd, _ = world
    po = personas.program_office
    quotas_set(
        round=rnd, rows=[QuotaInput("total", "", 2, 2), QuotaInput("body", "MSS", None, 2)], acting_user=po
    )
    assert selection_run(round=rnd, acting_user=po).selected_count == 2
    quotas_set(
        round=rnd,
        rows=[QuotaInput("total", "", 2, 2), QuotaInput("body", "MSS", None, 2, refill=1)],
        acting_user=po,
    )
    assert AuditEntry.objects.filter(action="round.quotas_set").count() == 2
    run = selection_run(round=rnd, acting_user=po)
    assert (
        run.feasible and run.selected_count == 3
    )  # the vacancy's place on top of the total and MSS's maximum
    assert Candidacy.objects.filter(round=rnd, selected=True, lead_body__code="MSS").count() == 3
    assert refilled_in(round=rnd) == 0  # not published yet
    Publication.objects.create(round=rnd, published_by=po, published_at=timezone.now(), selected_count=3)
    assert refilled_in(round=rnd) == 1


def test_progress_and_the_default_quota_follow_the_target(personas, world) -> None:  # type: ignore[no-untyped-def]
    rnd, _ = world
    program_update(
        program=rnd.program, target_companies=10, designation_years=3, acting_user=personas.program_office
    )
    progress = programme_progress(program=rnd.program)
    assert (progress.target, progress.designated, progress.removed, progress.to_go) == (10, 3, 1, 7)
    d = default_quotas(round=rnd, body_codes=["MSS", "MOTIE"])
    # 7 to go: one is MSS's vacancy to refill, 6 new places split 3:1 by the bodies' designations so far.
    assert d.refills == {"MSS": 1} and d.new_places == 6
    assert d.per_body == {"MSS": 5, "MOTIE": 1} or d.per_body == {"MSS": 4, "MOTIE": 2}
    assert sum(d.per_body.values()) == 6


def test_split_by_shares() -> None:
    assert split_by_shares(10, {"A": 1, "B": 1, "C": 1}) == {"A": 4, "B": 3, "C": 3}
    assert split_by_shares(5, {"A": 0, "B": 0}) == {"A": 3, "B": 2}
    assert split_by_shares(0, {"A": 3}) == {"A": 0}


def test_program_update_refuses_bad_values(personas, world) -> None:  # type: ignore[no-untyped-def]
    rnd, _ = world
    with pytest.raises(ValidationFailed):
        program_update(
            program=rnd.program, target_companies=10, designation_years=0, acting_user=personas.program_office
        )
    rnd.program.refresh_from_db()
    assert rnd.program.designation_years == 3 and rnd.program.target_companies == 1000


def test_programme_page_shows_progress_and_saves_settings(personas, world) -> None:  # type: ignore[no-untyped-def]
    rnd, _ = world
    client = Client()
    client.force_login(personas.program_office)
    page = client.get(f"/rounds/programmes/{rnd.program_id}/")
    assert page.status_code == 200 and 'data-testid="progress"' in page.content.decode()
    bad = client.post(
        f"/rounds/programmes/{rnd.program_id}/settings/", {"target_companies": "0", "designation_years": "3"}
    )
    assert bad.status_code == 422
    ok = client.post(
        f"/rounds/programmes/{rnd.program_id}/settings/",
        {"target_companies": "900", "designation_years": "5"},
    )
    assert ok.status_code == 302
    rnd.program.refresh_from_db()
    assert (rnd.program.target_companies, rnd.program.designation_years) == (900, 5)


def test_quota_page_starts_from_the_defaults_and_refuses_a_refill_beyond(personas, world) -> None:  # type: ignore[no-untyped-def]
    rnd, _ = world
    client = Client()
    client.force_login(personas.program_office)
    page = client.get(f"/rounds/{rnd.pk}/quotas/")
    html = page.content.decode()
    assert page.status_code == 200 and 'data-testid="target"' in html
    assert 'name="body_MSS_refill"' in html and 'value="1"' in html
    data = {
        "total_min": "",
        "total_max": "2",
        "body_MSS_min": "",
        "body_MSS_max": "2",
        "body_MSS_refill": "3",
        "sectors": "",
    }
    bad = client.post(f"/rounds/{rnd.pk}/quotas/", data)
    assert bad.status_code == 422
    assert not Quota.objects.filter(round=rnd).exists()


def test_publication_sets_the_designations_end_from_the_programme(personas) -> None:  # type: ignore[no-untyped-def]
    from nic1000.designations.services import designation_end
    from nic1000.rounds.services.publication import round_publish
    from tests.rounds.factories import make_selecting_round

    rnd = make_selecting_round(acting_user=personas.program_office)
    program_update(
        program=rnd.program, target_companies=1000, designation_years=2, acting_user=personas.program_office
    )
    round_publish(round=rnd, acting_user=personas.program_office)
    today = timezone.localdate()
    ends = set(Membership.objects.filter(round=rnd).values_list("ends_on", flat=True))
    assert ends == {designation_end(selected_on=today, years=2)}
