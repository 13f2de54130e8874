"""Nominations by ministry officers; one candidacy per company per round; eligibility from the registry."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from nic1000.accounts.models import User
from nic1000.audit.services import audit_record, created, diff, snapshot
from nic1000.core.access import has_role, require_role
from nic1000.core.errors import Conflict, ErrorDetail, Forbidden, NotFound, ValidationFailed
from nic1000.core.identifiers import brn_compact
from nic1000.core.roles import OFFICE, Role
from nic1000.core.text import text_check
from nic1000.designations.selectors import membership_active_for
from nic1000.registry.models import Body, Company
from nic1000.registry.services import company_register
from nic1000.rounds.models import Assignment, Candidacy, Nomination, Review, Round
from nic1000.rounds.selectors import eligibility_for
from nic1000.rounds.services import notices
from nic1000.rounds.workflows import RoundAction, require_round_allows

EVIDENCE_MAX_BYTES = 10 * 1024 * 1024
EVIDENCE_TYPES = (".pdf", ".png", ".jpg", ".jpeg", ".xlsx", ".docx", ".hwp", ".hwpx", ".txt")


def _require_window_open(rnd: Round) -> None:
    """Nominations are made, edited and withdrawn only while the round takes them and before it closes them."""
    require_round_allows(rnd, RoundAction.NOMINATE)
    if rnd.nominations_close_at and timezone.now() > rnd.nominations_close_at:
        raise Conflict(
            _("Nominations closed at %(at)s.")
            % {"at": timezone.localtime(rnd.nominations_close_at).strftime("%Y-%m-%d %H:%M")},
            code="nominations_closed",
        )


def _nominating_body(*, rnd: Round, acting_user: User, body: Body | None) -> Body:
    """The body a nomination is made for, once the writer and the round allow it (else Forbidden/Conflict).
    A ministry officer nominates for their own body; the programme office may name any body."""
    require_role(acting_user, Role.MINISTRY_OFFICER, OFFICE, message=_("Only ministry officers nominate."))
    if has_role(acting_user, {Role.MINISTRY_OFFICER}):
        if body is not None and body.pk != acting_user.body_id:
            raise Forbidden(_("You may nominate only for your own ministry or agency."))
        body = acting_user.body
    if body is None:
        raise ValidationFailed(_("A nominating body is required."), [ErrorDetail(message="", field="body")])
    _require_window_open(rnd)
    program_bodies = set(rnd.program.bodies.values_list("pk", flat=True))
    if program_bodies and body.pk not in program_bodies:
        raise Forbidden(_("This body does not take part in the programme."))
    return body


def _refuse_active_member(company: Company) -> None:
    active = membership_active_for(company_id=company.pk)
    if active is not None:
        raise Conflict(
            _("%(company)s is still an active member since %(round)s and cannot be nominated again.")
            % {"company": company.name_ko, "round": active.round.name},
            code="already_member",
        )


def _candidacy_for(
    *, rnd: Round, company: Company, body: Body, sector: str, now: dt.datetime
) -> tuple[Candidacy, bool]:
    """The company's one candidacy in the round, made (with its eligibility checked now) on the first nomination;
    returns (candidacy, new). A body nominates a company once."""
    candidacy = Candidacy.objects.filter(round=rnd, company=company).first()
    if candidacy is None:
        eligible, reasons = eligibility_for(round=rnd, company=company, body=body)
        candidacy = Candidacy.objects.create(
            round=rnd,
            company=company,
            lead_body=body,
            sector=sector or company.ksic_section,
            created_at=now,
            eligible=eligible,
            eligibility_reasons=reasons,
        )
        return candidacy, True
    if candidacy.nominations.filter(body=body).exists():
        raise Conflict(
            _("%(body)s has already nominated %(company)s in this round.")
            % {"body": body.name_ko, "company": company.name_ko},
            code="already_nominated",
        )
    return candidacy, False


def _nomination_problems(*, reason: str, evidence_file: UploadedFile | None) -> list[ErrorDetail]:
    details = []
    if not reason.strip():
        details.append(ErrorDetail(message=_("Say why this company is nominated."), field="reason"))
    if evidence_file is not None:
        name = (evidence_file.name or "").lower()
        if not name.endswith(EVIDENCE_TYPES):
            details.append(
                ErrorDetail(message=_("This file type is not accepted."), field="evidence_file", value=name)
            )
        elif (evidence_file.size or 0) > EVIDENCE_MAX_BYTES:
            details.append(ErrorDetail(message=_("The file is larger than 10 MB."), field="evidence_file"))
    return details


@transaction.atomic
def nomination_create(
    *,
    round: Round,
    company: Company,
    reason: str,
    acting_user: User,
    evidence: str = "",
    evidence_file: UploadedFile | None = None,
    body: Body | None = None,
    sector: str = "",
) -> Nomination:
    """A ministry officer nominates a company for their own body. A company already nominated by another body
    gets this body added to its one candidacy. Eligibility is checked now and its reasons stored."""
    text_check(reason=reason, evidence=evidence)
    rnd = Round.objects.select_for_update().get(pk=round.pk)
    body = _nominating_body(rnd=rnd, acting_user=acting_user, body=body)
    details = _nomination_problems(reason=reason, evidence_file=evidence_file)
    if details:
        raise ValidationFailed(_("The nomination is not complete."), details)
    _refuse_active_member(company)
    now = timezone.now()
    candidacy, new_candidacy = _candidacy_for(rnd=rnd, company=company, body=body, sector=sector, now=now)
    nomination = Nomination(
        candidacy=candidacy,
        body=body,
        nominated_by=acting_user,
        created_at=now,
        reason=reason.strip(),
        evidence=evidence.strip(),
    )
    if evidence_file is not None:
        nomination.evidence_file = evidence_file
    try:
        with transaction.atomic():
            nomination.save()
    except IntegrityError:
        raise Conflict(_("This body has already nominated this company."), code="already_nominated") from None
    changes = created(
        snapshot(nomination, ["candidacy_id", "body_id", "nominated_by_id", "reason", "evidence"])
    )
    changes["company_id"] = {"before": None, "after": company.pk}
    if new_candidacy:
        changes["eligible"] = {"before": None, "after": candidacy.eligible}
        changes["eligibility_reasons"] = {"before": None, "after": candidacy.eligibility_reasons}
    audit_record(actor=acting_user, action="nomination.create", obj=nomination, changes=changes)
    if not candidacy.eligible:
        notices.tell_ineligible(candidacy, body_ids=[body.pk])
    return nomination


def _company_exists(brn: str) -> Conflict:
    existing = Company.objects.filter(brn=brn).first()
    name = existing.name_ko if existing is not None else brn
    return Conflict(
        _(
            "A company with this business registration number is already registered: %(name)s. Nominate it instead."
        )
        % {"name": name},
        code="company_exists",
        details=[
            ErrorDetail(
                message=_("Already registered as %(name)s.") % {"name": name},
                field="brn",
                value=brn,
                code="company_exists",
            )
        ],
    )


@transaction.atomic
def nomination_create_with_company(
    *,
    round: Round,
    company_fields: Mapping[str, Any],
    reason: str,
    acting_user: User,
    evidence: str = "",
    evidence_file: UploadedFile | None = None,
    body: Body | None = None,
    sector: str = "",
) -> Nomination:
    """Register a company that is not in the registry and nominate it, in one transaction.

    `company_fields` are the registry's (`registry.services.COMPANY_FIELDS`: brn, name_ko, ksic, region,
    founded_on, ...), validated and audited by the registry's own service. Who may nominate, and when, is
    checked first, so a refused nomination registers nothing. Bad company data and an incomplete nomination
    give one ValidationFailed listing every problem; a BRN already in the registry gives Conflict
    `company_exists` naming that company (nominate it instead). Either way nothing is written."""
    text_check(reason=reason, evidence=evidence)
    rnd = Round.objects.select_for_update().get(pk=round.pk)
    body = _nominating_body(rnd=rnd, acting_user=acting_user, body=body)
    problems = _nomination_problems(reason=reason, evidence_file=evidence_file)
    brn = brn_compact(str(company_fields.get("brn") or ""))
    if brn and Company.objects.filter(brn=brn).exists():  # before the other fields: they no longer matter
        raise _company_exists(brn)
    try:
        with transaction.atomic():
            company = company_register(acting_user=acting_user, **dict(company_fields))
    except ValidationFailed as exc:
        if any(d.field == "brn" and d.code == "duplicate" for d in exc.details):
            raise _company_exists(brn) from None
        raise ValidationFailed(
            _("The new company could not be registered."), [*exc.details, *problems], code="company_invalid"
        ) from None
    except Conflict as exc:  # the same BRN registered at the same moment
        if exc.code == "brn_exists":
            raise _company_exists(brn) from None
        raise
    if problems:
        raise ValidationFailed(_("The nomination is not complete."), problems)
    return nomination_create(
        round=rnd,
        company=company,
        reason=reason,
        acting_user=acting_user,
        evidence=evidence,
        evidence_file=evidence_file,
        body=body,
        sector=sector,
    )


@transaction.atomic
def candidacy_eligibility_override(
    *, candidacy: Candidacy, eligible: bool, reason: str, acting_user: User
) -> Candidacy:
    """The programme office overrides the registry's eligibility verdict; a reason is required."""
    text_check(reason=reason)
    require_role(acting_user, OFFICE)
    c = Candidacy.objects.select_for_update().select_related("round").get(pk=candidacy.pk)
    require_round_allows(c.round, RoundAction.OVERRIDE_ELIGIBILITY)
    if not reason.strip():
        raise ValidationFailed(
            _("An override needs a reason."),
            [ErrorDetail(message=_("Required"), field="reason")],
            code="reason_required",
        )
    before = snapshot(c, ["eligible", "eligibility_override_reason"])
    c.eligible = eligible
    c.eligibility_override_reason = reason.strip()
    c.save(update_fields=["eligible", "eligibility_override_reason"])
    audit_record(
        actor=acting_user,
        action="candidacy.eligibility_override",
        obj=c,
        changes=diff(before, snapshot(c, ["eligible", "eligibility_override_reason"])),
        reason=reason,
    )
    if before["eligible"] and not eligible:
        body_ids = list(c.nominations.values_list("body_id", flat=True))
        notices.tell_ineligible(c, body_ids=body_ids, override_reason=reason.strip())
    candidacy.eligible, candidacy.eligibility_override_reason = c.eligible, c.eligibility_override_reason
    return c


