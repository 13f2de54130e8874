"""Public calls: a body opens a call, companies apply, the body screens and nominates.

Every write is one transaction with its audit row; applicants and the body are told (`notify`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from nic1000.accounts.models import User
from nic1000.activity.services import notify, workflow_transition
from nic1000.audit.services import audit_record, created, snapshot
from nic1000.calls.models import Call, CallApplication, CallDocument
from nic1000.calls.workflows import APPLICATION
from nic1000.core.access import require_role
from nic1000.core.errors import Conflict, ErrorDetail, Forbidden, NotFound, ValidationFailed
from nic1000.core.filetypes import clean_name, detect, document_problem
from nic1000.core.roles import Role
from nic1000.core.text import text_check
from nic1000.designations.selectors import membership_active_for
from nic1000.registry.models import Company
from nic1000.rounds.models import Nomination, Round
from nic1000.rounds.selectors import eligibility_for
from nic1000.rounds.services.nominations import nomination_create
from nic1000.rounds.workflows import RoundAction, RoundState, round_allows

DOCUMENT_MAX_BYTES = 10 * 1024 * 1024
MAX_REQUIRED_DOCUMENTS = 10


def _body_officers(body_id: int) -> list[User]:
    return list(User.objects.filter(role=Role.MINISTRY_OFFICER, body_id=body_id, is_active=True))


def _representatives(company_id: int) -> list[User]:
    return list(User.objects.filter(role=Role.COMPANY, company_id=company_id, is_active=True))


def _clean_requirements(lines: Sequence[str]) -> list[str]:
    cleaned = [line.strip()[:200] for line in lines if line.strip()]
    return list(dict.fromkeys(cleaned))


@transaction.atomic
def call_create(
    *,
    round: Round,
    title: str,
    opens_at: dt.datetime,
    closes_at: dt.datetime,
    acting_user: User,
    description: str = "",
    eligibility: str = "",
    bonus: str = "",
    required_documents: Sequence[str] = (),
) -> Call:
    """A ministry officer opens a call for its own body in a round that takes nominations (or will)."""
    require_role(acting_user, Role.MINISTRY_OFFICER, message=_("Only a nominating body opens a call."))
    text_check(description=description, eligibility=eligibility, bonus=bonus)
    details = []
    if not title.strip():
        details.append(ErrorDetail(message=_("A call needs a title."), field="title"))
    if opens_at >= closes_at:
        details.append(ErrorDetail(message=_("The call must close after it opens."), field="closes_at"))
    requirements = _clean_requirements(required_documents)
    if len(requirements) > MAX_REQUIRED_DOCUMENTS:
        details.append(
            ErrorDetail(
                message=_("At most %(n)s required documents.") % {"n": MAX_REQUIRED_DOCUMENTS},
                field="required_documents",
            )
        )
    if details:
        raise ValidationFailed(_("The call is not complete."), details)
    if not (round_allows(round, RoundAction.NOMINATE) or round.state == RoundState.DRAFT):
        raise Conflict(_("This round no longer takes nominations."), code="round_not_nominating")
    call = Call.objects.create(
        round=round,
        body_id=acting_user.body_id or 0,
        title=title.strip(),
        description=description.strip(),
        eligibility=eligibility.strip(),
        bonus=bonus.strip(),
        required_documents=requirements,
        opens_at=opens_at,
        closes_at=closes_at,
        created_by=acting_user,
        created_at=timezone.now(),
    )
    fields = ["round_id", "body_id", "title", "opens_at", "closes_at", "required_documents"]
    audit_record(actor=acting_user, action="call.create", obj=call, changes=created(snapshot(call, fields)))
    return call


def _documents_problems(call: Call, documents: Mapping[str, UploadedFile | None]) -> list[ErrorDetail]:
    details = []
    for index, requirement in enumerate(call.required_documents):
        file = documents.get(requirement)
        field = f"document_{index}"
        if file is None:
            details.append(
                ErrorDetail(message=_("This document is required."), field=field, value=requirement)
            )
            continue
        problem = document_problem(file, max_bytes=DOCUMENT_MAX_BYTES)
        if problem:
            details.append(ErrorDetail(message=problem, field=field, value=file.name or ""))
    return details


def application_self_check(*, call: Call, company: Company) -> tuple[bool, list[dict[str, Any]], bool]:
    """What the company would be told before it applies: (eligible, reasons, already a member)."""
    eligible, reasons = eligibility_for(round=call.round, company=company, body=call.body)
    member = membership_active_for(company_id=company.pk) is not None
    return eligible and not member, reasons, member


@transaction.atomic
def call_application_submit(
    *,
    call: Call,
    statement: str,
    documents: Mapping[str, UploadedFile | None],
    acting_user: User,
) -> CallApplication:
    """The company's representative applies to an open call with every required document."""
    require_role(acting_user, Role.COMPANY, message=_("Only a company applies to a call."))
    company = acting_user.company
    if company is None:
        raise Forbidden(_("Your account is not bound to a company."))
    call = Call.objects.select_for_update().select_related("round", "body").get(pk=call.pk)
    if not call.is_open():
        raise Conflict(
            _("This call is not open: it takes applications from %(opens)s to %(closes)s.")
            % {
                "opens": timezone.localtime(call.opens_at).strftime("%Y-%m-%d %H:%M"),
                "closes": timezone.localtime(call.closes_at).strftime("%Y-%m-%d %H:%M"),
            },
            code="call_closed",
        )
    text_check(statement=statement)
    details = []
    if not statement.strip():
        details.append(ErrorDetail(message=_("Say why your company applies."), field="statement"))
    details += _documents_problems(call, documents)
    if details:
        raise ValidationFailed(_("The application is not complete."), details)
    eligible, reasons, member = application_self_check(call=call, company=company)
    if member:
        raise Conflict(_("Your company is already designated and cannot apply."), code="already_member")
    if not eligible:
        raise Conflict(
            _("Your company does not meet this round's eligibility rules; see the self-check."),
            code="not_eligible",
        )
    try:
        with transaction.atomic():
            application = CallApplication.objects.create(
                call=call,
                company=company,
                submitted_by=acting_user,
                submitted_at=timezone.now(),
                statement=statement.strip(),
                self_check=reasons,
            )
    except IntegrityError:
        raise Conflict(_("Your company has already applied to this call."), code="already_applied") from None
    for requirement in call.required_documents:
        file = documents[requirement]
        assert file is not None  # checked above
        doc_type = detect(file)
        assert doc_type is not None  # checked above
        CallDocument.objects.create(
            application=application,
            requirement=requirement,
            file=file,
            name=clean_name(file.name or "", doc_type),
            kind=doc_type.kind,
            size=int(file.size or 0),
        )
    changes = created(snapshot(application, ["call_id", "company_id", "statement"]))
    changes["documents"] = {"before": None, "after": list(call.required_documents)}
    audit_record(actor=acting_user, action="call_application.submit", obj=application, changes=changes)
    notify(
        recipients=_body_officers(call.body_id),
        kind="call.application_received",
        title=gettext_noop("%(company)s applied to the call “%(call)s”"),
        params={"company": company.name_ko, "call": call.title},
        link=f"/calls/applications/{application.pk}/",
    )
    return application


