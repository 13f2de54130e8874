"""The life of a selection round, declared as data: its states, what each state allows, and its transitions.

draft ──open_nominations──▶ nominating ──start_evaluation──▶ evaluating ──start_selection──▶ selecting
      ──publish──▶ published ──close──▶ closed

`ALLOWED` says in which states each action on a round may happen; services refuse with
`require_round_allows`, pages and templates ask `round_allows` / `allowed_actions` (templates test
`allowed.decide`, never a state string). Guards say what each transition requires: criteria weights summing to
100 before nominations open; every eligible candidacy with its k evaluators before evaluation starts; a recorded
committee decision before publication. Publication itself runs through
`rounds.services.publication.round_publish`, which fires `publish`.

This module imports no rounds model (the models import it for the states): guards follow the round's relations.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from enum import StrEnum
from typing import Any, Protocol, cast

from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.db.models import Count, Q, Sum
from django.utils.translation import gettext_lazy, pgettext_lazy

from nic1000.core.errors import Conflict
from nic1000.core.roles import OFFICE
from nic1000.core.workflow import Transition, Workflow

# Lazy labels, typed as str for the workflow dataclasses (they render as text).
_ = cast(Callable[[str], str], gettext_lazy)


class RoundState(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("round state", "Draft")
    NOMINATING = "nominating", gettext_lazy("Nominating")
    EVALUATING = "evaluating", gettext_lazy("Evaluating")
    SELECTING = "selecting", gettext_lazy("Selecting")
    PUBLISHED = "published", gettext_lazy("Published")
    CLOSED = "closed", gettext_lazy("Closed")


class RoundAction(StrEnum):
    """What can be done to a round (besides its transitions). Values are the keys templates test."""

    CONFIGURE = "configure"  # criteria, rubric, bonus items, eligibility rules, the evaluation's shape
    SET_QUOTAS = "set_quotas"
    NOMINATE = "nominate"
    OVERRIDE_ELIGIBILITY = "override_eligibility"
    ASSIGN = "assign"  # solve or change the assignment of evaluators
    DECLARE_CONFLICT = "declare_conflict"
    SCORE = "score"
    AGGREGATE = "aggregate"
    SELECT = "select"  # run the selection optimiser
    FORCE = "force"  # the committee forces a candidacy in or out
    DECIDE = "decide"  # record the committee's decision
    COMMITTEE_DECIDE = "committee_decide"  # a body-run committee decides its own list
    WITHDRAW_DECISION = "withdraw_decision"
    PUBLISH = "publish"
    SHOW_PUBLICATION = "show_publication"  # the published list is public


S = RoundState
ALLOWED: dict[RoundAction, frozenset[RoundState]] = {
    RoundAction.CONFIGURE: frozenset({S.DRAFT, S.NOMINATING}),
    RoundAction.SET_QUOTAS: frozenset({S.DRAFT, S.NOMINATING, S.EVALUATING, S.SELECTING}),
    RoundAction.NOMINATE: frozenset({S.NOMINATING}),
    RoundAction.OVERRIDE_ELIGIBILITY: frozenset({S.NOMINATING, S.EVALUATING, S.SELECTING}),
    RoundAction.ASSIGN: frozenset({S.NOMINATING, S.EVALUATING}),
    RoundAction.DECLARE_CONFLICT: frozenset({S.NOMINATING, S.EVALUATING}),
    RoundAction.SCORE: frozenset({S.EVALUATING}),
    RoundAction.AGGREGATE: frozenset({S.EVALUATING, S.SELECTING}),
    RoundAction.SELECT: frozenset({S.EVALUATING, S.SELECTING}),
    RoundAction.FORCE: frozenset({S.EVALUATING, S.SELECTING}),
    RoundAction.DECIDE: frozenset({S.SELECTING}),
    RoundAction.COMMITTEE_DECIDE: frozenset({S.EVALUATING, S.SELECTING}),
    RoundAction.WITHDRAW_DECISION: frozenset({S.SELECTING}),
    RoundAction.PUBLISH: frozenset({S.SELECTING}),
    RoundAction.SHOW_PUBLICATION: frozenset({S.PUBLISHED, S.CLOSED}),
}

# What a refused action says (the round's `name` and `state` label may appear) and its stable error code.
REFUSALS: dict[RoundAction, tuple[str, str]] = {
    RoundAction.CONFIGURE: (
        _("The round's configuration is fixed once evaluation has started."),
        "round_config_locked",
    ),
    RoundAction.SET_QUOTAS: (_("The selection is published; its quotas are fixed."), "round_config_locked"),
    RoundAction.NOMINATE: (
        _("Round %(name)s is not taking nominations (it is %(state)s)."),
        "round_not_nominating",
    ),
    RoundAction.OVERRIDE_ELIGIBILITY: (_("Eligibility can no longer change in this round."), "round_state"),
    RoundAction.ASSIGN: (_("Evaluators are assigned while nominating or evaluating."), "round_state"),
    RoundAction.DECLARE_CONFLICT: (_("Scoring is closed."), "round_state"),
    RoundAction.SCORE: (_("The round is not in evaluation."), "scoring_closed"),
    RoundAction.AGGREGATE: (_("Scores are aggregated during evaluation or selection."), "round_state"),
    RoundAction.SELECT: (_("Selection runs during evaluation or selection."), "round_state"),
    RoundAction.FORCE: (_("Forcing happens during selection."), "round_state"),
    RoundAction.DECIDE: (_("The committee decides during selection."), "round_state"),
    RoundAction.COMMITTEE_DECIDE: (
        _("A body's committee decides its list once evaluation has started and before publication."),
        "round_state",
    ),
    RoundAction.WITHDRAW_DECISION: (_("Only before publication."), "round_state"),
    RoundAction.PUBLISH: (_("Only a round in selection can be published."), "invalid_state"),
    RoundAction.SHOW_PUBLICATION: (_("The round's selection is not published."), "not_published"),
}


class Stateful(Protocol):
    """A round as far as this module needs it."""

    name: str
    state: str


def round_allows(round: Stateful, action: RoundAction) -> bool:
    return round.state in ALLOWED[action]


def require_round_allows(round: Stateful, action: RoundAction) -> None:
    """Services: raise Conflict (with the action's message and code) unless the round's state allows it."""
    if not round_allows(round, action):
        message, code = REFUSALS[action]
        raise Conflict(str(message) % {"name": round.name, "state": state_label(round.state)}, code=code)


def allowed_actions(round: Stateful) -> Mapping[str, bool]:
    """Every action → whether the round's state allows it, for pages (`allowed.decide` in templates)."""
    return {action.value: round.state in states for action, states in ALLOWED.items()}


def states_allowing(action: RoundAction) -> list[str]:
    """The states in which `action` may happen, for queries (`state__in=`)."""
    return sorted(ALLOWED[action])


def scored_after_publication(assignment: Any) -> bool:
    """An assignment made after its round was published: a re-scoring after an upheld appeal
    (`rounds.services.rescoring`), scored whatever the round's state and scoring deadline."""
    published_at = assignment.round.published_at
    return bool(published_at is not None and assignment.created_at > published_at)


def state_label(state: str) -> str:
    try:
        return str(RoundState(state).label)
    except ValueError:
        return state


# --- transition guards (each returns None or what is missing) ------------------------------------------------


def _weights_sum_to_100(rnd: Any) -> str | None:
    sums = rnd.criteria.values("body_id").annotate(total=Sum("weight"))
    if not sums:
        return str(_("the round has no criteria"))
    bad = [row for row in sums if row["total"] != 100]
    if bad:
        return str(_("criteria weights must sum to 100 (found %(found)s)")) % {
            "found": ", ".join(str(row["total"]) for row in bad)
        }
    return None


def _has_candidacies(rnd: Any) -> str | None:
    if not rnd.candidacies.filter(eligible=True).exists():
        return str(_("no eligible candidacy was nominated"))
    return None


def _every_candidacy_has_its_evaluators(rnd: Any) -> str | None:
    k = rnd.settings.reviews_per_candidacy
    short = (
        rnd.candidacies.filter(eligible=True)
        .annotate(n=Count("assignments", filter=Q(assignments__active=True)))
        .filter(n__lt=k)
    )
    count = short.count()
    if count:
        names = ", ".join(c.company.name_ko for c in short.select_related("company")[:5])
        return str(_("%(count)d candidacies lack their %(k)d evaluators (%(names)s)")) % {
            "count": count,
            "k": k,
            "names": names,
        }
    return None


def _has_selection(rnd: Any) -> str | None:
    if not rnd.selection_runs.filter(feasible=True).exists():
        return str(_("no feasible selection has been run"))
    return None


def _committee_decided(rnd: Any) -> str | None:
    try:
        rnd.committee_decision  # noqa: B018 - the reverse one-to-one is read for its existence
    except ObjectDoesNotExist:
        return str(_("the committee's decision has not been recorded"))
    return None


ROUND = Workflow(
    name="round",
    states={state.value: cast(str, state.label) for state in RoundState},
    initial=RoundState.DRAFT,
    transitions=(
        Transition(
            "open_nominations",
            (S.DRAFT,),
            S.NOMINATING,
            OFFICE,
            _("Open nominations"),
            guards=(_weights_sum_to_100,),
        ),
        Transition(
            "start_evaluation",
            (S.NOMINATING,),
            S.EVALUATING,
            OFFICE,
            _("Start evaluation"),
            guards=(_has_candidacies, _every_candidacy_has_its_evaluators),
        ),
        Transition(
            "start_selection", (S.EVALUATING,), S.SELECTING, OFFICE, _("Close scoring and start selection")
        ),
        Transition(
            "publish",
            (S.SELECTING,),
            S.PUBLISHED,
            OFFICE,
            _("Publish the selection"),
            guards=(_has_selection, _committee_decided),
        ),
        Transition("close", (S.PUBLISHED,), S.CLOSED, OFFICE, _("Close the round")),
    ),
    final_states=frozenset({S.CLOSED}),
)

# Transitions fired from the round page (publish has its own service and button).
PAGE_TRANSITIONS = ("open_nominations", "start_evaluation", "start_selection", "close")
