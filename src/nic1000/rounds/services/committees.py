"""Body-run evaluation: for each nominating body the round says whether the FSC's central panel evaluates its
candidacies or the body's own committee does. A committee has its own members (evaluators bound to the body),
runs the same optimal assignment over its candidacies (`assignment.committee_assignment_solve`), its members
score as every evaluator does, and its officers record the committee's list; the programme office's selection
then takes only the recommended candidacies of that body, under the round's quotas."""

from __future__ import annotations

from collections.abc import Collection

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Count, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from nic1000.accounts.models import User
from nic1000.accounts.services import user_create
from nic1000.activity.services import notify
from nic1000.audit.services import audit_record, created, snapshot
from nic1000.core.access import require_role
from nic1000.core.errors import Conflict, ErrorDetail, Forbidden, ValidationFailed
from nic1000.core.roles import OFFICE, Role
from nic1000.core.text import text_check
from nic1000.registry.models import Body
from nic1000.rounds.models import Assignment, Candidacy, EvaluatorProfile, Review, Round, RoundBody
from nic1000.rounds.services.evaluators import _clean_sections
from nic1000.rounds.workflows import RoundAction, require_round_allows


def _send_setup_link(user: User, body: Body) -> None:
    """E-mail the new member a one-time link to choose a password (Django's password-reset token: it works for
    an account without a password and stops working once one is set). Sent after the transaction commits."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    path = reverse("accounts:password_reset_confirm", kwargs={"uidb64": uid, "token": token})
    link = f"{settings.NIC1000_SITE_URL}{path}"
    with translation.override(getattr(user, "language", None) or settings.LANGUAGE_CODE):
        subject = _("You were added to %(body)s's evaluation committee") % {"body": body.name_ko}
        text = render_to_string(
            "rounds/committee_member_email.txt", {"user": user, "body": body.name_ko, "link": link}
        )
    transaction.on_commit(lambda: send_mail(subject, text, None, [user.email], fail_silently=False))


@transaction.atomic
def committee_member_invite_again(*, profile: EvaluatorProfile, acting_user: User) -> None:
    """Send a member who has never signed in a fresh link to choose a password."""
    locked = EvaluatorProfile.objects.select_related("user", "body").get(pk=profile.pk)
    if locked.body is None:
        raise Forbidden(_("The central panel is managed by the programme office."), code="central_member")
    _require_own_body(acting_user, locked.body)
    if locked.user.last_login is not None:
        raise Conflict(_("This member has already signed in."), code="already_signed_in")
    _send_setup_link(locked.user, locked.body)
    audit_record(actor=acting_user, action="committee.member_link", obj=locked, changes={})


def _require_own_body(acting_user: User, body: Body) -> None:
    """The body's own ministry officers act for its committee (the programme office may act for any)."""
    require_role(acting_user, OFFICE, Role.MINISTRY_OFFICER)
    if acting_user.role == Role.MINISTRY_OFFICER and acting_user.body_id != body.pk:
        raise Forbidden(_("Only the body's own officers manage its committee."), code="other_body")


@transaction.atomic
def round_body_evaluation_set(*, round: Round, body: Body, evaluation: str, acting_user: User) -> RoundBody:
    """The programme office says who evaluates a body's candidacies in the round (while it is configured)."""
    require_role(acting_user, OFFICE)
    rnd = Round.objects.select_for_update().get(pk=round.pk)
    require_round_allows(rnd, RoundAction.CONFIGURE)
    if evaluation not in RoundBody.Evaluation.values:
        raise ValidationFailed(_("Choose the central panel or the body's committee."), code="evaluation")
    if not rnd.program.bodies.filter(pk=body.pk).exists():
        raise ValidationFailed(_("This body does not take part in the programme."), code="not_a_body")
    if Assignment.objects.filter(round=rnd, candidacy__lead_body=body, active=True).exists():
        raise Conflict(
            _("%(body)s's candidacies already have evaluators; the panel cannot change now.")
            % {"body": body.name_ko},
            code="already_assigned",
        )
    rb, _new = RoundBody.objects.get_or_create(round=rnd, body=body)
    before = rb.evaluation
    rb.evaluation = evaluation
    rb.save(update_fields=["evaluation"])
    audit_record(
        actor=acting_user,
        action="round.body_evaluation",
        obj=rb,
        changes={
            "evaluation": {"before": before, "after": evaluation},
            "body_id": {"before": None, "after": body.pk},
        },
    )
    return rb


@transaction.atomic
def committee_member_add(
    *,
    body: Body,
    username: str,
    email: str,
    display_name: str,
    acting_user: User,
    affiliation: str = "",
    ksic_sections: str = "",
    keywords: str = "",
) -> EvaluatorProfile:
    """A body's officer adds an expert to its committee: an evaluator account bound to no organisation, whose
    profile belongs to the body (the central panel never draws on it). The account has no password until the
    expert sets one from the e-mailed link."""
    _require_own_body(acting_user, body)
    text_check(
        affiliation=affiliation, ksic_sections=ksic_sections, keywords=keywords, display_name=display_name
    )
    details = []
    if not username.strip():
        details.append(ErrorDetail(message=_("Required"), field="username"))
    if not email.strip():
        details.append(ErrorDetail(message=_("Required"), field="email"))
    if User.objects.filter(username=username.strip()).exists():
        details.append(ErrorDetail(message=_("This user name is taken."), field="username"))
    if details:
        raise ValidationFailed(_("The member is not complete."), details)
    user = user_create(
        username=username.strip(),
        password=None,
        role=Role.EVALUATOR,
        acting_user=acting_user,
        display_name=display_name.strip(),
        email=email.strip(),
    )
    profile = EvaluatorProfile.objects.create(
        user=user,
        body=body,
        affiliation=affiliation.strip(),
        ksic_sections=_clean_sections(ksic_sections),
        keywords=keywords.strip(),
    )
    fields = ["user_id", "body_id", "affiliation", "ksic_sections", "keywords"]
    audit_record(
        actor=acting_user,
        action="committee.member_add",
        obj=profile,
        changes=created(snapshot(profile, fields)),
    )
    _send_setup_link(user, body)
    return profile


