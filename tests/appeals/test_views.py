"""Appeal pages: filing with a document, errors re-rendered, 404 for others' appeals and documents, the
deciders' confirmation and the message after, the windows page."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from nic1000.appeals.models import Appeal, AppealWindow
from tests.appeals.factories import Decisions, decisions_for
from tests.appeals.test_services import PDF, file, under_review


@pytest.fixture(autouse=True)
def _english(settings: Any) -> Any:
    """These tests read the pages' English wording (Korean is the default language)."""
    settings.LANGUAGE_CODE = "en"
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def world(personas: Any) -> Decisions:
    return decisions_for(personas)


def client(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def file_url(world: Decisions, kind: str) -> str:
    return reverse("appeals:file", kwargs={"kind": kind, "pk": world.target(kind)})


@pytest.mark.django_db
def test_the_company_files_an_appeal_with_a_document(personas: Any, world: Decisions) -> None:
    c = client(personas.company_a)
    page = c.get(reverse("appeals:mine")).content.decode()
    for kind in ("non_selection", "ineligibility", "removal", "refusal"):
        assert file_url(world, kind) in page
    assert c.get(file_url(world, "removal")).status_code == 200
    response = c.post(
        file_url(world, "removal"),
        {"reasons": "Our sales recovered.", "document": SimpleUploadedFile("sales.pdf", PDF)},
        follow=True,
    )
    appeal = Appeal.objects.get()
    assert response.redirect_chain[-1][0] == reverse("appeals:detail", kwargs={"pk": appeal.pk})
    html = response.content.decode()
    assert "was filed; the deciding body was told" in html and "sales.pdf" in html
    doc = appeal.documents.get()
    download = c.get(reverse("appeals:document", kwargs={"pk": doc.pk}))
    assert download.status_code == 200 and download.content == PDF
    assert download["Content-Type"] == "application/pdf" and "attachment" in download["Content-Disposition"]
    assert download["Cache-Control"] == "private, no-store"
    # the office reads it; another company and another institution do not
    assert (
        client(personas.program_office).get(reverse("appeals:document", kwargs={"pk": doc.pk})).status_code
        == 200
    )
    for other in (personas.company_b, personas.institution_kdb):
        assert client(other).get(reverse("appeals:document", kwargs={"pk": doc.pk})).status_code == 404
        assert client(other).get(reverse("appeals:detail", kwargs={"pk": appeal.pk})).status_code == 404


@pytest.mark.django_db
def test_the_form_shows_what_is_wrong_and_nothing_is_filed(personas: Any, world: Decisions) -> None:
    c = client(personas.company_a)
    bad = SimpleUploadedFile("letter.pdf", b"<html>not a pdf</html>")
    response = c.post(file_url(world, "refusal"), {"reasons": "x", "document": bad})
    assert response.status_code == 422
    assert "is not a PDF, PNG, JPEG or XLSX file" in response.content.decode()
    response = c.post(file_url(world, "refusal"), {"reasons": ""})
    assert response.status_code == 422
    first = file(personas, world, "refusal")
    page = c.get(file_url(world, "refusal")).content.decode()
    assert "already open" in page and reverse("appeals:detail", kwargs={"pk": first.pk}) in page
    response = c.post(file_url(world, "refusal"), {"reasons": "again"})
    assert response.status_code == 422 and "already open" in response.content.decode()
    assert Appeal.objects.count() == 1


@pytest.mark.django_db
def test_a_late_appeal_is_refused_on_the_page(personas: Any) -> None:
    world = decisions_for(personas, days_ago=40)
    c = client(personas.company_a)
    assert "Window closed" in c.get(reverse("appeals:mine")).content.decode()
    response = c.post(file_url(world, "removal"), {"reasons": "late"})
    assert response.status_code == 422 and "closed on" in response.content.decode()
    assert not Appeal.objects.exists()


@pytest.mark.django_db
def test_someone_elses_decision_is_404(personas: Any, world: Decisions) -> None:
    c = client(personas.company_b)
    assert c.get(file_url(world, "removal")).status_code == 404
    assert c.post(file_url(world, "removal"), {"reasons": "mine?"}).status_code == 404
    assert client(personas.company_a).get("/appeals/file/bogus/1/").status_code == 404
    assert not Appeal.objects.exists()


@pytest.mark.django_db
def test_the_office_decides_after_confirming(personas: Any, world: Decisions) -> None:
    appeal = file(personas, world, "removal")
    c = client(personas.program_office)
    decide = reverse("appeals:decide", kwargs={"pk": appeal.pk})
    assert "Start the review" in c.get(decide).content.decode()
    assert c.post(decide, {"action": "start_review"}).status_code == 302
    appeal.refresh_from_db()
    assert appeal.state == "under_review"
    data = {"decision": "uphold", "reason": "Sales recovered."}
    page = c.post(decide, data)
    html = page.content.decode()
    assert page.status_code == 200 and 'data-testid="confirm"' in html
    assert "The designation of" in html and "is reinstated" in html and "is told the outcome" in html
    appeal.refresh_from_db()
    assert appeal.state == "under_review"  # nothing before the confirmation
    done = c.post(decide, {**data, "confirmed": "1"}, follow=True)
    assert "was upheld and the decision reopened; the company was told" in done.content.decode()
    appeal.refresh_from_db()
    world.removal.refresh_from_db()
    assert appeal.state == "upheld" and world.removal.status == "active"
    history = (
        client(personas.company_a).get(reverse("appeals:detail", kwargs={"pk": appeal.pk})).content.decode()
    )
    assert "Sales recovered." in history and "Upheld" in history and "Under review" in history


@pytest.mark.django_db
def test_a_body_that_did_not_decide_is_told_so(personas: Any, world: Decisions) -> None:
    appeal = under_review(personas, world, "refusal")
    response = client(personas.program_office).post(
        reverse("appeals:decide", kwargs={"pk": appeal.pk}),
        {"decision": "uphold", "reason": "x", "confirmed": "1"},
    )
    assert response.status_code == 403
    assert "which declined the application, decides this appeal" in response.content.decode()
    appeal.refresh_from_db()
    assert appeal.state == "under_review"
    other = client(personas.institution_ibk).post(
        reverse("appeals:decide", kwargs={"pk": appeal.pk}), {"decision": "uphold", "reason": "x"}
    )
    assert other.status_code == 404


@pytest.mark.django_db
def test_a_missing_reason_is_shown_on_the_decision_form(personas: Any, world: Decisions) -> None:
    appeal = under_review(personas, world, "refusal")
    response = client(personas.institution_kdb).post(
        reverse("appeals:decide", kwargs={"pk": appeal.pk}), {"decision": "dismiss", "reason": ""}
    )
    assert response.status_code == 422 and 'data-testid="decide-form"' in response.content.decode()


@pytest.mark.django_db
def test_withdrawal_asks_first(personas: Any, world: Decisions) -> None:
    appeal = file(personas, world, "ineligibility")
    c = client(personas.company_a)
    url = reverse("appeals:withdraw", kwargs={"pk": appeal.pk})
    assert 'data-testid="confirm"' in c.post(url, {"reason": "settled"}).content.decode()
    appeal.refresh_from_db()
    assert appeal.state == "filed"
    assert (
        "was withdrawn" in c.post(url, {"reason": "settled", "confirmed": "1"}, follow=True).content.decode()
    )
    appeal.refresh_from_db()
    assert appeal.state == "withdrawn"


@pytest.mark.django_db
def test_windows_page(personas: Any) -> None:
    c = client(personas.program_office)
    url = reverse("appeals:windows")
    data = {"non_selection": 30, "ineligibility": 30, "removal": 30, "refusal": 0}
    assert c.post(url, data).status_code == 422
    assert not AppealWindow.objects.exists()
    data["refusal"] = 14
    assert "1 changed" in c.post(url, data, follow=True).content.decode()
    assert AppealWindow.objects.get().days == 14


@pytest.mark.django_db
def test_the_declined_application_links_to_its_appeal(personas: Any, world: Decisions) -> None:
    page = client(personas.company_a).get(
        reverse("finance:application_detail", kwargs={"pk": world.refusal.pk})
    )
    assert file_url(world, "refusal") in page.content.decode()
    officer = client(personas.institution_kdb).get(
        reverse("finance:application_detail", kwargs={"pk": world.refusal.pk})
    )
    assert file_url(world, "refusal") not in officer.content.decode()


@pytest.mark.django_db
def test_the_queue_reads_a_constant_number_of_queries(personas: Any, world: Decisions) -> None:
    c = client(personas.program_office)
    file(personas, world, "removal")
    c.get(reverse("appeals:queue"))  # warm: the session and per-process caches
    with CaptureQueriesContext(connection) as few:
        assert c.get(reverse("appeals:queue")).status_code == 200
    for kind in ("non_selection", "ineligibility", "refusal"):
        file(personas, world, kind)
    with CaptureQueriesContext(connection) as more:
        html = c.get(reverse("appeals:queue")).content.decode()
    assert len(more) == len(few)
    assert html.count("/appeals/") >= 4
    kdb = client(personas.institution_kdb).get(reverse("appeals:queue")).content.decode()
    assert kdb.count('data-testid="appeal-state"') == 1  # only the refusal of KDB
