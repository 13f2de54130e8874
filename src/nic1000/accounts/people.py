"""Pages for people: the programme office's user administration (list, one user, invitations of any role), a
company's representatives and invitations (the office, or a ministry officer for a company its body
nominated), and the public page that accepts an invitation.

Irreversible changes (deactivation, a role change, a second-factor reset) ask first (`core.confirm`) and say
what was done afterwards.
"""

from __future__ import annotations

from collections.abc import Sequence

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.models import AnonymousUser
from django.db.models import Exists, OuterRef, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex

from nic1000.accounts import selectors
from nic1000.accounts.forms import (
    CompanyInvitationForm,
    DeactivateForm,
    InvitationAcceptForm,
    InvitationForm,
    RoleChangeForm,
    UserFilterForm,
)
from nic1000.accounts.http import AuthedRequest
from nic1000.accounts.models import Invitation, User
from nic1000.accounts.second_factor import (
    enrolment_context,
    recent_second_factor_required,
    second_factor_verified,
)
from nic1000.accounts.services import invitations as invitation_services
from nic1000.accounts.services import second_factor_reset
from nic1000.accounts.services import users as user_services
from nic1000.core.access import public, role_required
from nic1000.core.confirm import Confirmation, confirmation_page, is_confirmed
from nic1000.core.errors import ApplicationError
from nic1000.core.listing import local_naive, rows_of, wants_xlsx, xlsx_response
from nic1000.core.pagination import paginate
from nic1000.core.roles import OFFICE, Role
from nic1000.core.sorting import sort_from

_INVITERS = OFFICE | {Role.MINISTRY_OFFICER}
_ENROLMENT = "nic1000_invitation_totp"  # session: invitation id → the authenticator secret being enrolled


# The services name the company; the forms ask for its registration number.
_FORM_FIELD = {"company": "company_brn"}


def _form_error(form: forms.Form, exc: ApplicationError) -> None:
    """A domain error on the form: each detail on its field when the form has it, the rest on top."""
    fields = {d.field: _FORM_FIELD.get(d.field, d.field) for d in exc.details if d.field}
    placed = [d for d in exc.details if d.field and fields[d.field] in form.fields]
    for d in placed:
        form.add_error(fields[d.field or ""], d.message or exc.message)
    if not placed:
        form.add_error(None, exc.message)


def _role_text(role: object, binding: str) -> str:
    """A role with whom it acts for: "Ministry officer · 중소벤처기업부 (MSS)", or the role alone."""
    return f"{role} · {binding}" if binding else str(role)


def _binding_label(obj: User | Invitation) -> str:
    return str(obj.body or obj.institution or obj.company or "")


# --- the user list and one user --------------------------------------------------------------------------------


def _users_xlsx(qs: QuerySet[User]) -> HttpResponse:
    header = [_("User name"), _("Name"), _("Role"), _("Bound to"), _("E-mail address"),
              pgettext("user filter", "Status"), _("Second factor"), _("Last signed in")]  # fmt: skip

    def row(u: User) -> Sequence[object]:
        return [u.username, u.display_name, u.get_role_display(), _binding_label(u), u.email,
                _("Active") if u.is_active else _("Deactivated"), _("Enrolled") if getattr(u, "has_2fa", False) else "",
                local_naive(u.last_login)]  # fmt: skip

    return xlsx_response(name="users", header=header, rows=rows_of(qs, row))


@role_required(OFFICE)
def user_list(request: AuthedRequest) -> HttpResponse:
    form = UserFilterForm(request.GET or None)
    f = form.cleaned_data if form.is_valid() else {}
    active = {"yes": True, "no": False}.get(f.get("active") or "")
    sort = sort_from(request.GET, selectors.USER_SORT)
    qs = selectors.user_list(
        role=f.get("role", ""), binding=f.get("binding", ""), active=active, q=f.get("q", "")
    )
    qs = sort.apply(
        qs.annotate(has_2fa=Exists(TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)))
    )
    if wants_xlsx(request):
        return _users_xlsx(qs)
    page = paginate(qs, request.GET.get("page"), 50)
    context = {
        "form": form,
        "page_obj": page,
        "sort": sort,
        "invitations": selectors.invitations_for_office(),
    }
    return render(request, "accounts/users.html", context)


def _user_page(
    request: AuthedRequest, target: User, *, role_form: RoleChangeForm | None = None, status: int = 200
) -> HttpResponse:
    role_form = role_form or RoleChangeForm(
        initial={
            "role": target.role,
            "body": target.body_id,
            "institution": target.institution_id,
            "company_brn": target.company.brn if target.company else "",
        }
    )
    context = {
        "target": target,
        "binding": _binding_label(target),
        "role_form": role_form,
        "deactivate_form": DeactivateForm(),
        "has_2fa": TOTPDevice.objects.filter(user=target, confirmed=True).exists(),
        "is_self": target.pk == request.user.pk,
    }
    return render(request, "accounts/user_detail.html", context, status=status)


@role_required(OFFICE)
def user_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    return _user_page(request, selectors.access_user(pk=pk))


