"""Publication of a round's selection (the programme office)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from nic1000.accounts.second_factor import recent_second_factor_required
from nic1000.core.access import role_required
from nic1000.core.errors import ApplicationError
from nic1000.core.roles import OFFICE
from nic1000.rounds import selectors
from nic1000.rounds.services import publication as publication_services
from nic1000.rounds.views.common import AuthedRequest


@role_required(OFFICE)
@recent_second_factor_required
@require_POST
def publish(request: AuthedRequest, pk: int) -> HttpResponse:
    rnd = selectors.access_round(user=request.user, pk=pk)
    try:
        publication_services.round_publish(round=rnd, acting_user=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("rounds:results", pk=rnd.pk)
    messages.success(request, _("Published. The selected companies have been told."))
    return redirect("rounds:public_selection", pk=rnd.pk)
