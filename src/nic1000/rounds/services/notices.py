"""Who is told what about a round, and how: every notification the rounds services send goes through here.

Each function is a step of its caller's transaction (the caller writes the audit row). Titles and bodies are
English msgids (`gettext_noop`) with plain values in `params`, so each reader sees them in their own language;
dates travel as ISO days (2026-03-31 reads the same in both languages). Dedupe keys make every notice idempotent
per recipient: a retried write or a job run twice sends nothing new."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Mapping

from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_noop

from nic1000.accounts.models import User
from nic1000.activity.services import notify
from nic1000.core.models import Notification
from nic1000.core.roles import Role
from nic1000.registry.models import Body
from nic1000.rounds.models import Candidacy, EligibilityRule, Nomination, Round

# --- recipients -------------------------------------------------------------------------------------------------


def officers_of(body_ids: Iterable[int]) -> QuerySet[User]:
    """The active ministry officers of these bodies."""
    return User.objects.filter(role=Role.MINISTRY_OFFICER, body_id__in=list(body_ids), is_active=True)


def representatives_of(company_ids: Iterable[int]) -> QuerySet[User]:
    """The active representatives of these companies (a company may have none yet)."""
    return User.objects.filter(role=Role.COMPANY, company_id__in=list(company_ids), is_active=True)


def office_users() -> QuerySet[User]:
    return User.objects.filter(role=Role.PROGRAM_OFFICE, is_active=True)


def round_body_ids(rnd: Round) -> list[int]:
    """The bodies taking part in the round: its programme's, or every body when the programme names none."""
    ids = list(rnd.program.bodies.values_list("pk", flat=True))
    return ids or list(Body.objects.values_list("pk", flat=True))


def not_yet_told(by_user: Mapping[int, int], key: str) -> dict[int, int]:
    """The entries whose user has no notice with this dedupe key yet (what a job run would really send)."""
    told = set(
        Notification.objects.filter(recipient_id__in=list(by_user), dedupe_key=key).values_list(
            "recipient_id", flat=True
        )
    )
    return {user_id: n for user_id, n in by_user.items() if user_id not in told}


def day(value: dt.datetime | None) -> str:
    """A deadline as the Seoul calendar day (ISO), "" when there is none."""
    return timezone.localdate(value).isoformat() if value else ""


# --- nominations ------------------------------------------------------------------------------------------------


def tell_nominations_open(rnd: Round) -> int:
    """Every participating body's officers: the window is open (and until when)."""
    closes = day(rnd.nominations_close_at)
    return notify(
        recipients=officers_of(round_body_ids(rnd)),
        kind="round.nominations_open",
        title=gettext_noop("Nominations are open for %(round)s"),
        body=(
            gettext_noop("Your ministry or agency may nominate companies until %(closes)s.")
            if closes
            else gettext_noop("Your ministry or agency may now nominate companies.")
        ),
        params={"round": rnd.name, "closes": closes},
        link=reverse("rounds:nominate", kwargs={"pk": rnd.pk}),
        dedupe_key=f"round-nominations-open-{rnd.pk}",
    )


def tell_nominations_closing(rnd: Round, body: Body, *, nominated: int, quota: int | None, key: str) -> int:
    """One body's officers, once: nominations close soon; how many the body has nominated, and its quota."""
    officers = officers_of([body.pk]).exclude(notifications__dedupe_key=key)
    params: dict[str, str | int] = {
        "round": rnd.name,
        "closes": day(rnd.nominations_close_at),
        "nominated": nominated,
        "quota": quota if quota is not None else "",
        "left": max(0, quota - nominated) if quota is not None else "",
    }
    return notify(
        recipients=officers,
        kind="round.nominations_closing",
        title=gettext_noop("Nominations for %(round)s close on %(closes)s"),
        body=(
            gettext_noop(
                "Your ministry or agency has nominated %(nominated)s companies; its quota in this round is"
                " %(quota)s (%(left)s left)."
            )
            if quota is not None
            else gettext_noop("Your ministry or agency has nominated %(nominated)s companies so far.")
        ),
        params=params,
        link=reverse("rounds:nominations", kwargs={"pk": rnd.pk}),
        dedupe_key=key,
    )


def _failed_year(reason: Mapping[str, object]) -> int | str:
    params = reason.get("params")
    year = params.get("y") if isinstance(params, dict) else None
    return year if isinstance(year, int) else ""