@transaction.atomic
def committee_member_set_active(
    *, profile: EvaluatorProfile, active: bool, acting_user: User
) -> EvaluatorProfile:
    """A body's officer takes a member out of its committee's pool (or back): later solves leave them out."""
    locked = (
        EvaluatorProfile.objects.select_for_update(of=("self",)).select_related("body").get(pk=profile.pk)
    )
    if locked.body is None:
        raise Forbidden(_("The central panel is managed by the programme office."), code="central_member")
    _require_own_body(acting_user, locked.body)
    before = locked.active
    locked.active = active
    locked.save(update_fields=["active"])
    audit_record(
        actor=acting_user,
        action="committee.member_active",
        obj=locked,
        changes={"active": {"before": before, "after": active}},
    )
    return locked


def committee_progress(*, round: Round, body: Body) -> dict[str, int]:
    """Candidacies, eligible ones, assigned reviews and submitted ones of a body in the round."""
    candidacies = Candidacy.objects.filter(round=round, lead_body=body)
    reviews = Assignment.objects.filter(round=round, candidacy__lead_body=body, active=True).aggregate(
        assigned=Count("id"), submitted=Count("id", filter=Q(review__state=Review.State.SUBMITTED))
    )
    return {
        "candidacies": candidacies.count(),
        "eligible": candidacies.filter(eligible=True).count(),
        "assigned": reviews["assigned"] or 0,
        "submitted": reviews["submitted"] or 0,
        "recommended": candidacies.filter(committee_recommended=True).count(),
    }


@transaction.atomic
def committee_decide(
    *, round: Round, body: Body, recommended: Collection[int], note: str, acting_user: User
) -> RoundBody:
    """The body's committee records its list: which of its eligible candidacies it recommends (the others are
    not recommended). Every assigned review must be submitted first. The office is told; it selects under the
    round's quotas among the recommended."""
    _require_own_body(acting_user, body)
    text_check(note=note)
    rnd = Round.objects.select_for_update().get(pk=round.pk)
    require_round_allows(rnd, RoundAction.COMMITTEE_DECIDE)
    rb = (
        RoundBody.objects.select_for_update()
        .filter(round=rnd, body=body, evaluation=RoundBody.Evaluation.BODY)
        .first()
    )
    if rb is None:
        raise Conflict(
            _("The central panel evaluates this body's candidacies in this round."), code="central"
        )
    progress = committee_progress(round=rnd, body=body)
    if progress["assigned"] == 0 or progress["submitted"] < progress["assigned"]:
        raise Conflict(
            _(
                "%(missing)s of %(assigned)s reviews are not submitted yet; the committee decides on complete scores."
            )
            % {"missing": progress["assigned"] - progress["submitted"], "assigned": progress["assigned"]},
            code="reviews_missing",
        )
    own = list(Candidacy.objects.filter(round=rnd, lead_body=body, eligible=True).order_by("id"))
    own_ids = {c.pk for c in own}
    strangers = set(recommended) - own_ids
    if strangers:
        raise Forbidden(
            _("A committee decides only its own body's eligible candidacies."), code="other_body_candidacy"
        )
    for c in own:
        c.committee_recommended = c.pk in recommended
    Candidacy.objects.bulk_update(own, ["committee_recommended"], batch_size=1000)
    now = timezone.now()
    before = {"decided_at": rb.decided_at.isoformat() if rb.decided_at else None}
    rb.decided_at, rb.decided_by, rb.decision_note = now, acting_user, note.strip()
    rb.save(update_fields=["decided_at", "decided_by", "decision_note"])
    audit_record(
        actor=acting_user,
        action="committee.decide",
        obj=rb,
        changes={
            "recommended": {"before": None, "after": sorted(set(recommended))},
            "not_recommended": {"before": None, "after": sorted(own_ids - set(recommended))},
            "decided_at": {"before": before["decided_at"], "after": now.isoformat()},
        },
    )
    notify(
        recipients=User.objects.filter(role=Role.PROGRAM_OFFICE, is_active=True),
        kind="round.committee_decided",
        title=gettext_noop("%(body)s's committee recommended %(n)s of %(total)s candidacies in %(round)s"),
        params={"body": body.name_ko, "n": len(set(recommended)), "total": len(own), "round": rnd.name},
        link=f"/rounds/{rnd.pk}/committees/",
    )
    return rb


def committee_blockers(rnd: Round) -> list[str]:
    """Body-run committees that have not decided: the selection waits for them."""
    pending = RoundBody.objects.filter(
        round=rnd, evaluation=RoundBody.Evaluation.BODY, decided_at__isnull=True
    ).select_related("body")
    return [rb.body.name_ko for rb in pending]