# --- a body's own nomination, while the window is open ---------------------------------------------------------


def _own_nomination(*, nomination: Nomination, acting_user: User) -> Nomination:
    """The nomination locked with its round, once the writer may change it (its body's officer, or the programme
    office) and the window is open. Another body's nomination is not found, as if it did not exist."""
    require_role(
        acting_user, Role.MINISTRY_OFFICER, OFFICE, message=_("Only ministry officers change nominations.")
    )
    n = Nomination.objects.select_related("candidacy__company", "body").filter(pk=nomination.pk).first()
    if n is None or (has_role(acting_user, {Role.MINISTRY_OFFICER}) and n.body_id != acting_user.body_id):
        raise NotFound()
    rnd = Round.objects.select_for_update().get(pk=n.candidacy.round_id)
    _require_window_open(rnd)
    n.candidacy.round = rnd
    return n


@transaction.atomic
def nomination_update(
    *,
    nomination: Nomination,
    reason: str,
    acting_user: User,
    evidence: str = "",
    evidence_file: UploadedFile | None = None,
) -> Nomination:
    """Change a nomination's reason, evidence or evidence file while nominations are open. The programme office
    is told (or the body, when the office made the change)."""
    text_check(reason=reason, evidence=evidence)
    n = _own_nomination(nomination=nomination, acting_user=acting_user)
    details = _nomination_problems(reason=reason, evidence_file=evidence_file)
    if details:
        raise ValidationFailed(_("The nomination is not complete."), details)
    before = snapshot(n, ["reason", "evidence"])
    n.reason, n.evidence = reason.strip(), evidence.strip()
    changes = diff(before, snapshot(n, ["reason", "evidence"]))
    old_file = n.evidence_file.name or ""
    if evidence_file is not None:
        n.evidence_file = evidence_file
    elif not changes:
        return n
    n.save(update_fields=["reason", "evidence", "evidence_file"])
    if evidence_file is not None:
        changes["evidence_file"] = {"before": old_file, "after": n.evidence_file.name}
    audit_record(actor=acting_user, action="nomination.update", obj=n, changes=changes)
    notices.tell_nomination_changed(n, acting_user=acting_user, withdrawn=False, at=timezone.now())
    return n