def _detail_url(target: User) -> str:
    return reverse("accounts:user_detail", kwargs={"pk": target.pk})


@role_required(OFFICE)
@recent_second_factor_required
@require_POST
def user_deactivate(request: AuthedRequest, pk: int) -> HttpResponse:
    target = selectors.access_user(pk=pk)
    form = DeactivateForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    if not is_confirmed(request):
        return confirmation_page(
            request,
            Confirmation(
                title=_("Deactivate %(user)s?") % {"user": target.username},
                consequences=[
                    _("%(user)s (%(role)s) can no longer sign in; open sessions end at once.")
                    % {
                        "user": target.username,
                        "role": _role_text(target.get_role_display(), _binding_label(target)),
                    },
                    _("Nothing they made is deleted; the programme office can reactivate the account."),
                    _("They are told by notification."),
                ],
                action=request.path,
                button=_("Deactivate"),
                cancel_url=_detail_url(target),
                irreversible=False,
            ),
        )
    try:
        user_services.user_deactivate(user=target, acting_user=request.user, reason=reason)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("%(user)s was deactivated and told.") % {"user": target.username})
    return redirect(_detail_url(target))


@role_required(OFFICE)
@recent_second_factor_required
@require_POST
def user_reactivate(request: AuthedRequest, pk: int) -> HttpResponse:
    target = selectors.access_user(pk=pk)
    try:
        user_services.user_reactivate(user=target, acting_user=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("%(user)s can sign in again and was told.") % {"user": target.username})
    return redirect(_detail_url(target))


@role_required(OFFICE)
@recent_second_factor_required
@require_POST
def user_role_change(request: AuthedRequest, pk: int) -> HttpResponse:
    target = selectors.access_user(pk=pk)
    form = RoleChangeForm(request.POST)
    if not form.is_valid():
        return _user_page(request, target, role_form=form, status=422)
    data = form.cleaned_data
    new_role = Role(data["role"])
    new_binding = str(
        {
            Role.MINISTRY_OFFICER: data["body"],
            Role.INSTITUTION_OFFICER: data["institution"],
            Role.COMPANY: data["company"],
        }.get(new_role)
        or ""
    )
    if not is_confirmed(request):
        return confirmation_page(
            request,
            Confirmation(
                title=_("Change the role of %(user)s?") % {"user": target.username},
                consequences=[
                    _("%(user)s changes from %(old)s to %(new)s.")
                    % {
                        "user": target.username,
                        "old": _role_text(target.get_role_display(), _binding_label(target)),
                        "new": _role_text(new_role.label, new_binding),
                    },
                    _("They lose at once what the old role could see and do."),
                    _("They are told by notification."),
                ],
                action=request.path,
                button=_("Change the role"),
                cancel_url=_detail_url(target),
            ),
        )
    try:
        user_services.user_role_change(
            user=target,
            role=new_role,
            body=data["body"],
            institution=data["institution"],
            company=data["company"],
            acting_user=request.user,
        )
    except ApplicationError as exc:
        _form_error(form, exc)
        return _user_page(request, target, role_form=form, status=409 if exc.status == 409 else 422)
    messages.success(
        request,
        _("%(user)s is now %(role)s and was told.")
        % {"user": target.username, "role": _role_text(new_role.label, new_binding)},
    )
    return redirect(_detail_url(target))


@role_required(OFFICE)
@recent_second_factor_required
@require_POST
def user_second_factor_reset(request: AuthedRequest, pk: int) -> HttpResponse:
    target = selectors.access_user(pk=pk)
    if not is_confirmed(request):
        return confirmation_page(
            request, second_factor_reset_confirmation(request, target, cancel_url=_detail_url(target))
        )
    removed = second_factor_reset(user=target, acting_user=request.user)
    if removed:
        messages.success(
            request, _("The second factor of %(user)s was reset; they were told.") % {"user": target.username}
        )
    else:
        messages.info(request, _("%(user)s had no authenticator.") % {"user": target.username})
    return redirect(_detail_url(target))


def second_factor_reset_confirmation(request: HttpRequest, target: User, *, cancel_url: str) -> Confirmation:
    return Confirmation(
        title=_("Reset the second factor of %(user)s?") % {"user": target.username},
        consequences=[
            _(
                "Every authenticator of %(user)s is removed; they sign in with their password alone until they enrol again."
            )
            % {"user": target.username},
            _("They are told by notification."),
        ],
        action=request.path,
        button=_("Reset the second factor"),
        cancel_url=cancel_url,
    )


# --- invitations -----------------------------------------------------------------------------------------------


def _sent_message(request: HttpRequest, issued: invitation_services.Issued) -> None:
    messages.success(
        request,
        _("An invitation was sent to %(email)s; its link works for %(days)s days.")
        % {"email": issued.invitation.email, "days": settings.INVITATION_EXPIRY_DAYS},
    )