def _ineligible_body(reasons: list[dict[str, object]]) -> tuple[str, dict[str, str | int]]:
    """The rules the company fails, as one msgid and its values (the fiscal years), worded in each reader's
    language when shown, like the reasons stored with the candidacy."""
    failed = {str(r.get("rule")): r for r in reasons if r.get("ok") == "no"}
    delinquency = failed.get(EligibilityRule.Kind.CREDIT_DELINQUENCY.value)
    impairment = failed.get(EligibilityRule.Kind.CAPITAL_IMPAIRMENT.value)
    params: dict[str, str | int] = {
        "reasons": ",".join(sorted(failed)),
        "delinquency_year": _failed_year(delinquency) if delinquency else "",
        "impairment_year": _failed_year(impairment) if impairment else "",
    }
    if delinquency and impairment:
        msgid = gettext_noop(
            "Credit delinquency recorded in fiscal year %(delinquency_year)s and full capital impairment in"
            " fiscal year %(impairment_year)s."
        )
    elif delinquency:
        msgid = gettext_noop("Credit delinquency recorded in fiscal year %(delinquency_year)s.")
    elif impairment:
        msgid = gettext_noop("Full capital impairment in fiscal year %(impairment_year)s.")
    else:
        msgid = gettext_noop("The candidacy does not meet the round's eligibility rules.")
    return msgid, params


def tell_ineligible(candidacy: Candidacy, *, body_ids: Iterable[int], override_reason: str = "") -> int:
    """The nominating bodies' officers and the company's representatives: the candidacy is not eligible, and
    why (the registry's verdict, or the programme office's reason when it overrode it)."""
    company = candidacy.company
    if override_reason:
        body = gettext_noop("The programme office found the candidacy not eligible: %(reason)s")
        params: dict[str, str | int] = {"reason": override_reason, "reasons": "override"}
        key = f"round-ineligible-{candidacy.pk}-{timezone.now():%Y%m%d%H%M%S%f}"
    else:
        body, params = _ineligible_body(list(candidacy.eligibility_reasons or []))
        key = f"round-ineligible-{candidacy.pk}"
    params.update({"company": company.name_ko, "round": candidacy.round.name})
    title = gettext_noop("%(company)s is not eligible in %(round)s")
    link = reverse("rounds:candidacy", kwargs={"pk": candidacy.pk})
    told = notify(
        recipients=officers_of(body_ids),
        kind="round.ineligible",
        title=title,
        body=body,
        params=params,
        link=link,
        dedupe_key=key,
    )
    return told + notify(
        recipients=representatives_of([company.pk]),
        kind="round.ineligible",
        title=title,
        body=body,
        params=params,
        link=reverse("registry:company_detail", kwargs={"pk": company.pk}),  # its own records, to check them
        dedupe_key=key,
    )


def tell_nomination_changed(
    nomination: Nomination, *, acting_user: User, withdrawn: bool, at: dt.datetime
) -> int:
    """An officer's edit or withdrawal goes to the programme office; the office's withdrawal goes to the body."""
    rnd = nomination.candidacy.round
    by_office = acting_user.role == Role.PROGRAM_OFFICE
    recipients = officers_of([nomination.body_id]) if by_office else office_users()
    if withdrawn:
        title = gettext_noop("Nomination of %(company)s withdrawn in %(round)s")
        body = (
            gettext_noop("The programme office withdrew %(body)s's nomination of %(company)s.")
            if by_office
            else gettext_noop("%(body)s withdrew its nomination of %(company)s.")
        )
        link = reverse("rounds:nominations", kwargs={"pk": rnd.pk})
    else:
        title = gettext_noop("Nomination of %(company)s edited in %(round)s")
        body = gettext_noop("%(body)s changed the reason or evidence of its nomination of %(company)s.")
        link = reverse("rounds:candidacy", kwargs={"pk": nomination.candidacy_id})
    return notify(
        recipients=recipients.exclude(pk=acting_user.pk),
        kind="round.nomination_changed",
        title=title,
        body=body,
        params={
            "company": nomination.candidacy.company.name_ko,
            "round": rnd.name,
            "body": nomination.body.code,
        },
        link=link,
        dedupe_key=f"nomination-changed-{nomination.pk}-{'w' if withdrawn else 'e'}-{at:%Y%m%d%H%M%S%f}",
    )


# --- evaluation -------------------------------------------------------------------------------------------------


