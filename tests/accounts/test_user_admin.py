"""The programme office administers users without the Django admin: each change audited, the user told, the
irreversible ones asked first; the office never locks itself out nor removes the last office user."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django_otp.plugins.otp_totp.models import TOTPDevice

from nic1000.accounts.models import User
from nic1000.accounts.services import users as user_services
from nic1000.audit.models import AuditEntry
from nic1000.core.errors import Conflict, Forbidden, ValidationFailed
from tests.factories import UserFactory, body
from tests.told import assert_not_told, assert_told

pytestmark = pytest.mark.django_db


def _office(personas: Any) -> Client:
    c = Client()
    c.force_login(personas.program_office)
    return c


def test_deactivation_asks_first_then_ends_access_and_tells_the_user(personas: Any) -> None:
    c = _office(personas)
    target = personas.evaluator
    url = f"/accounts/users/{target.pk}/deactivate/"
    r = c.post(url, {"reason": "left the pool"})
    assert r.status_code == 200 and 'data-testid="confirm"' in r.content.decode()
    assert target.username in r.content.decode()
    target.refresh_from_db()
    assert target.is_active
    assert_not_told(target, "account.changed")

    r = c.post(url, {"reason": "left the pool", "confirmed": "1"})
    assert r.status_code == 302
    target.refresh_from_db()
    assert not target.is_active
    entry = AuditEntry.objects.get(action="user.deactivate")
    assert entry.reason == "left the pool" and entry.object_id == str(target.pk)
    assert_told(target, "account.changed")
    # Their session no longer works.
    own = Client()
    own.force_login(target)
    assert own.get("/rounds/me/assignments/").status_code == 302

    assert c.post(f"/accounts/users/{target.pk}/reactivate/").status_code == 302
    target.refresh_from_db()
    assert target.is_active and AuditEntry.objects.filter(action="user.reactivate").exists()
    with pytest.raises(Conflict):
        user_services.user_reactivate(user=target, acting_user=personas.program_office)


def test_the_office_cannot_lock_itself_out_nor_remove_the_last_office_user(personas: Any) -> None:
    po = personas.program_office
    with pytest.raises(Conflict) as exc:
        user_services.user_deactivate(user=po, acting_user=po)
    assert exc.value.code == "last_office_user"
    with pytest.raises(Conflict) as exc:
        user_services.user_role_change(user=po, role="auditor", acting_user=po)
    assert exc.value.code == "last_office_user"
    second = UserFactory(username="po2", role="program_office")
    with pytest.raises(Conflict) as exc:
        user_services.user_deactivate(user=po, acting_user=po)
    assert exc.value.code == "self_deactivate"
    with pytest.raises(Conflict) as exc:
        user_services.user_role_change(user=po, role="auditor", acting_user=po)
    assert exc.value.code == "self_role"
    # Through the page: asked, confirmed, refused with a clear message, nothing changed.
    c = _office(personas)
    r = c.post(f"/accounts/users/{po.pk}/deactivate/", {"confirmed": "1"}, follow=True)
    assert r.status_code == 200 and 'class="nic-alert error"' in r.content.decode()
    po.refresh_from_db()
    assert po.is_active
    # Another office user may be deactivated while one remains.
    user_services.user_deactivate(user=second, acting_user=po)
    second.refresh_from_db()
    assert not second.is_active
    for who in (personas.auditor, personas.ministry_mss, personas.support):
        with pytest.raises(Forbidden):
            user_services.user_deactivate(user=personas.evaluator, acting_user=who)


def test_a_role_change_asks_first_moves_the_binding_and_tells_the_user(personas: Any) -> None:
    c = _office(personas)
    target = personas.evaluator
    url = f"/accounts/users/{target.pk}/role/"
    data = {"role": "ministry_officer", "body": body("MOTIE").pk}
    r = c.post(url, data)
    assert r.status_code == 200 and 'data-testid="confirm"' in r.content.decode()
    target.refresh_from_db()
    assert target.role == "evaluator"
    r = c.post(url, {**data, "confirmed": "1"})
    assert r.status_code == 302
    target.refresh_from_db()
    assert target.role == "ministry_officer" and target.body == body("MOTIE")
    entry = AuditEntry.objects.get(action="user.role_change")
    assert entry.changes["role"] == {"before": "evaluator", "after": "ministry_officer"}
    assert_told(target, "account.changed")

    # To a company representative by BRN; the old body is cleared.
    company = personas.company_b_obj
    user_services.user_role_change(
        user=target, role="company", company=company, body=body("MSS"), acting_user=personas.program_office
    )
    target.refresh_from_db()
    assert target.company == company and target.body is None and not target.is_staff
    user_services.user_role_change(user=target, role="program_office", acting_user=personas.program_office)
    target.refresh_from_db()
    assert target.is_staff and target.company is None


def test_a_role_change_refuses_bad_input_and_changes_nothing(personas: Any) -> None:
    c = _office(personas)
    target = personas.evaluator
    url = f"/accounts/users/{target.pk}/role/"
    r = c.post(url, {"role": "ministry_officer", "confirmed": "1"})  # no body
    assert r.status_code == 422 and 'class="errorlist"' in r.content.decode()
    r = c.post(
        url, {"role": "company", "company_brn": "999-99-99999", "confirmed": "1"}
    )  # not in the registry
    assert r.status_code == 422
    r = c.post(url, {"role": "wizard", "confirmed": "1"})
    assert r.status_code == 422
    r = c.post(url, {"role": "evaluator", "confirmed": "1"})  # nothing to change
    assert r.status_code == 409
    target.refresh_from_db()
    assert target.role == "evaluator"
    assert not AuditEntry.objects.filter(action="user.role_change").exists()
    with pytest.raises(ValidationFailed):
        user_services.user_role_change(
            user=target, role="institution_officer", acting_user=personas.program_office
        )
    assert c.get("/accounts/users/999999/").status_code == 404
    assert c.post("/accounts/users/999999/role/", {"role": "auditor"}).status_code == 404


def test_the_office_resets_a_second_factor_from_the_user_page(personas: Any) -> None:
    c = _office(personas)
    target = personas.institution_kdb
    TOTPDevice.objects.create(user=target, name="phone", confirmed=True)
    url = f"/accounts/users/{target.pk}/two-factor-reset/"
    r = c.post(url)
    assert r.status_code == 200 and 'data-testid="confirm"' in r.content.decode()
    assert TOTPDevice.objects.filter(user=target).exists()
    assert c.post(url, {"confirmed": "1"}).status_code == 302
    assert not TOTPDevice.objects.filter(user=target).exists()
    assert_told(target, "account")


def test_the_user_list_filters_and_its_query_count_does_not_grow(personas: Any) -> None:
    c = _office(personas)
    r = c.get("/accounts/users/?role=ministry_officer")
    page = r.content.decode()
    assert r.status_code == 200 and ">mss<" in page and ">motie<" in page and ">eval1<" not in page
    page = c.get("/accounts/users/?binding=body:MSS").content.decode()
    assert ">mss<" in page and ">motie<" not in page
    page = c.get("/accounts/users/?binding=institution:KDB").content.decode()
    assert ">kdb<" in page and ">ibk<" not in page
    personas.auditor.is_active = False
    personas.auditor.save()
    page = c.get("/accounts/users/?active=no").content.decode()
    assert ">auditor<" in page and ">po<" not in page
    page = c.get(f"/accounts/users/?q={personas.company_a_obj.name_ko}").content.decode()
    assert ">rep_a<" in page and ">rep_b<" not in page
    assert c.get("/accounts/users/?role=nonsense&sort=evil&page=abc").status_code == 200
    r = c.get("/accounts/users/?format=xlsx&role=evaluator")
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")
    from openpyxl import load_workbook

    rows = list(load_workbook(io.BytesIO(r.content)).active.iter_rows(values_only=True))
    assert sorted(row[0] for row in rows[1:]) == ["eval1", "eval2"]

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert c.get("/accounts/users/").status_code == 200
        return len(ctx.captured_queries)

    before = count()
    for i in range(15):
        UserFactory(username=f"more{i}", role="company", company=personas.company_a_obj)
    assert count() == before
    assert User.objects.count() > 20
