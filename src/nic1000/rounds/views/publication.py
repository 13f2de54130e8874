"""Publication of a round's selection (the programme office)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from nic1000.accounts.second_factor import recent_second_factor_required
from nic1000.core.access import role_required
from nic1000.core.errors import ApplicationError
from nic1000.core.roles import OFFICE
from nic1000.rounds import pages, selectors
from nic1000.rounds.services import publication as publication_services
from nic1000.rounds.views import confirmations
from nic1000.rounds.views.common import AuthedRequest, ask_first
from nic1000.rounds.workflows import ROUND, RoundAction, round_allows


@role_required(OFFICE)
@recent_second_factor_required
@require_POST
def publish(request: AuthedRequest, pk: int) -> HttpResponse:
    """Asked first (who is designated, who is told), then published; the message says who was told."""
    rnd = selectors.access_round(user=request.user, pk=pk)
    if round_allows(rnd, RoundAction.PUBLISH) and not ROUND.blockers(ROUND.transition("publish"), rnd):
        asked = ask_first(
            request,
            title=_("Publish the selection of %(round)s?") % {"round": rnd.name},
            consequences=confirmations.publish_consequences(pages.round_reach(round=rnd)),
            button=_("Publish"),
            cancel_url=reverse("rounds:results", kwargs={"pk": rnd.pk}),
        )
        if asked is not None:
            return asked
    try:
        publication_services.round_publish(round=rnd, acting_user=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("rounds:results", pk=rnd.pk)
    messages.success(request, confirmations.publish_done(pages.round_reach(round=rnd)))
    return redirect("rounds:public_selection", pk=rnd.pk)