def _screenable(application: CallApplication, acting_user: User) -> CallApplication:
    locked = (
        CallApplication.objects.select_for_update()
        .select_related("call", "call__round", "company")
        .filter(pk=application.pk)
        .first()
    )
    if locked is None or locked.call.body_id != acting_user.body_id:
        raise NotFound(_("No such application."))
    return locked


@transaction.atomic
def call_application_accept(
    *, application: CallApplication, acting_user: User, reason: str = ""
) -> Nomination:
    """The body accepts an application: it becomes the body's nomination of the company in the round."""
    require_role(acting_user, Role.MINISTRY_OFFICER)
    app = _screenable(application, acting_user)
    nomination = nomination_create(
        round=app.call.round,
        company=app.company,
        reason=reason.strip() or app.statement,
        evidence=_("Public call “%(call)s”, application of %(at)s")
        % {"call": app.call.title, "at": timezone.localtime(app.submitted_at).strftime("%Y-%m-%d")},
        acting_user=acting_user,
    )
    workflow_transition(
        obj=app,
        workflow=APPLICATION,
        transition="accept",
        acting_user=acting_user,
        extra_changes={
            "decided_by_id": acting_user.pk,
            "decided_at": timezone.now(),
            "nomination_id": nomination.pk,
        },
    )
    notify(
        recipients=_representatives(app.company_id),
        kind="call.application_decided",
        title=gettext_noop("Your application to “%(call)s” was accepted: %(body)s nominated your company"),
        params={"call": app.call.title, "body": app.call.body.name_ko},
        link="/calls/mine/",
    )
    return nomination


@transaction.atomic
def call_application_reject(
    *, application: CallApplication, reason: str, acting_user: User
) -> CallApplication:
    """The body does not accept an application; the reason is required and sent to the company."""
    require_role(acting_user, Role.MINISTRY_OFFICER)
    text_check(reason=reason)
    app = _screenable(application, acting_user)
    workflow_transition(
        obj=app,
        workflow=APPLICATION,
        transition="reject",
        acting_user=acting_user,
        reason=reason.strip(),
        extra_changes={
            "decided_by_id": acting_user.pk,
            "decided_at": timezone.now(),
            "decision_reason": reason.strip(),
        },
    )
    notify(
        recipients=_representatives(app.company_id),
        kind="call.application_decided",
        title=gettext_noop("Your application to “%(call)s” was not accepted"),
        body=gettext_noop("Reason: %(reason)s"),
        params={"call": app.call.title, "reason": reason.strip()[:500]},
        link="/calls/mine/",
    )
    return app


@transaction.atomic
def call_application_withdraw(*, application: CallApplication, acting_user: User) -> CallApplication:
    require_role(acting_user, Role.COMPANY)
    app = CallApplication.objects.select_for_update().filter(pk=application.pk).first()
    if app is None or app.company_id != acting_user.company_id:
        raise NotFound(_("No such application."))
    workflow_transition(obj=app, workflow=APPLICATION, transition="withdraw", acting_user=acting_user)
    return app
