import pytest
from django.utils import timezone

from nic1000.audit.models import AuditEntry
from nic1000.core.errors import Conflict, Forbidden, ValidationFailed
from nic1000.designations.models import Membership
from nic1000.rounds.models import Candidacy, Nomination
from nic1000.rounds.services.nominations import candidacy_eligibility_override, nomination_create
from tests.factories import CompanyFactory, body
from tests.rounds.factories import make_round, statement

pytestmark = pytest.mark.django_db


def test_two_bodies_nominating_one_company_make_one_candidacy(personas) -> None:
    rnd = make_round(acting_user=personas.program_office, state="nominating")
    company = CompanyFactory()
    statement(company)
    nomination_create(round=rnd, company=company, reason="세계 최고 기술", acting_user=personas.ministry_mss)
    nomination_create(
        round=rnd, company=company, reason="소부장 으뜸기업", acting_user=personas.ministry_motie
    )
    assert Candidacy.objects.filter(round=rnd).count() == 1
    c = Candidacy.objects.get(round=rnd)
    assert sorted(c.nominations.values_list("body__code", flat=True)) == ["MOTIE", "MSS"]
    assert c.lead_body.code == "MSS" and c.eligible
    assert AuditEntry.objects.filter(action="nomination.create").count() == 2
    with pytest.raises(Conflict) as exc:
        nomination_create(round=rnd, company=company, reason="again", acting_user=personas.ministry_mss)
    assert exc.value.code == "already_nominated"


def test_nomination_when_not_nominating_is_refused_and_nothing_changes(personas) -> None:
    rnd = make_round(acting_user=personas.program_office, state="draft")
    audits = AuditEntry.objects.count()
    with pytest.raises(Conflict) as exc:
        nomination_create(round=rnd, company=CompanyFactory(), reason="x", acting_user=personas.ministry_mss)
    assert exc.value.code == "round_not_nominating"
    assert not Candidacy.objects.exists() and not Nomination.objects.exists()
    assert AuditEntry.objects.count() == audits


def test_officer_nominates_only_for_own_body(personas) -> None:
    rnd = make_round(acting_user=personas.program_office, state="nominating")
    with pytest.raises(Forbidden):
        nomination_create(
            round=rnd,
            company=CompanyFactory(),
            reason="x",
            body=body("MOTIE"),
            acting_user=personas.ministry_mss,
        )
    with pytest.raises(Forbidden):
        nomination_create(round=rnd, company=CompanyFactory(), reason="x", acting_user=personas.evaluator)


def test_active_member_cannot_be_nominated(personas) -> None:
    earlier = make_round(acting_user=personas.program_office, state="published", number=2)
    company = CompanyFactory()
    Membership.objects.create(
        company=company, round=earlier, body=body("MSS"), selected_on=earlier.created_at.date()
    )
    rnd = earlier.program.rounds.create(number=3, name="3차")
    rnd.state = "nominating"
    rnd.save()
    with pytest.raises(Conflict) as exc:
        nomination_create(round=rnd, company=company, reason="x", acting_user=personas.ministry_mss)
    assert exc.value.code == "already_member"


def test_eligibility_from_the_registry_with_reasons(personas) -> None:
    rnd = make_round(acting_user=personas.program_office, state="nominating")
    delinquent, impaired, fine, unknown = (
        CompanyFactory(),
        CompanyFactory(),
        CompanyFactory(),
        CompanyFactory(),
    )
    statement(delinquent, credit_delinquency=True)
    last_year = timezone.localdate().year - 1
    statement(impaired, equity=-5, fiscal_year=last_year)
    statement(impaired, fiscal_year=last_year - 1)  # older healthy year does not count
    statement(fine)
    stale = CompanyFactory()  # impaired, but years ago: says nothing about the last fiscal year
    statement(stale, equity=-5, fiscal_year=last_year - 3)
    for company in (delinquent, impaired, fine, unknown, stale):
        nomination_create(round=rnd, company=company, reason="r", acting_user=personas.ministry_mss)
    got = {c.company_id: c for c in Candidacy.objects.filter(round=rnd)}
    assert not got[delinquent.pk].eligible
    assert any(
        r["rule"] == "credit_delinquency" and r["ok"] == "no" for r in got[delinquent.pk].eligibility_reasons
    )
    assert not got[impaired.pk].eligible
    assert any(
        r["rule"] == "capital_impairment" and r["ok"] == "no" for r in got[impaired.pk].eligibility_reasons
    )
    assert got[fine.pk].eligible
    assert got[unknown.pk].eligible and {r["ok"] for r in got[unknown.pk].eligibility_reasons} == {"unknown"}
    assert {r["ok"] for r in got[stale.pk].eligibility_reasons} == {"unknown"}
    assert all(str(last_year - 3) in r["message"] for r in got[stale.pk].eligibility_reasons)


