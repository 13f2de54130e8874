"""A ministry officer registers a company that is not in the registry and nominates it in one step (service
and page): the registry's validation, both audit rows, all or nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from nic1000.audit.models import AuditEntry
from nic1000.core.errors import Conflict, Forbidden, ValidationFailed
from nic1000.registry.models import Company
from nic1000.rounds.models import Candidacy, Nomination, Round
from nic1000.rounds.services.nominations import nomination_create_with_company
from tests.factories import CompanyFactory
from tests.registry.factories import brn
from tests.rounds.factories import make_round

pytestmark = pytest.mark.django_db


def _company(**overrides: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "brn": brn(4242),
        "name_ko": "신규혁신기업",
        "name_en": "New Innovation Co.",
        "ksic": "C26112",
        "region": "서울",
        "founded_on": dt.date(2019, 5, 2),
        "employees": "35",
        "is_sme": True,
        "is_listed": False,
        "website": "www.new-innovation.kr",
    }
    fields.update(overrides)
    return fields


def _bad_brn() -> str:
    good = brn(4242)
    return good[:9] + str((int(good[9]) + 1) % 10)


def _written() -> tuple[int, int, int, int]:
    return (
        Company.objects.count(),
        Candidacy.objects.count(),
        Nomination.objects.count(),
        AuditEntry.objects.count(),
    )


def test_registers_and_nominates_in_one_step_with_both_audit_rows(personas: Any) -> None:
    rnd = make_round(acting_user=personas.program_office, state="nominating")
    n = nomination_create_with_company(
        round=rnd, company_fields=_company(), reason="세계 최초 기술", acting_user=personas.ministry_mss
    )
    company = Company.objects.get(brn=brn(4242))
    assert n.candidacy.company == company and n.body.code == "MSS"
    assert company.region == "11" and company.ksic_section == "C" and company.employees == 35
    assert company.website == "https://www.new-innovation.kr"
    created = AuditEntry.objects.get(action="company.create", object_id=str(company.pk))
    assert created.actor_id == personas.ministry_mss.pk
    nominated = AuditEntry.objects.get(action="nomination.create", object_id=str(n.pk))
    assert nominated.actor_id == personas.ministry_mss.pk
    assert nominated.changes["company_id"]["after"] == company.pk
    assert created.seq < nominated.seq


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"brn": "bad"}, "brn"),
        ({"ksic": "99999"}, "ksic"),
        ({"region": "Mars"}, "region"),
        ({"founded_on": timezone.localdate() + dt.timedelta(days=3)}, "founded_on"),
        ({"employees": "-4"}, "employees"),
        ({"name_ko": ""}, "name_ko"),
    ],
)
def test_bad_company_data_writes_nothing(personas: Any, overrides: dict[str, Any], field: str) -> None:
    rnd = make_round(acting_user=personas.program_office, state="nominating")
    before = _written()
    with pytest.raises(ValidationFailed) as exc:
        nomination_create_with_company(
            round=rnd, company_fields=_company(**overrides), reason="r", acting_user=personas.ministry_mss
        )
    assert exc.value.code == "company_invalid"
    assert field in {d.field for d in exc.value.details}
    assert _written() == before


def test_invalid_check_digit_and_missing_reason_are_reported_together(personas: Any) -> None:
    rnd = make_round(acting_user=personas.program_office, state="nominating")
    before = _written()
    with pytest.raises(ValidationFailed) as exc:
        nomination_create_with_company(
            round=rnd, company_fields=_company(brn=_bad_brn()), reason=" ", acting_user=personas.ministry_mss
        )
    assert {"brn", "reason"} <= {d.field for d in exc.value.details}
    assert _written() == before


def test_good_company_but_incomplete_nomination_registers_nothing(personas: Any) -> None:
    rnd = make_round(acting_user=personas.program_office, state="nominating")
    before = _written()
    with pytest.raises(ValidationFailed) as exc:
        nomination_create_with_company(
            round=rnd, company_fields=_company(), reason="", acting_user=personas.ministry_mss
        )
    assert [d.field for d in exc.value.details] == ["reason"]
    assert _written() == before


def test_a_registered_brn_names_the_existing_company(personas: Any) -> None:
    rnd = make_round(acting_user=personas.program_office, state="nominating")
    existing = CompanyFactory(name_ko="이미있는기업")
    before = _written()
    with pytest.raises(Conflict) as exc:
        nomination_create_with_company(
            round=rnd,
            company_fields=_company(brn=f"{existing.brn[:3]}-{existing.brn[3:5]}-{existing.brn[5:]}"),
            reason="r",
            acting_user=personas.ministry_mss,
        )
    assert exc.value.code == "company_exists" and "이미있는기업" in exc.value.message
    assert exc.value.details[0].field == "brn" and exc.value.details[0].value == existing.brn
    assert _written() == before


@pytest.mark.parametrize("who", ["auditor", "evaluator", "company_a"])
def test_only_nominating_roles_register(personas: Any, who: str) -> None:
    rnd = make_round(acting_user=personas.program_office, state="nominating")
    before = _written()
    with pytest.raises(Forbidden):
        nomination_create_with_company(
            round=rnd, company_fields=_company(), reason="r", acting_user=getattr(personas, who)
        )
    assert _written() == before


def test_an_officer_cannot_register_for_another_ministry_or_a_body_outside_the_programme(
    personas: Any,
) -> None:
    from tests.factories import UserFactory, body

    rnd = make_round(acting_user=personas.program_office, state="nominating", bodies=("MSS", "MOTIE"))
    before = _written()
    with pytest.raises(Forbidden):
        nomination_create_with_company(
            round=rnd,
            company_fields=_company(),
            reason="r",
            body=body("MOTIE"),
            acting_user=personas.ministry_mss,
        )
    outsider = UserFactory(username="msit_officer", role="ministry_officer", body=body("MSIT"))
    with pytest.raises(Forbidden):
        nomination_create_with_company(round=rnd, company_fields=_company(), reason="r", acting_user=outsider)
    assert _written() == before


@pytest.mark.parametrize("state", ["draft", "evaluating", "published"])
def test_round_not_nominating_registers_nothing(personas: Any, state: str) -> None:
    rnd = make_round(acting_user=personas.program_office, state=state)
    before = _written()
    with pytest.raises(Conflict) as exc:
        nomination_create_with_company(
            round=rnd, company_fields=_company(), reason="r", acting_user=personas.ministry_mss
        )
    assert exc.value.code == "round_not_nominating"
    assert _written() == before


def test_nominations_close_at_their_time(personas: Any) -> None:
    rnd = make_round(acting_user=personas.program_office, state="nominating")
    Round.objects.filter(pk=rnd.pk).update(nominations_close_at=timezone.now() - dt.timedelta(minutes=1))
    rnd.refresh_from_db()
    before = _written()
    with pytest.raises(Conflict) as exc:
        nomination_create_with_company(
            round=rnd, company_fields=_company(), reason="r", acting_user=personas.ministry_mss
        )
    assert exc.value.code == "nominations_closed"
    assert _written() == before


# --- the page ---------------------------------------------------------------------------------------------


def _client(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _post(**overrides: Any) -> dict[str, Any]:
    data = {
        "source": "new",
        "brn": f"{brn(4242)[:3]}-{brn(4242)[3:5]}-{brn(4242)[5:]}",
        "reason": "신규 추천",
        "evidence": "https://example.kr",
        "name_ko": "웹신규기업",
        "name_en": "",
        "ksic": "26112",
        "region": "41",
        "founded_on": "2020-01-15",
        "employees": "12",
        "is_sme": "on",
        "website": "",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_page_registers_and_nominates(personas: Any) -> None:
    rnd = make_round(acting_user=personas.program_office, state="nominating")
    c = _client(personas.ministry_mss)
    page = c.get(f"/rounds/{rnd.pk}/nominate/").content.decode()
    assert 'data-testid="new-company"' in page and 'name="source"' in page
    r = c.post(f"/rounds/{rnd.pk}/nominate/", _post())
    assert r.status_code == 302, r.content.decode()[:2000]
    company = Company.objects.get(brn=brn(4242))
    assert (
        company.name_ko == "웹신규기업"
        and company.region == "41"
        and company.is_sme
        and not company.is_listed
    )
    assert Nomination.objects.filter(candidacy__company=company, body__code="MSS").exists()
    assert AuditEntry.objects.filter(action="company.create", actor_id=personas.ministry_mss.pk).count() == 1


def test_page_marks_the_bad_fields_and_writes_nothing(personas: Any) -> None:
    rnd = make_round(acting_user=personas.program_office, state="nominating")
    c = _client(personas.ministry_mss)
    before = _written()
    r = c.post(f"/rounds/{rnd.pk}/nominate/", _post(brn=_bad_brn(), ksic="1", reason=""))
    assert r.status_code == 422
    form = r.context["form"]
    assert {"brn", "ksic", "reason"} <= set(form.errors)
    assert form["name_ko"].value() == "웹신규기업"  # what was typed stays
    assert _written() == before


def test_page_offers_the_existing_company_for_a_registered_brn(personas: Any) -> None:
    rnd = make_round(acting_user=personas.program_office, state="nominating")
    existing = CompanyFactory(name_ko="등록된기업")
    c = _client(personas.ministry_mss)
    before = _written()
    r = c.post(f"/rounds/{rnd.pk}/nominate/", _post(brn=existing.brn))
    assert r.status_code == 409
    page = r.content.decode()
    assert 'data-testid="existing-company"' in page and "등록된기업" in page
    assert r.context["existing"] == existing
    assert _written() == before
    # The offer posts the registry company with the same reason.
    r = c.post(
        f"/rounds/{rnd.pk}/nominate/", {"source": "registry", "brn": existing.brn, "reason": "신규 추천"}
    )
    assert r.status_code == 302
    assert Nomination.objects.get().candidacy.company == existing
    assert Company.objects.filter(name_ko="웹신규기업").count() == 0


def test_page_refuses_when_the_round_is_not_nominating(personas: Any) -> None:
    rnd = make_round(acting_user=personas.program_office, state="evaluating")
    c = _client(personas.ministry_mss)
    before = _written()
    r = c.post(f"/rounds/{rnd.pk}/nominate/", _post())
    assert r.status_code == 409
    assert _written() == before


def test_page_is_for_ministry_officers_only(personas: Any) -> None:
    rnd = make_round(acting_user=personas.program_office, state="nominating")
    before = _written()
    for user in (personas.program_office, personas.auditor, personas.evaluator):
        r = _client(user).post(f"/rounds/{rnd.pk}/nominate/", _post())
        assert r.status_code in (403, 404)
    assert _written() == before
