"""Designation certificates and their public verification.

A certificate is printed for an active designation (`designations.Membership`): company, BRN, nominating body,
round, date of designation, validity, and a verification code with a QR code pointing at `/verify/<code>/`.
The code is stored on the designation (made with it, unique, 100 random bits), so issuing a certificate
writes nothing: the PDF is rendered on request, and the public verifier reads the designation's current status
(a removed company's certificate is reported as no longer valid).

Validity: designations have no end date yet; a certificate is valid while the designation is active, and at the
latest until the programme's end date when one is set.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import segno
from django.conf import settings
from django.db.models import QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from nic1000.accounts.models import User
from nic1000.core.access import has_role
from nic1000.core.errors import NotFound
from nic1000.core.identifiers import brn_compact, brn_format
from nic1000.core.roles import PROGRAMME_READERS, Role
from nic1000.designations.models import LIVE_STATES, Membership
from nic1000.reports.pdf import render_pdf

TEMPLATE = "reports/certificate.html"


def _memberships() -> QuerySet[Membership]:
    return Membership.objects.select_related("company", "round__program", "body")


def access_certificate(*, user: User, pk: int) -> Membership:
    """An active designation whose certificate the user may download: programme readers (office, auditors, the
    support group) any, a ministry officer those of their body, a company representative their company's.
    Http404 otherwise (missing, removed and forbidden alike)."""
    qs = _memberships().filter(pk=pk, status__in=LIVE_STATES)
    if not has_role(user, PROGRAMME_READERS):
        if has_role(user, {Role.MINISTRY_OFFICER}) and user.body_id:
            qs = qs.filter(body_id=user.body_id)
        elif has_role(user, {Role.COMPANY}) and user.company_id:
            qs = qs.filter(company_id=user.company_id)
        else:
            qs = qs.none()
    membership = qs.first()
    if membership is None:
        raise Http404
    return membership


def membership_for_brn(*, brn: str) -> Membership:
    """The company's active designation (the command line's certificate)."""
    membership = _memberships().filter(company__brn=brn_compact(brn), status__in=LIVE_STATES).first()
    if membership is None:
        raise NotFound(
            _("No active designation for business registration number %(brn)s.") % {"brn": brn_format(brn)},
            code="designation_not_found",
        )
    return membership


def validity_text(membership: Membership) -> str:
    ends_on = membership.round.program.ends_on
    if ends_on:
        return _(
            "Valid while the designation is active, until %(date)s at the latest (the programme's end)."
        ) % {"date": ends_on.isoformat()}
    return _("Valid while the designation is active (no end date is set).")


def verify_path(code: str) -> str:
    return reverse("reports:verify", kwargs={"code": code})


def verify_url(code: str, *, site_url: str | None = None) -> str:
    base = (site_url or str(settings.NIC1000_SITE_URL)).rstrip("/")
    return f"{base}{verify_path(code)}"


def qr_svg(url: str) -> SafeString:
    """The QR code of `url` as inline SVG (segno escapes nothing we pass: the URL is ours)."""
    svg = segno.make(url, error="m").svg_inline(scale=3, border=2, title=url)
    return mark_safe(svg)  # made by segno from our own URL


def certificate_context(*, membership: Membership, site_url: str | None = None) -> dict[str, Any]:
    url = verify_url(membership.certificate_code, site_url=site_url)
    return {
        "membership": membership,
        "company": membership.company,
        "brn": brn_format(membership.company.brn),
        "body": membership.body,
        "round": membership.round,
        "program": membership.round.program,
        "validity": validity_text(membership),
        "code": membership.certificate_code,
        "verify_url": url,
        "qr": qr_svg(url),
        "issued_on": timezone.localdate(),
    }


def certificate_pdf(*, membership: Membership, site_url: str | None = None) -> bytes:
    return render_pdf(TEMPLATE, certificate_context(membership=membership, site_url=site_url))


def certificate_filename(membership: Membership) -> str:
    return f"certificate-{membership.company.brn}-r{membership.round.number}.pdf"


# ---------------------------------------------------------------- public verification


@dataclass(frozen=True)
class Verification:
    """What the public verifier says about a code: only what a certificate holder already shows the reader."""

    status: str  # "valid" | "removed" | "ended" | "unknown"
    company_name: str = ""
    brn_masked: str = ""
    body_name: str = ""
    round_name: str = ""
    selected_on: dt.date | None = None
    ended_on: dt.date | None = None
    validity: str = ""

    @property
    def valid(self) -> bool:
        return self.status == "valid"


def mask_brn(brn: str) -> str:
    """123-45-***90: enough to compare with the paper, not a registry look-up."""
    compact = brn_compact(brn)
    if len(compact) != 10:
        return "***"
    return f"{compact[:3]}-{compact[3:5]}-***{compact[8:]}"


def verify_code(code: str) -> Verification:
    """The current status of the designation behind a certificate's code (never why it was removed)."""
    cleaned = code.strip().upper()
    membership = (
        _memberships().filter(certificate_code=cleaned).first()
        if cleaned.isalnum() and len(cleaned) == 20
        else None
    )
    if membership is None:
        return Verification(status="unknown")
    status = {
        Membership.Status.ACTIVE: "valid",
        Membership.Status.UNDER_REEVALUATION: "valid",
        Membership.Status.REMOVED: "removed",
    }.get(Membership.Status(membership.status), "ended")
    return Verification(
        status=status,
        company_name=membership.company.name_ko,
        brn_masked=mask_brn(membership.company.brn),
        body_name=membership.body.name_ko,
        round_name=membership.round.name,
        selected_on=membership.selected_on,
        ended_on=membership.ended_on,
        validity=validity_text(membership) if status == "valid" else "",
    )