def test_override_needs_a_reason(personas) -> None:
    rnd = make_round(acting_user=personas.program_office, state="nominating")
    company = CompanyFactory()
    statement(company, credit_delinquency=True)
    n = nomination_create(round=rnd, company=company, reason="r", acting_user=personas.ministry_mss)
    with pytest.raises(ValidationFailed):
        candidacy_eligibility_override(
            candidacy=n.candidacy, eligible=True, reason=" ", acting_user=personas.program_office
        )
    n.candidacy.refresh_from_db()
    assert not n.candidacy.eligible
    candidacy_eligibility_override(
        candidacy=n.candidacy, eligible=True, reason="연체 해소 확인", acting_user=personas.program_office
    )
    n.candidacy.refresh_from_db()
    assert n.candidacy.eligible and n.candidacy.eligibility_override_reason == "연체 해소 확인"


def test_nominations_close_at_their_time_even_while_the_round_is_nominating(personas) -> None:
    import datetime as dt

    from django.utils import timezone

    from nic1000.rounds.models import Round

    rnd = make_round(acting_user=personas.program_office, state="nominating")
    Round.objects.filter(pk=rnd.pk).update(nominations_close_at=timezone.now() - dt.timedelta(hours=1))
    rnd.refresh_from_db()
    with pytest.raises(Conflict) as exc:
        nomination_create(round=rnd, company=CompanyFactory(), reason="x", acting_user=personas.ministry_mss)
    assert exc.value.code == "nominations_closed"
    assert not Candidacy.objects.exists()
    Round.objects.filter(pk=rnd.pk).update(nominations_close_at=timezone.now() + dt.timedelta(hours=1))
    rnd.refresh_from_db()
    nomination_create(round=rnd, company=CompanyFactory(), reason="x", acting_user=personas.ministry_mss)
    assert Candidacy.objects.count() == 1


def test_a_bodys_own_eligibility_rule_replaces_the_rounds(personas) -> None:
    from nic1000.rounds.services.setup import eligibility_rule_set

    rnd = make_round(acting_user=personas.program_office, state="nominating")
    # MOTIE does not exclude full capital impairment (e.g. for deep-tech start-ups); the round does.
    eligibility_rule_set(
        round=rnd,
        kind="capital_impairment",
        active=False,
        body=body("MOTIE"),
        acting_user=personas.program_office,
    )
    impaired_a, impaired_b = CompanyFactory(), CompanyFactory()
    statement(impaired_a, equity=-10)
    statement(impaired_b, equity=-10)
    by_mss = nomination_create(round=rnd, company=impaired_a, reason="r", acting_user=personas.ministry_mss)
    by_motie = nomination_create(
        round=rnd, company=impaired_b, reason="r", acting_user=personas.ministry_motie
    )
    assert not by_mss.candidacy.eligible
    assert by_motie.candidacy.eligible
    assert [r["rule"] for r in by_motie.candidacy.eligibility_reasons] == ["credit_delinquency"]
    assert AuditEntry.objects.filter(action="round.eligibility_rule_set").exists()


def test_an_evidence_file_of_another_type_is_refused(personas) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    rnd = make_round(acting_user=personas.program_office, state="nominating")
    with pytest.raises(ValidationFailed) as exc:
        nomination_create(
            round=rnd,
            company=CompanyFactory(),
            reason="r",
            evidence_file=SimpleUploadedFile("run.exe", b"MZ"),
            acting_user=personas.ministry_mss,
        )
    assert [d.field for d in exc.value.details] == ["evidence_file"]
    assert not Candidacy.objects.exists()
