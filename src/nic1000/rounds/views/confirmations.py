"""What the round's irreversible steps say before (the confirmation's consequences, with counts) and after (the
message saying what was done). Words only: the counts come from `pages.round_reach`."""

from __future__ import annotations

from django.utils.translation import gettext as _

from nic1000.rounds.models import Round
from nic1000.rounds.pages import RoundReach
from nic1000.rounds.workflows import ROUND, state_label


def transition_title(rnd: Round, transition: str) -> str:
    return _("%(action)s: %(round)s?") % {"action": ROUND.transition(transition).label, "round": rnd.name}


def transition_consequences(rnd: Round, transition: str, reach: RoundReach) -> list[str]:
    target = ROUND.transition(transition).target
    lines = [
        _("%(round)s moves from “%(before)s” to “%(after)s”.")
        % {"round": rnd.name, "before": state_label(rnd.state), "after": state_label(target)}
    ]
    if transition == "open_nominations":
        lines.append(
            _(
                "%(officers)d ministry officers of %(bodies)d ministries and agencies are told they may nominate."
            )
            % {"officers": reach.officers, "bodies": reach.bodies}
        )
    elif transition == "start_evaluation":
        lines.append(_("Nominations close: no more nominations, edits or withdrawals."))
        lines.append(
            _("%(eligible)d eligible candidacies (of %(all)d) go to evaluation; evaluators may score them.")
            % {"eligible": reach.eligible, "all": reach.candidacies}
        )
    elif transition == "start_selection":
        lines.append(_("Scoring closes: evaluators can no longer submit or change reviews."))
        if reach.missing_reviews:
            lines.append(
                _("%(reviews)d reviews by %(evaluators)d evaluators are not submitted and will not count.")
                % {"reviews": reach.missing_reviews, "evaluators": reach.evaluators_missing}
            )
    elif transition == "close":
        lines.append(_("The round is closed: nothing in it changes any more."))
    return lines


def transition_done(rnd: Round, transition: str, reach: RoundReach) -> str:
    if transition == "open_nominations":
        return _("Nominations are open; %(officers)d ministry officers of %(bodies)d bodies were told.") % {
            "officers": reach.officers,
            "bodies": reach.bodies,
        }
    if transition == "start_selection" and reach.missing_reviews:
        return _("Scoring is closed with %(reviews)d reviews missing; the round is now in selection.") % {
            "reviews": reach.missing_reviews
        }
    return _("The round is now %(state)s.") % {"state": state_label(rnd.state)}


def publish_consequences(reach: RoundReach) -> list[str]:
    return [
        _("%(n)d companies are designated, each with a certificate of designation and its verification code.")
        % {"n": reach.selected},
        _("%(n)d candidacies are not selected.") % {"n": reach.not_selected},
        _(
            "%(reps)d representatives of selected companies are told; %(none)d selected companies have no account"
            " yet."
        )
        % {"reps": reach.selected_reps, "none": reach.selected_without_account},
        _("%(reps)d representatives of companies not selected are told.") % {"reps": reach.not_selected_reps},
        _("The officers of %(n)d nominating bodies are told their results.") % {"n": reach.nominating_bodies},
        _("The list becomes public (page, Excel and API) and the selection is frozen."),
    ]


def publish_done(reach: RoundReach) -> str:
    message = _(
        "Published: %(designated)d companies designated; %(told)d representatives told; the officers of"
        " %(bodies)d nominating bodies told their results."
    ) % {"designated": reach.selected, "told": reach.selected_reps, "bodies": reach.nominating_bodies}
    if reach.selected_without_account:
        message += " " + _(
            "%(none)d selected companies have no account yet: invite their representatives from each"
            " company's page in the registry."
        ) % {"none": reach.selected_without_account}
    return message
