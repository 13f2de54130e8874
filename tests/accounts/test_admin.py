"""The Django admin changes nothing in the domain, and never shows an authenticator's secret."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.test import Client, RequestFactory
from django_otp.plugins.otp_totp.models import TOTPDevice

from nic1000.accounts.models import User
from nic1000.accounts.services import user_create
from nic1000.core.roles import Role

pytestmark = pytest.mark.django_db


def _request(user: Any) -> Any:
    request = RequestFactory().get("/admin/")
    request.user = user
    return request


def test_the_programme_office_is_created_without_superuser_powers(personas: Any) -> None:
    office = user_create(username="po2", password=None, role=Role.PROGRAM_OFFICE, acting_user=None)
    assert office.is_staff and not office.is_superuser


def test_no_model_in_the_admin_can_be_added_changed_or_deleted(personas: Any) -> None:
    office = user_create(username="po2", password=None, role=Role.PROGRAM_OFFICE, acting_user=None)
    superuser = User.objects.create_superuser("root", "root@example.org", "x" * 12, role=Role.PROGRAM_OFFICE)
    assert len(admin.site._registry) > 20
    writable = []
    for model, model_admin in admin.site._registry.items():
        for who in (office, superuser):
            if who is superuser and model is Group:
                continue  # Django's own groups: a superuser's business, not the programme's data
            request = _request(who)
            for perm in ("add", "change", "delete"):
                has = getattr(model_admin, f"has_{perm}_permission")
                if (has(request) if perm == "add" else has(request, None)) or model_admin.get_actions(
                    request
                ):
                    writable.append(f"{model._meta.label} {perm} by {who.username}")
        if model._meta.app_label in {
            "accounts",
            "core",
            "audit",
            "registry",
            "designations",
            "rounds",
            "finance",
            "monitoring",
            "otp_totp",
            "axes",
        }:
            assert model_admin.has_view_permission(_request(office)), model._meta.label
    assert not writable, writable


def test_the_office_browses_the_admin(personas: Any) -> None:
    c = Client()
    c.force_login(personas.program_office)
    assert not personas.program_office.is_superuser
    r = c.get("/admin/")
    assert r.status_code == 200 and "monitoring" in r.content.decode()
    assert c.get("/admin/monitoring/inspectionrun/").status_code == 200
    assert c.get("/admin/finance/product/").status_code == 200


def test_the_authenticator_admin_shows_no_secret(personas: Any) -> None:
    device = TOTPDevice.objects.create(user=personas.evaluator, name="phone", confirmed=True)
    c = Client()
    c.force_login(personas.program_office)
    r = c.get(f"/admin/otp_totp/totpdevice/{device.pk}/change/")
    assert r.status_code == 200
    page = r.content.decode()
    assert device.key not in page and "qrcode" not in page.lower() and "secret=" not in page
    # django-otp's own admin served the QR code (with the secret) at these addresses; they are gone.
    assert c.get(f"/admin/otp_totp/totpdevice/{device.pk}/config/").status_code in {302, 404}
    assert c.get(f"/admin/otp_totp/totpdevice/{device.pk}/qrcode/").status_code in {302, 404}
    assert c.post(f"/admin/otp_totp/totpdevice/{device.pk}/delete/", {"post": "yes"}).status_code == 403
    assert TOTPDevice.objects.filter(pk=device.pk).exists()
