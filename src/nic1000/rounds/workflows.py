"""The life of a selection round, declared as data.

draft ──open_nominations──▶ nominating ──start_evaluation──▶ evaluating ──start_selection──▶ selecting
      ──publish──▶ published ──close──▶ closed

Guards say what each step requires: criteria weights summing to 100 before nominations open; every eligible
candidacy with its k evaluators before evaluation starts; a recorded committee decision before publication.
Publication itself runs through `rounds.services.publication.round_publish`, which fires `publish`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from django.db.models import Count, Q, Sum
from django.utils.translation import gettext_lazy

from nic1000.core.roles import Role
from nic1000.core.workflow import Transition, Workflow

OFFICE = frozenset({Role.PROGRAM_OFFICE})
# Lazy labels, typed as str for the workflow dataclasses (they render as text).
_ = cast(Callable[[str], str], gettext_lazy)


def _weights_sum_to_100(rnd: Any) -> str | None:
    from nic1000.rounds.models import Criterion

    sums = Criterion.objects.filter(round=rnd).values("body_id").annotate(total=Sum("weight"))
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
    from nic1000.rounds.models import Candidacy, RoundSettings

    k = RoundSettings.objects.get(round=rnd).reviews_per_candidacy
    short = (
        Candidacy.objects.filter(round=rnd, eligible=True)
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
    from nic1000.rounds.models import CommitteeDecision

    if not CommitteeDecision.objects.filter(round=rnd).exists():
        return str(_("the committee's decision has not been recorded"))
    return None


ROUND = Workflow(
    name="round",
    states={
        "draft": _("Draft"),
        "nominating": _("Nominating"),
        "evaluating": _("Evaluating"),
        "selecting": _("Selecting"),
        "published": _("Published"),
        "closed": _("Closed"),
    },
    initial="draft",
    transitions=(
        Transition(
            "open_nominations",
            ("draft",),
            "nominating",
            OFFICE,
            _("Open nominations"),
            guards=(_weights_sum_to_100,),
        ),
        Transition(
            "start_evaluation",
            ("nominating",),
            "evaluating",
            OFFICE,
            _("Start evaluation"),
            guards=(_has_candidacies, _every_candidacy_has_its_evaluators),
        ),
        Transition(
            "start_selection", ("evaluating",), "selecting", OFFICE, _("Close scoring and start selection")
        ),
        Transition(
            "publish",
            ("selecting",),
            "published",
            OFFICE,
            _("Publish the selection"),
            guards=(_has_selection, _committee_decided),
        ),
        Transition("close", ("published",), "closed", OFFICE, _("Close the round")),
    ),
    final_states=frozenset({"closed"}),
)

# Transitions fired from the round page (publish has its own service and button).
PAGE_TRANSITIONS = ("open_nominations", "start_evaluation", "start_selection", "close")