@role_required(OFFICE)
@recent_second_factor_required
def invite(request: AuthedRequest) -> HttpResponse:
    """The programme office invites anyone, with any role and its binding."""
    initial = {}
    company = selectors.company_by_brn(request.GET.get("company_brn", ""))
    if company is not None:
        initial = {"role": Role.COMPANY, "company_brn": company.brn}
    form = InvitationForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            data = form.cleaned_data
            try:
                issued = invitation_services.invitation_create(
                    email=data["email"],
                    role=data["role"],
                    display_name=data["display_name"],
                    username=data["username"],
                    body=data["body"],
                    institution=data["institution"],
                    company=data["company"],
                    acting_user=request.user,
                )
            except ApplicationError as exc:
                _form_error(form, exc)
            else:
                _sent_message(request, issued)
                return redirect("accounts:users")
    context = {"form": form, "days": settings.INVITATION_EXPIRY_DAYS}
    return render(request, "accounts/invite.html", context, status=status)


@role_required(_INVITERS)
@recent_second_factor_required
def invite_company(request: AuthedRequest, company_pk: int) -> HttpResponse:
    """A company's representatives and open invitations, and a form to invite one more."""
    company = selectors.access_invitable_company(user=request.user, pk=company_pk)
    form = CompanyInvitationForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                issued = invitation_services.invitation_create(
                    email=form.cleaned_data["email"],
                    display_name=form.cleaned_data["display_name"],
                    role=Role.COMPANY,
                    company=company,
                    acting_user=request.user,
                )
            except ApplicationError as exc:
                _form_error(form, exc)
            else:
                _sent_message(request, issued)
                return redirect("accounts:invite_company", company_pk=company.pk)
    context = {
        "company": company,
        "form": form,
        "representatives": selectors.representatives_of(company_id=company.pk),
        "invitations": selectors.invitations_for_company(company_id=company.pk),
        "days": settings.INVITATION_EXPIRY_DAYS,
    }
    return render(request, "accounts/invite_company.html", context, status=status)


def _back(request: AuthedRequest, invitation: Invitation) -> HttpResponse:
    if invitation.company_id is not None and not request.user.has_role(Role.PROGRAM_OFFICE):
        return redirect("accounts:invite_company", company_pk=invitation.company_id)
    if invitation.company_id is not None and request.POST.get("back") == "company":
        return redirect("accounts:invite_company", company_pk=invitation.company_id)
    return redirect("accounts:users")


@role_required(_INVITERS)
@recent_second_factor_required
@require_POST
def invitation_resend(request: AuthedRequest, pk: int) -> HttpResponse:
    invitation = selectors.access_invitation(user=request.user, pk=pk)
    try:
        issued = invitation_services.invitation_resend(invitation=invitation, acting_user=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        _sent_message(request, issued)
    return _back(request, invitation)


@role_required(_INVITERS)
@require_POST
def invitation_revoke(request: AuthedRequest, pk: int) -> HttpResponse:
    invitation = selectors.access_invitation(user=request.user, pk=pk)
    try:
        invitation_services.invitation_revoke(invitation=invitation, acting_user=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("The invitation to %(email)s was withdrawn: its link no longer works.")
            % {"email": invitation.email},
        )
    return _back(request, invitation)


# --- accepting an invitation (public: the link is the credential) ---------------------------------------------


def _enrolment_key(request: HttpRequest, invitation: Invitation) -> str:
    """The authenticator secret this browser is enrolling for the invitation (made once, kept in the session
    until the account is made)."""
    keys: dict[str, str] = request.session.get(_ENROLMENT) or {}
    key = keys.get(str(invitation.pk))
    if not key:
        key = random_hex(20)
        request.session[_ENROLMENT] = {**keys, str(invitation.pk): key}
    return key


def _invalid(request: HttpRequest, refusal: str) -> HttpResponse:
    return render(request, "accounts/invitation_invalid.html", {"refusal": refusal}, status=410)


@public
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    invitation = invitation_services.invitation_by_token(token)
    refusal = invitation_services.invitation_refusal(invitation)
    if invitation is None or refusal:
        return _invalid(request, refusal)
    key = _enrolment_key(request, invitation)
    form = InvitationAcceptForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                accepted = invitation_services.invitation_accept(
                    token=token,
                    password=form.cleaned_data["password1"],
                    totp_key=key,
                    totp_code=form.cleaned_data["token"],
                )
            except ApplicationError as exc:
                if exc.code.startswith("invitation_"):  # used or withdrawn meanwhile
                    return _invalid(request, exc.code.removeprefix("invitation_"))
                _form_error(form, exc)
            else:
                request.session.pop(_ENROLMENT, None)
                login(request, accepted.user, backend="django.contrib.auth.backends.ModelBackend")
                second_factor_verified(request, accepted.device)
                messages.success(
                    request,
                    _("Welcome, %(name)s: your account is ready and your authenticator is enrolled.")
                    % {"name": accepted.user},
                )
                return redirect("home:home")
    preview = TOTPDevice(user=User(username=invitation.account_username), key=key, name="authenticator")
    context = {
        "invitation": invitation,
        "binding": _binding_label(invitation),
        "form": form,
        "signed_in_as": None if isinstance(request.user, AnonymousUser) else request.user,
        **enrolment_context(preview.config_url),
    }
    return render(request, "accounts/invitation_accept.html", context, status=status)
