"""PDF downloads (each through its app's `access_*` selector: one 404 for missing and forbidden) and the public
verification page of designation certificates."""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from nic1000.accounts.http import AuthedRequest
from nic1000.accounts.throttle import client_ip
from nic1000.core.access import public, role_required
from nic1000.core.roles import MONITORING_READERS, OFFICE_AND_AUDIT, PROGRAMME_READERS, Role
from nic1000.monitoring import selectors as monitoring
from nic1000.reports import certificates, finance_letter, profiles, round_report
from nic1000.rounds.selectors import access_round

CERTIFICATE_READERS = PROGRAMME_READERS | {Role.MINISTRY_OFFICER, Role.COMPANY}
LETTER_READERS = PROGRAMME_READERS | {Role.INSTITUTION_OFFICER, Role.COMPANY}


def pdf_response(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


@role_required(CERTIFICATE_READERS)
def certificate(request: AuthedRequest, pk: int) -> HttpResponse:
    membership = certificates.access_certificate(user=request.user, pk=pk)
    data = certificates.certificate_pdf(membership=membership, site_url=request.build_absolute_uri("/"))
    return pdf_response(data, certificates.certificate_filename(membership))


@role_required(OFFICE_AND_AUDIT)
def round_pdf(request: AuthedRequest, pk: int) -> HttpResponse:
    rnd = access_round(user=request.user, pk=pk)
    return pdf_response(round_report.round_report_pdf(round=rnd), round_report.round_report_filename(rnd))


@role_required(LETTER_READERS)
def letter(request: AuthedRequest, pk: int) -> HttpResponse:
    application = finance_letter.access_letter(user=request.user, pk=pk)
    return pdf_response(
        finance_letter.letter_pdf(application=application), finance_letter.letter_filename(application)
    )


@role_required(MONITORING_READERS)
def risk_profile(request: AuthedRequest, pk: int) -> HttpResponse:
    company = monitoring.access_company_monitoring(user=request.user, pk=pk)
    return pdf_response(profiles.risk_pdf(company=company), profiles.risk_filename(company))


@role_required(MONITORING_READERS)
def case_summary(request: AuthedRequest, pk: int) -> HttpResponse:
    case = monitoring.access_case(user=request.user, pk=pk)
    return pdf_response(profiles.case_pdf(case=case), profiles.case_filename(case))


def _verify_allowed(request: HttpRequest) -> bool:
    """At most NIC1000_VERIFY_PER_MINUTE look-ups a minute per client address (shared cache, fixed window)."""
    key = f"nic1000:verify:{client_ip(request) or '-'}"
    count = 1
    if not cache.add(key, 1, timeout=60):
        try:
            count = cache.incr(key)
        except ValueError:  # the window ended between add and incr
            cache.add(key, 1, timeout=60)
    return bool(count <= int(settings.NIC1000_VERIFY_PER_MINUTE))


@public
def verify(request: HttpRequest, code: str) -> HttpResponse:
    if not _verify_allowed(request):
        return render(request, "reports/verify.html", {"limited": True}, status=429)
    result = certificates.verify_code(code)
    response = render(request, "reports/verify.html", {"result": result, "code": code[:40]})
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex"
    return response