def tell_assigned(rnd: Round, added: Mapping[int, int], *, key: str) -> int:
    """One notice per evaluator (user id → candidacies newly assigned), with how many they now have and the
    scoring deadline: a solve of 300 pairs sends one notice to each evaluator, not one per pair."""
    if not added:
        return 0
    deadline = day(rnd.scoring_deadline)
    totals = Counter(
        rnd.assignments.filter(active=True, evaluator__user_id__in=list(added)).values_list(
            "evaluator__user_id", flat=True
        )
    )
    told = 0
    for user in User.objects.filter(pk__in=list(added), is_active=True):
        told += notify(
            recipients=[user],
            kind="round.assigned",
            title=gettext_noop("%(n)s candidacies assigned to you in %(round)s"),
            body=(
                gettext_noop("You now evaluate %(total)s candidacies; reviews are due by %(deadline)s.")
                if deadline
                else gettext_noop("You now evaluate %(total)s candidacies.")
            ),
            params={
                "n": added[user.pk],
                "total": totals.get(user.pk, 0),
                "round": rnd.name,
                "deadline": deadline,
            },
            link=reverse("rounds:my_assignments"),
            dedupe_key=f"round-assigned-{key}",
        )
    return told


def tell_unassigned(rnd: Round, removed: Mapping[int, int], *, key: str) -> int:
    """One notice per evaluator (user id → candidacies taken away)."""
    told = 0
    for user in User.objects.filter(pk__in=list(removed), is_active=True):
        told += notify(
            recipients=[user],
            kind="round.unassigned",
            title=gettext_noop("%(n)s candidacies no longer assigned to you in %(round)s"),
            body=gettext_noop("You no longer evaluate them; any draft review of them was discarded."),
            params={"n": removed[user.pk], "round": rnd.name},
            link=reverse("rounds:my_assignments"),
            dedupe_key=f"round-unassigned-{key}",
        )
    return told


def tell_reviews(rnd: Round, missing: Mapping[int, int], *, late: bool, key: str) -> int:
    """Evaluators (user id → reviews not submitted): the deadline is near, or has passed."""
    told = 0
    deadline = day(rnd.scoring_deadline)
    for user in User.objects.filter(pk__in=list(missing), is_active=True):
        told += notify(
            recipients=[user],
            kind="round.review_late" if late else "round.review_due",
            title=(
                gettext_noop("Reviews overdue in %(round)s")
                if late
                else gettext_noop("Reviews due by %(deadline)s in %(round)s")
            ),
            body=(
                gettext_noop(
                    "The deadline of %(deadline)s has passed and %(n)s of your reviews are not submitted."
                )
                if late
                else gettext_noop(
                    "%(n)s of your reviews are not submitted yet; the deadline is %(deadline)s."
                )
            ),
            params={"n": missing[user.pk], "round": rnd.name, "deadline": deadline},
            link=reverse("rounds:my_assignments"),
            dedupe_key=key,
        )
    return told


# --- publication ------------------------------------------------------------------------------------------------


def tell_published(rnd: Round, candidacies: list[Candidacy]) -> dict[str, int]:
    """Selected and not-selected companies' representatives, and each nominating body's officers with its own
    counts. Returns what was sent: {"selected_reps", "not_selected_reps", "bodies"}."""
    link = reverse("rounds:public_selection", kwargs={"pk": rnd.pk})
    selected = [c for c in candidacies if c.selected]
    others = [c for c in candidacies if not c.selected]
    out = {
        "selected_reps": notify(
            recipients=representatives_of(c.company_id for c in selected),
            kind="round.selected",
            title=gettext_noop("Your company was selected in %(round)s"),
            body=gettext_noop(
                "Congratulations: your company is now a National Innovation Company 1000 member."
            ),
            params={"round": rnd.name},
            link=link,
            dedupe_key=f"round-selected-{rnd.pk}",
        ),
        "not_selected_reps": notify(
            recipients=representatives_of(c.company_id for c in others),
            kind="round.not_selected",
            title=gettext_noop("Your company was not selected in %(round)s"),
            body=gettext_noop(
                "The selection of %(round)s is published; your company is not among the selected companies."
            ),
            params={"round": rnd.name},
            link=link,
            dedupe_key=f"round-not-selected-{rnd.pk}",
        ),
        "bodies": 0,
    }
    counts: dict[int, list[int]] = {}
    for c in candidacies:
        for n in c.nominations.all():
            counts.setdefault(n.body_id, [0, 0])[0 if c.selected else 1] += 1
    for body_id, (n_selected, n_not) in counts.items():
        if notify(
            recipients=officers_of([body_id]),
            kind="round.results",
            title=gettext_noop("Results of %(round)s for your nominations"),
            body=gettext_noop(
                "%(selected)s of the companies you nominated were selected, %(not_selected)s not."
            ),
            params={"round": rnd.name, "selected": n_selected, "not_selected": n_not},
            link=link,
            dedupe_key=f"round-results-{rnd.pk}",
        ):
            out["bodies"] += 1
    return out
