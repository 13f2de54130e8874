"""Invitations: an e-mailed one-time link opens an account with a password and an enrolled authenticator; a used,
expired, withdrawn or replaced link creates nothing; ministry officers invite only for companies their body
nominated."""

from __future__ import annotations

import base64
import datetime as dt
import re
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from nic1000.accounts.models import Invitation, User
from nic1000.accounts.services.invitations import (
    invitation_accept,
    invitation_create,
    invitation_resend,
    invitation_revoke,
    token_hash,
)
from nic1000.audit.models import AuditEntry
from nic1000.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from tests.factories import CompanyFactory, UserFactory, body
from tests.rounds.factories import make_candidacy, make_round

pytestmark = pytest.mark.django_db
PASSWORD = "a-Long-and-unusual-passphrase-42"
_LINK = re.compile(r"https?://\S+/accounts/invitations/accept/(?P<token>[^/\s]+)/")
_SECRET = re.compile(r'data-testid="totp-secret">([A-Z2-7=]+)<')


def _code_for_secret(secret: str) -> str:
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    return f"{totp(key, 30, 0, 6, 0):06d}"


def _code_for_hex(key: str) -> str:
    return f"{totp(bytes.fromhex(key), 30, 0, 6, 0):06d}"


def _nominated(personas: Any) -> Any:
    """A company nominated by MSS (the ministry persona's body)."""
    rnd = make_round(acting_user=personas.program_office, state="nominating", number=9)
    company = CompanyFactory(name_ko="초대기업")
    make_candidacy(rnd, company=company, bodies=("MSS",), by=personas.ministry_mss)
    return company


def _link_token(message: Any) -> str:
    match = _LINK.search(message.body)
    assert match, message.body
    return match.group("token")


def test_a_representative_is_invited_and_opens_the_account_end_to_end(
    personas: Any, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.NIC1000_SITE_URL = "https://nic1000.example.kr"
    company = _nominated(personas)
    office = Client()
    office.force_login(personas.ministry_mss)
    with django_capture_on_commit_callbacks(execute=True):
        r = office.post(
            f"/accounts/invitations/company/{company.pk}/",
            {"email": "ceo@chodae.example", "display_name": "김대표"},
        )
    assert r.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["ceo@chodae.example"]
    assert "https://nic1000.example.kr/accounts/invitations/accept/" in message.body
    token = _link_token(message)
    invitation = Invitation.objects.get()
    assert (
        invitation.token_hash == token_hash(token) and token not in invitation.token_hash
    )  # only the hash kept
    assert invitation.invited_by == personas.ministry_mss and invitation.company == company

    visitor = Client()
    page = visitor.get(f"/accounts/invitations/accept/{token}/")
    assert page.status_code == 200
    secret = _SECRET.search(page.content.decode())
    assert secret, "the enrolment shows the authenticator's secret"
    assert visitor.get(f"/accounts/invitations/accept/{token}/").content.decode().count(secret.group(1)) == 1
    r = visitor.post(
        f"/accounts/invitations/accept/{token}/",
        {"password1": PASSWORD, "password2": PASSWORD, "token": _code_for_secret(secret.group(1))},
    )
    assert r.status_code == 302 and r["Location"] == "/"
    user = User.objects.get(email="ceo@chodae.example")
    assert user.role == "company" and user.company == company and user.display_name == "김대표"
    assert user.check_password(PASSWORD)
    assert int(visitor.session["_auth_user_id"]) == user.pk  # signed in as the company
    assert TOTPDevice.objects.filter(user=user, confirmed=True).count() == 1
    invitation.refresh_from_db()
    assert invitation.accepted_at is not None and invitation.accepted_user == user
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"invitation.create", "invitation.accept", "user.create", "user.2fa_enrol"} <= actions
    # The company's own pages now open for them.
    assert visitor.get(f"/registry/companies/{company.pk}/").status_code == 200

    # The link works once: again, a clear page and nothing created.
    users = User.objects.count()
    again = Client().get(f"/accounts/invitations/accept/{token}/")
    assert again.status_code == 410 and 'data-refusal="accepted"' in again.content.decode()
    again = Client().post(
        f"/accounts/invitations/accept/{token}/",
        {"password1": PASSWORD, "password2": PASSWORD, "token": "123456"},
    )
    assert again.status_code == 410 and User.objects.count() == users


