"""A body edits or withdraws its own nomination while nominations are open (issue 13, point 2)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone, translation

from nic1000.audit.models import AuditEntry
from nic1000.core.errors import Conflict, NotFound, ValidationFailed
from nic1000.rounds.models import Assignment, Candidacy, Nomination, Round
from nic1000.rounds.services.nominations import nomination_update, nomination_withdraw
from tests.factories import body
from tests.rounds.factories import make_assignment, make_candidacy, make_evaluator, make_round
from tests.told import assert_not_told, assert_told

pytestmark = pytest.mark.django_db


@pytest.fixture
def open_round(personas: Any) -> Round:
    return make_round(acting_user=personas.program_office, state="nominating")


def _nomination(rnd: Round, personas: Any, bodies: tuple[str, ...] = ("MSS",)) -> Nomination:
    by = personas.ministry_mss if bodies == ("MSS",) else None
    c = make_candidacy(rnd, bodies=bodies, by=by)
    return c.nominations.get(body=body(bodies[0]))


def _client(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


# --- services ---------------------------------------------------------------------------------------------------


def test_an_officer_edits_its_nomination_and_the_office_is_told(personas: Any, open_round: Round) -> None:
    n = _nomination(open_round, personas)
    nomination_update(
        nomination=n, reason="세계 최초 기술", evidence="https://x.kr", acting_user=personas.ministry_mss
    )
    n.refresh_from_db()
    assert (n.reason, n.evidence) == ("세계 최초 기술", "https://x.kr")
    entry = AuditEntry.objects.get(action="nomination.update")
    assert entry.changes["reason"] == {"before": "test", "after": "세계 최초 기술"}
    told = assert_told(personas.program_office, "round.nomination_changed", body="MSS")
    assert told.link == f"/rounds/candidacies/{n.candidacy_id}/"
    assert_not_told(personas.ministry_mss, "round.nomination_changed")


def test_a_new_evidence_file_replaces_the_old_one(
    personas: Any, open_round: Round, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = str(tmp_path)
    n = _nomination(open_round, personas)
    file = SimpleUploadedFile("근거.pdf", b"%PDF-1.4 test")
    nomination_update(nomination=n, reason="test", evidence_file=file, acting_user=personas.ministry_mss)
    n.refresh_from_db()
    assert n.evidence_file.name.endswith(".pdf")
    entry = AuditEntry.objects.get(action="nomination.update")
    assert entry.changes["evidence_file"]["before"] == ""
    assert_told(personas.program_office, "round.nomination_changed")


def test_an_unchanged_edit_writes_and_tells_nothing(personas: Any, open_round: Round) -> None:
    n = _nomination(open_round, personas)
    nomination_update(nomination=n, reason="test", acting_user=personas.ministry_mss)
    assert not AuditEntry.objects.filter(action="nomination.update").exists()
    assert_not_told(personas.program_office, "round.nomination_changed")


@pytest.mark.parametrize(
    ("reason", "file", "field"),
    [
        ("   ", None, "reason"),
        ("ok", SimpleUploadedFile("virus.exe", b"MZ"), "evidence_file"),
    ],
)
def test_a_bad_edit_is_refused_and_nothing_changes(
    personas: Any, open_round: Round, reason: str, file: Any, field: str
) -> None:
    n = _nomination(open_round, personas)
    with pytest.raises(ValidationFailed) as exc:
        nomination_update(nomination=n, reason=reason, evidence_file=file, acting_user=personas.ministry_mss)
    assert any(d.field == field for d in exc.value.details)
    n.refresh_from_db()
    assert n.reason == "test" and not n.evidence_file
    assert_not_told(personas.program_office, "round.nomination_changed")


def test_after_the_window_nothing_changes(personas: Any, open_round: Round) -> None:
    n = _nomination(open_round, personas)
    Round.objects.filter(pk=open_round.pk).update(nominations_close_at=timezone.now() - dt.timedelta(hours=1))
    with pytest.raises(Conflict) as exc:
        nomination_update(nomination=n, reason="늦은 수정", acting_user=personas.ministry_mss)
    assert exc.value.code == "nominations_closed"
    with pytest.raises(Conflict):
        nomination_withdraw(nomination=n, acting_user=personas.ministry_mss)
    Round.objects.filter(pk=open_round.pk).update(nominations_close_at=None, state="evaluating")
    with pytest.raises(Conflict) as exc:
        nomination_withdraw(nomination=n, acting_user=personas.ministry_mss)
    assert exc.value.code == "round_not_nominating"
    n.refresh_from_db()
    assert n.reason == "test"
    assert Nomination.objects.filter(pk=n.pk).exists()


def test_another_bodys_nomination_is_not_found(personas: Any, open_round: Round) -> None:
    n = _nomination(open_round, personas, bodies=("MOTIE",))
    with pytest.raises(NotFound):
        nomination_update(nomination=n, reason="가로채기", acting_user=personas.ministry_mss)
    with pytest.raises(NotFound):
        nomination_withdraw(nomination=n, acting_user=personas.ministry_mss)
    assert Nomination.objects.filter(pk=n.pk, reason="test").exists()


def test_withdrawing_the_only_nomination_removes_the_candidacy_and_tells_its_evaluators(
    personas: Any, open_round: Round
) -> None:
    n = _nomination(open_round, personas)
    make_assignment(n.candidacy, make_evaluator("ev_w", user=personas.evaluator))
    assert nomination_withdraw(nomination=n, acting_user=personas.ministry_mss) is None
    assert not Candidacy.objects.filter(pk=n.candidacy_id).exists()
    assert not Assignment.objects.exists()
    assert AuditEntry.objects.filter(action="nomination.withdraw").exists()
    assert_told(personas.program_office, "round.nomination_changed", body="MSS")
    assert_told(personas.evaluator, "round.unassigned")


def test_withdrawing_one_of_two_keeps_the_candidacy_led_by_the_other_body(
    personas: Any, open_round: Round
) -> None:
    c = make_candidacy(open_round, bodies=("MSS", "MOTIE"), by=personas.ministry_mss)
    n = c.nominations.get(body=body("MSS"))
    kept = nomination_withdraw(nomination=n, acting_user=personas.ministry_mss)
    assert kept is not None and kept.lead_body.code == "MOTIE"
    assert list(kept.nominations.values_list("body__code", flat=True)) == ["MOTIE"]


def test_the_office_withdrawing_tells_the_body(personas: Any, open_round: Round) -> None:
    n = _nomination(open_round, personas)
    nomination_withdraw(nomination=n, acting_user=personas.program_office, reason="중복 추천")
    assert_told(personas.ministry_mss, "round.nomination_changed", body="MSS")
    assert_not_told(personas.program_office, "round.nomination_changed")


# --- pages --------------------------------------------------------------------------------------------------------


@pytest.fixture
def english(settings: Any) -> Any:
    """English wording for the test (pytest-django's `settings` puts the language back afterwards)."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def test_the_list_offers_edit_and_withdraw_while_open(personas: Any, open_round: Round, english: Any) -> None:
    n = _nomination(open_round, personas)
    page = _client(personas.ministry_mss).get(f"/rounds/{open_round.pk}/nominations/").content.decode()
    assert f"/rounds/nominations/{n.pk}/edit/" in page and f"/rounds/nominations/{n.pk}/withdraw/" in page
    Round.objects.filter(pk=open_round.pk).update(state="evaluating")
    page = _client(personas.ministry_mss).get(f"/rounds/{open_round.pk}/nominations/").content.decode()
    assert f"/rounds/nominations/{n.pk}/edit/" not in page


def test_the_candidacy_page_links_its_bodys_own_nomination(personas: Any, open_round: Round) -> None:
    n = _nomination(open_round, personas)
    page = _client(personas.ministry_mss).get(f"/rounds/candidacies/{n.candidacy_id}/").content.decode()
    assert f"/rounds/nominations/{n.pk}/edit/" in page
    Round.objects.filter(pk=open_round.pk).update(state="evaluating")
    page = _client(personas.ministry_mss).get(f"/rounds/candidacies/{n.candidacy_id}/").content.decode()
    assert f"/rounds/nominations/{n.pk}/edit/" not in page


def test_the_edit_page_saves_and_re_renders_errors(personas: Any, open_round: Round, english: Any) -> None:
    n = _nomination(open_round, personas)
    c = _client(personas.ministry_mss)
    url = f"/rounds/nominations/{n.pk}/edit/"
    assert c.get(url).status_code == 200
    r = c.post(url, {"reason": "", "evidence": ""})
    assert r.status_code == 422 and "Say why this company is nominated." in r.content.decode()
    r = c.post(url, {"reason": "수정된 사유", "evidence": ""}, follow=True)
    assert "the programme office was told" in r.content.decode()
    n.refresh_from_db()
    assert n.reason == "수정된 사유"


def test_the_edit_page_after_the_window_says_so_and_changes_nothing(
    personas: Any, open_round: Round, english: Any
) -> None:
    n = _nomination(open_round, personas)
    Round.objects.filter(pk=open_round.pk).update(state="evaluating")
    c = _client(personas.ministry_mss)
    url = f"/rounds/nominations/{n.pk}/edit/"
    assert 'data-testid="nominations-closed"' in c.get(url).content.decode()
    r = c.post(url, {"reason": "늦은 수정", "evidence": ""})
    assert r.status_code == 409 and "not taking nominations" in r.content.decode()
    n.refresh_from_db()
    assert n.reason == "test"


def test_another_bodys_nomination_pages_are_404(personas: Any, open_round: Round) -> None:
    n = _nomination(open_round, personas, bodies=("MOTIE",))
    c = _client(personas.ministry_mss)
    assert c.get(f"/rounds/nominations/{n.pk}/edit/").status_code == 404
    assert c.post(f"/rounds/nominations/{n.pk}/withdraw/", {"confirmed": "1"}).status_code == 404
    assert Nomination.objects.filter(pk=n.pk).exists()


def test_withdrawal_asks_first_then_says_what_was_done(
    personas: Any, open_round: Round, english: Any
) -> None:
    n = _nomination(open_round, personas)
    c = _client(personas.ministry_mss)
    url = f"/rounds/nominations/{n.pk}/withdraw/"
    r = c.post(url)
    page = r.content.decode()
    assert r.status_code == 200 and 'data-testid="confirm-yes"' in page
    assert "Its candidacy is removed from the round" in page and "The programme office is told." in page
    assert Nomination.objects.filter(pk=n.pk).exists()
    r = c.post(url, {"confirmed": "1"}, follow=True)
    assert "withdrawn. The programme office was told." in r.content.decode()
    assert not Nomination.objects.filter(pk=n.pk).exists()
