"""The selection's reasons (and the eligibility check's) in the reader's language.

The optimiser (`algorithms.selection`, Django-free) gives each explanation and each diagnosis a stable code, the
bounds concerned ("body:MOTIE:max", "sector:ict_software:min", "total:max") and numbers; its English sentences
are for logs. The services store the code, the bounds and the numbers; pages, errors and the API read them
through these functions, so a Korean reader never sees the optimiser's English.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from nic1000.core.money import krw
from nic1000.core.sectors import sector_label

# Explanations near the cut-off (see algorithms/selection/__init__.py for the codes).
EXPLANATIONS = {
    "forced_in": gettext_lazy("Included: forced in by the committee"),
    "forced_out": gettext_lazy("Excluded: forced out by the committee"),
    "within_cutoff": gettext_lazy("Included: score within the cut-off"),
    "below_cutoff": gettext_lazy("Excluded: score below the cut-off"),
    "non_positive_score": gettext_lazy("Excluded: no positive score"),
    "tie_break_won": gettext_lazy("Included: same score as an excluded candidacy, ahead on the tie-break"),
    "tie_break_lost": gettext_lazy("Excluded: same score as a selected candidacy, behind on the tie-break"),
    "quota_max": gettext_lazy("Excluded: %(bounds)s reached"),
    "quota_min": gettext_lazy("Included: required by %(bounds)s"),
    "quota_min_elsewhere": gettext_lazy(
        "Excluded: every selected candidacy ranked below it is required by %(bounds)s"
    ),
    "quota_max_elsewhere": gettext_lazy(
        "Included: the better-ranked excluded candidacies are held back by %(bounds)s"
    ),
    "joint_constraints": gettext_lazy("Decided by the combination of quotas"),
}

# Why no selection exists (algorithms/selection/diagnosis.py); %(name)s values come from the diagnosis details.
DIAGNOSES = {
    "total_bounds": gettext_lazy("The total minimum is above the total maximum."),
    "forced_exceeds_total": gettext_lazy(
        "%(forced_in)s candidacies forced in exceed the total maximum of %(total_max)s."
    ),
    "total_exceeds_available": gettext_lazy(
        "The total minimum of %(total_min)s is above the %(available)s eligible candidacies."
    ),
    "quota_bounds": gettext_lazy("The minimum is above the maximum."),
    "quota_min_exceeds_available": gettext_lazy(
        "The minimum of %(min)s is above the %(available)s eligible candidacies in it."
    ),
    "forced_exceeds_quota_max": gettext_lazy(
        "%(forced_in)s candidacies forced in exceed the maximum of %(max)s."
    ),
    "family_min_sum_exceeds_total": gettext_lazy(
        "The minimums add up to %(sum_min)s, above the total maximum of %(total_max)s."
    ),
    "family_max_sum_below_total": gettext_lazy(
        "At most %(capacity)s candidacies fit within the maximums, below the total minimum of %(total_min)s."
    ),
    "irreducible_infeasible_subset": gettext_lazy("These bounds cannot all hold together."),
}

_FAMILIES = {
    "total": gettext_lazy("Total"),
    "body": gettext_lazy("Nominating body"),
    "sector": gettext_lazy("Sector"),
}


def quota_label(family: str, key: str = "") -> str:
    """A quota as people read it: "Total", "Nominating body MOTIE", "Sector ICT and software"."""
    name = str(_FAMILIES.get(family, family))
    if not key:
        return name
    return f"{name} {sector_label(key) if family == 'sector' else key}"


def bound_label(bound: str) -> str:
    """A bound key ("body:MOTIE:max") in words: "Nominating body MOTIE maximum"."""
    parts = bound.split(":")
    side = parts[-1] if len(parts) >= 2 and parts[-1] in ("min", "max") else ""
    family_key = parts[:-1] if side else parts
    family, key = family_key[0], ":".join(family_key[1:])
    label = quota_label(family, key)
    if side == "min":
        return _("%(quota)s minimum") % {"quota": label}
    if side == "max":
        return _("%(quota)s maximum") % {"quota": label}
    return label


def bounds_label(bounds: Iterable[str]) -> str:
    return ", ".join(bound_label(b) for b in bounds if b)


def explanation_store(code: str, constraints: Iterable[str]) -> str:
    """What a candidacy keeps of its explanation (Candidacy.deciding_quota): the code and the bounds."""
    return f"{code}|{','.join(constraints)}"[:200]


def explanation_text(stored: str) -> str:
    """A stored explanation in the active language (an older stored English sentence is shown as it is)."""
    code, sep, bounds = stored.partition("|")
    if not sep or code not in EXPLANATIONS:
        return stored
    text = str(EXPLANATIONS[code])
    return text % {"bounds": bounds_label(bounds.split(","))} if "%(bounds)s" in text else text


def diagnosis_text(d: dict[str, Any]) -> dict[str, str]:
    """One stored diagnosis {code, constraints, details, message} as {"quota", "message"} in the active
    language (unknown codes keep the stored message)."""
    constraints = d.get("constraints")
    quota = bounds_label(constraints) if constraints else str(d.get("quota", ""))
    template = DIAGNOSES.get(str(d.get("code", "")))
    if template is None:
        return {"quota": quota, "message": str(d.get("message", ""))}
    try:
        message = str(template) % dict(d.get("details") or {})
    except (KeyError, TypeError, ValueError):
        message = str(d.get("message", ""))
    return {"quota": quota, "message": message}


def eligibility_text(reason: dict[str, Any]) -> str:
    """One eligibility reason in the active language: from its msgid and values when stored with them
    (equity shown as the full amount), else the words stored by an older version."""
    msgid = reason.get("msgid")
    if not msgid:
        return str(reason.get("message", ""))
    params = dict(reason.get("params") or {})
    if isinstance(params.get("e"), int):
        params["e"] = krw(params["e"], get_language() or "ko")
    try:
        return _(msgid) % params if params else _(msgid)
    except (KeyError, TypeError, ValueError):
        return str(reason.get("message", ""))


# Why no assignment of evaluators exists (algorithms/assignment/diagnosis.py codes and details).
ASSIGNMENT_DIAGNOSES = {
    "load_bounds": gettext_lazy("The minimum load %(min_load)s is above the maximum load %(max_load)s."),
    "locked_forbidden": gettext_lazy("A pair kept by hand is also a conflict of interest."),
    "locked_exceeds_reviews": gettext_lazy(
        "%(locked)s evaluators are kept by hand but only %(required)s reviews are needed."
    ),
    "locked_exceeds_max_load": gettext_lazy(
        "%(locked)s candidacies are kept by hand, above the maximum load %(max_load)s."
    ),
    "too_few_evaluators": gettext_lazy(
        "Only %(available)s evaluators without a conflict have room; %(required)s are needed."
    ),
    "too_few_candidacies": gettext_lazy(
        "The minimum load is %(min_load)s but only %(available)s candidacies have no conflict with the evaluator."
    ),
    "total_capacity": gettext_lazy(
        "%(required)s reviews are needed in all, above the evaluators' total maximum load %(max_load)s."
    ),
    "total_min_load": gettext_lazy(
        "The evaluators' minimum loads add up to %(min_load)s, above the %(required)s reviews needed."
    ),
    "hall_candidacies": gettext_lazy(
        "These candidacies need %(required)s more reviews but their evaluators without a conflict can take "
        "at most %(capacity)s."
    ),
    "hall_evaluators": gettext_lazy(
        "These evaluators need %(required)s reviews for their minimum loads but their candidacies without a "
        "conflict can give at most %(capacity)s."
    ),
}


def assignment_diagnosis_text(code: str, details: dict[str, Any], fallback: str) -> str:
    """An assignment diagnosis in the active language (an unknown code keeps the optimiser's words)."""
    template = ASSIGNMENT_DIAGNOSES.get(code)
    if template is None:
        return fallback
    try:
        return str(template) % details
    except (KeyError, TypeError, ValueError):
        return fallback