def test_signing_in_later_asks_for_the_authenticator(personas: Any) -> None:
    issued = invitation_create(
        email="x@example.org", role="evaluator", acting_user=personas.program_office, send_email=False
    )
    key = "ab" * 20
    invitation_accept(token=issued.token, password=PASSWORD, totp_key=key, totp_code=_code_for_hex(key))
    r = Client().post("/accounts/login/", {"username": "x@example.org", "password": PASSWORD})
    assert r.status_code == 302 and r["Location"].endswith("/accounts/login/otp/")


def test_an_expired_link_creates_nothing(personas: Any) -> None:
    long_ago = timezone.now() - dt.timedelta(days=8)
    issued = invitation_create(
        email="late@example.org",
        role="auditor",
        acting_user=personas.program_office,
        send_email=False,
        now=long_ago,
    )
    r = Client().get(f"/accounts/invitations/accept/{issued.token}/")
    assert r.status_code == 410 and 'data-refusal="expired"' in r.content.decode()
    users = User.objects.count()
    key = "cd" * 20
    with pytest.raises(Conflict) as exc:
        invitation_accept(token=issued.token, password=PASSWORD, totp_key=key, totp_code=_code_for_hex(key))
    assert exc.value.code == "invitation_expired"
    assert User.objects.count() == users


def test_a_newer_invitation_replaces_the_older_and_a_withdrawn_link_is_refused(
    personas: Any, django_capture_on_commit_callbacks: Any
) -> None:
    po = personas.program_office
    with django_capture_on_commit_callbacks(execute=True):
        first = invitation_create(email="twice@example.org", role="support_group", acting_user=po)
    with django_capture_on_commit_callbacks(execute=True):
        second = invitation_resend(invitation=first.invitation, acting_user=po)
    assert len(mail.outbox) == 2 and _link_token(mail.outbox[1]) == second.token
    first.invitation.refresh_from_db()
    assert first.invitation.revoked_at is not None
    r = Client().get(f"/accounts/invitations/accept/{first.token}/")
    assert r.status_code == 410 and 'data-refusal="revoked"' in r.content.decode()
    assert Client().get(f"/accounts/invitations/accept/{second.token}/").status_code == 200

    c = Client()
    c.force_login(po)
    assert c.post(f"/accounts/invitations/{second.invitation.pk}/revoke/").status_code == 302
    assert Client().get(f"/accounts/invitations/accept/{second.token}/").status_code == 410
    with pytest.raises(Conflict):
        invitation_revoke(invitation=second.invitation, acting_user=po)
    assert AuditEntry.objects.filter(action="invitation.revoke").count() == 2


def test_a_weak_password_or_a_wrong_code_creates_nothing(personas: Any) -> None:
    issued = invitation_create(
        email="weak@example.org", role="evaluator", acting_user=personas.program_office, send_email=False
    )
    users, devices = User.objects.count(), TOTPDevice.objects.count()
    c = Client()
    page = c.get(f"/accounts/invitations/accept/{issued.token}/").content.decode()
    secret = _SECRET.search(page)
    assert secret
    code = _code_for_secret(secret.group(1))
    url = f"/accounts/invitations/accept/{issued.token}/"
    r = c.post(url, {"password1": "12345678", "password2": "12345678", "token": code})
    assert r.status_code == 422 and 'class="errorlist"' in r.content.decode()
    r = c.post(url, {"password1": PASSWORD, "password2": PASSWORD + "x", "token": code})
    assert r.status_code == 422
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    r = c.post(url, {"password1": PASSWORD, "password2": PASSWORD, "token": wrong})
    assert r.status_code == 422
    assert (User.objects.count(), TOTPDevice.objects.count()) == (users, devices)
    issued.invitation.refresh_from_db()
    assert issued.invitation.accepted_at is None
    with pytest.raises(ValidationFailed) as exc:
        invitation_accept(token=issued.token, password="password", totp_key="ab" * 20, totp_code="000000")
    assert exc.value.code == "password_invalid"