@transaction.atomic
def nomination_withdraw(*, nomination: Nomination, acting_user: User, reason: str = "") -> Candidacy | None:
    """Withdraw a nomination while nominations are open. The company stays a candidate while another body
    nominates it (that body leads if this one did); otherwise its candidacy goes too, and any evaluator already
    assigned to it is told. Returns the candidacy that remains, or None."""
    text_check(reason=reason)
    n = _own_nomination(nomination=nomination, acting_user=acting_user)
    c = Candidacy.objects.select_for_update().get(pk=n.candidacy_id)
    now = timezone.now()
    changes = {
        k: {"before": v, "after": None}
        for k, v in snapshot(n, ["candidacy_id", "body_id", "nominated_by_id", "reason"]).items()
    }
    changes["company_id"] = {"before": c.company_id, "after": c.company_id}
    audit_record(
        actor=acting_user, action="nomination.withdraw", obj=n, changes=changes, reason=reason.strip()
    )
    notices.tell_nomination_changed(n, acting_user=acting_user, withdrawn=True, at=now)
    n.delete()
    rest = list(Nomination.objects.filter(candidacy=c).order_by("created_at", "id"))
    if rest:
        if c.lead_body_id == n.body_id:
            c.lead_body_id = rest[0].body_id
            c.save(update_fields=["lead_body"])
        return c
    evaluators = list(
        Assignment.objects.filter(candidacy=c, active=True).values_list("evaluator__user_id", flat=True)
    )
    Review.objects.filter(assignment__candidacy=c).delete()
    c.delete()
    audit_record(
        actor=acting_user,
        action="candidacy.delete",
        object_type="rounds.candidacy",
        object_id=n.candidacy_id,
        changes={"company_id": {"before": changes["company_id"]["before"], "after": None}},
        reason=_("Its only nomination was withdrawn."),
    )
    notices.tell_unassigned(
        n.candidacy.round, dict.fromkeys(evaluators, 1), key=f"withdrawn-{n.candidacy_id}"
    )
    return None
