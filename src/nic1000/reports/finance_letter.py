"""The decision letter of a policy-finance application: approval with its terms, or decline with its reasons.
A letter exists once the institution has decided (approved, disbursing, completed or declined)."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from nic1000.accounts.models import User
from nic1000.core.errors import NotFound
from nic1000.core.identifiers import brn_format
from nic1000.finance.models import Application
from nic1000.finance.selectors import access_application
from nic1000.finance.workflows import APPLICATION, APPROVED_STATES
from nic1000.reports.pdf import render_pdf

TEMPLATE = "reports/letter.html"
DECIDED_STATES = (*APPROVED_STATES, "declined")


def has_letter(application: Application) -> bool:
    return application.state in DECIDED_STATES


def access_letter(*, user: User, pk: int) -> Application:
    """A decided application the user may see (finance's own scope: the company, the institution it is routed
    to, the programme readers); Http404 for missing, forbidden and undecided alike."""
    application = access_application(user=user, pk=pk)
    if not has_letter(application):
        raise Http404
    return application


def letter_application(*, pk: int) -> Application:
    """The command line's letter: any decided application."""
    application = (
        Application.objects.select_related("company", "institution", "product").filter(pk=pk).first()
    )
    if application is None or not has_letter(application):
        raise NotFound(_("No decided application %(pk)s.") % {"pk": pk}, code="letter_not_found")
    return application


def letter_context(*, application: Application) -> dict[str, Any]:
    approved = application.state in APPROVED_STATES
    return {
        "application": application,
        "company": application.company,
        "brn": brn_format(application.company.brn),
        "institution": application.institution,
        "product": application.product,
        "approved": approved,
        "state_label": APPLICATION.states.get(application.state, application.state),
        "purpose_label": application.get_purpose_display(),
        "channel_label": application.get_channel_display(),
        "decided_at": application.decided_at,
        "reference": str(application),
        "issued_on": timezone.localdate(),
    }


def letter_pdf(*, application: Application) -> bytes:
    return render_pdf(TEMPLATE, letter_context(application=application))


def letter_filename(application: Application) -> str:
    return f"decision-{application}.pdf"