def test_a_ministry_officer_invites_only_for_companies_its_body_nominated(personas: Any) -> None:
    nominated = _nominated(personas)
    mss, other = personas.ministry_mss, personas.company_b_obj
    c = Client()
    c.force_login(mss)
    assert c.get(f"/accounts/invitations/company/{other.pk}/").status_code == 404
    r = c.post(f"/accounts/invitations/company/{other.pk}/", {"email": "x@other.example"})
    assert r.status_code == 404 and not Invitation.objects.exists()
    with pytest.raises(NotFound):
        invitation_create(
            email="x@other.example", role="company", company=other, acting_user=mss, send_email=False
        )
    with pytest.raises(Forbidden):
        invitation_create(email="e@example.org", role="evaluator", acting_user=mss, send_email=False)
    # MOTIE did not nominate it either.
    motie = Client()
    motie.force_login(personas.ministry_motie)
    assert motie.get(f"/accounts/invitations/company/{nominated.pk}/").status_code == 404
    # The candidacy page shows MSS the way to invite; the office sees it on the registry page.
    candidacy = nominated.candidacies.get()
    page = c.get(f"/rounds/candidacies/{candidacy.pk}/").content.decode()
    assert f"/accounts/invitations/company/{nominated.pk}/" in page
    office = Client()
    office.force_login(personas.program_office)
    page = office.get(f"/registry/companies/{other.pk}/").content.decode()
    assert f"/accounts/invitations/company/{other.pk}/" in page
    # A ministry officer cannot withdraw an invitation for a company it did not nominate.
    inv = invitation_create(
        email="rep@other.example",
        role="company",
        company=other,
        acting_user=personas.program_office,
        send_email=False,
    ).invitation
    assert c.post(f"/accounts/invitations/{inv.pk}/revoke/").status_code == 404
    with pytest.raises(NotFound):
        invitation_revoke(invitation=inv, acting_user=mss)
    inv.refresh_from_db()
    assert inv.revoked_at is None


def test_invitations_refuse_bad_input(personas: Any) -> None:
    po = personas.program_office
    with pytest.raises(ValidationFailed) as exc:
        invitation_create(email="not-an-address", role="auditor", acting_user=po, send_email=False)
    assert exc.value.code == "email_invalid"
    with pytest.raises(ValidationFailed) as exc:
        invitation_create(email="rep@example.org", role="company", acting_user=po, send_email=False)
    assert exc.value.code == "binding_missing"
    with pytest.raises(ValidationFailed) as exc:
        invitation_create(email="m@example.org", role="ministry_officer", acting_user=po, send_email=False)
    assert exc.value.code == "binding_missing"
    UserFactory(username="taken", email="taken@example.org", role="auditor")
    with pytest.raises(Conflict) as exc:
        invitation_create(email="TAKEN@example.org", role="auditor", acting_user=po, send_email=False)
    assert exc.value.code == "email_in_use"
    with pytest.raises(Conflict) as exc:
        invitation_create(
            email="new@example.org", username="taken", role="auditor", acting_user=po, send_email=False
        )
    assert exc.value.code == "username_taken"
    for who in (personas.evaluator, personas.company_a, personas.auditor):
        with pytest.raises(Forbidden):
            invitation_create(email="z@example.org", role="auditor", acting_user=who, send_email=False)
    assert not Invitation.objects.exists()

    c = Client()
    c.force_login(po)
    r = c.post("/accounts/invitations/new/", {"email": "m@example.org", "role": "ministry_officer"})
    assert r.status_code == 422 and 'class="errorlist"' in r.content.decode()
    r = c.post(
        "/accounts/invitations/new/",
        {"email": "c@example.org", "role": "company", "company_brn": "999-99-99999"},
    )
    assert r.status_code == 422
    # A representative without a company: the error stands on the company's field.
    r = c.post("/accounts/invitations/new/", {"email": "c@example.org", "role": "company"})
    assert r.status_code == 422
    assert r.context["form"].errors["company_brn"]
    r = c.post(
        "/accounts/invitations/new/",
        {"email": "m@example.org", "role": "ministry_officer", "body": body("MSS").pk},
    )
    assert r.status_code == 302
    inv = Invitation.objects.get()
    assert inv.body == body("MSS") and inv.company is None


def test_the_office_invites_any_role_and_the_account_gets_its_binding(personas: Any) -> None:
    issued = invitation_create(
        email="kdb2@example.org",
        username="kdb_officer2",
        role="institution_officer",
        institution=personas.institution_kdb.institution,
        acting_user=personas.program_office,
        send_email=False,
    )
    key = "ef" * 20
    accepted = invitation_accept(
        token=issued.token, password=PASSWORD, totp_key=key, totp_code=_code_for_hex(key)
    )
    assert accepted.user.username == "kdb_officer2"
    assert accepted.user.institution == personas.institution_kdb.institution
    assert not accepted.user.is_staff
