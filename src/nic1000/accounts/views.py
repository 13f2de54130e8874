from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout, user_login_failed
from django.contrib.auth import views as auth_views
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST
from django_otp.plugins.otp_totp.models import TOTPDevice

from nic1000.accounts import services
from nic1000.accounts.forms import (
    LoginForm,
    PasswordChangeForm,
    PasswordResetForm,
    ProgramSettingForm,
    SecondFactorResetForm,
    SetPasswordForm,
    TokenForm,
)
from nic1000.accounts.http import AuthedRequest
from nic1000.accounts.models import User
from nic1000.accounts.people import second_factor_reset_confirmation
from nic1000.accounts.second_factor import (
    enrolment_context,
    recent_second_factor_required,
    second_factor_verified,
    session_is_verified,
)
from nic1000.accounts.throttle import account_attempt_lock, client_ip
from nic1000.core.access import login_only, public, role_required
from nic1000.core.confirm import confirmation_page, is_confirmed
from nic1000.core.models import ProgramSetting
from nic1000.core.roles import OFFICE, STAFF_ROLES

_PENDING = "nic1000_pending_2fa_user"


def _locked_message() -> str:
    minutes = max(1, settings.LOGIN_FAILURE_WINDOW_SECONDS // 60)
    return ngettext(
        "Too many failed attempts for this account. Wait %(minutes)d minute and try again.",
        "Too many failed attempts for this account. Wait %(minutes)d minutes and try again.",
        minutes,
    ) % {"minutes": minutes}


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: Any = None
) -> HttpResponse:
    """django-axes calls this for a locked-out login anywhere (our login pages render their own answer; the
    admin's login form gets the same page)."""
    if original_response is not None and original_response.status_code == 429:
        return original_response
    return render(
        request,
        "accounts/login.html",
        {"form": LoginForm(), "next": "/", "locked_message": _locked_message()},
        status=429,
    )


def _next_url(request: HttpRequest) -> str:
    nxt = request.POST.get("next") or request.GET.get("next") or ""
    if nxt and url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}):
        return nxt
    return "/"


@public
def login_view(request: HttpRequest) -> HttpResponse:
    form = LoginForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        username = form.cleaned_data["username"]
        # django-axes refuses a locked-out account before the password is checked and counts each failure;
        # the lock makes parallel attempts on one account wait for each other, so none skips the count.
        with transaction.atomic():
            account_attempt_lock(username)
            user = authenticate(request, username=username, password=form.cleaned_data["password"])
        if user is None and getattr(request, "axes_locked_out", False):
            form.add_error(None, _locked_message())
            status = 429
        elif user is None:
            form.add_error(None, _("The user name or password is wrong."))
            status = 401
        else:
            if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
                request.session[_PENDING] = user.pk
                request.session["nic1000_next"] = _next_url(request)
                return redirect("accounts:login_otp")
            login(request, user)
            return redirect(_next_url(request))
    return render(request, "accounts/login.html", {"form": form, "next": _next_url(request)}, status=status)


@public
def login_otp(request: HttpRequest) -> HttpResponse:
    pk = request.session.get(_PENDING)
    user = User.objects.filter(pk=pk, is_active=True).first() if pk else None
    if user is None:
        return redirect("accounts:login")
    form = TokenForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        credentials = {"username": user.username}
        device = None
        with transaction.atomic():
            account_attempt_lock(user.username)
            locked = not AxesProxyHandler.is_allowed(request, credentials)
            if not locked:
                device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
                if device is None or not device.verify_token(form.cleaned_data["token"]):
                    device = None
                    user_login_failed.send(sender=__name__, credentials=credentials, request=request)
        if locked or getattr(request, "axes_locked_out", False):
            form.add_error(None, _locked_message())
            status = 429
        elif device is None:
            form.add_error("token", _("The code is wrong or has expired."))
            status = 401
        else:
            nxt = request.session.get("nic1000_next", "/")
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            second_factor_verified(request, device)
            request.session.pop(_PENDING, None)
            return redirect(nxt)
    return render(request, "accounts/login_otp.html", {"form": form}, status=status)


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("home:home")


@login_only
def twofactor(request: AuthedRequest) -> HttpResponse:
    """Enrol a TOTP authenticator (staff roles), or verify this session with an enrolled one (also when a
    sensitive page asks for a fresh code: `next` leads back there)."""
    user = request.user
    if user.role not in STAFF_ROLES:
        return render(request, "core/error.html", {"status": 403}, status=403)
    confirmed = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    form = TokenForm(request.POST or None)
    # Replacing an enrolled authenticator needs a session that has already proved the current one.
    if confirmed is not None and not (request.GET.get("reset") and session_is_verified(request)):
        if request.method == "POST" and form.is_valid():
            if confirmed.verify_token(form.cleaned_data["token"]):
                second_factor_verified(request, confirmed)
                messages.success(request, _("Two-factor authentication verified."))
                return redirect(_next_url(request))
            form.add_error("token", _("The code is wrong or has expired."))
        return render(
            request, "accounts/twofactor.html", {"form": form, "enrolled": True, "next": _next_url(request)}
        )
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None or request.method == "GET":
        device = services.totp_device_start(user=user)
    if request.method == "POST" and form.is_valid():
        if services.totp_device_confirm(user=user, device=device, token=form.cleaned_data["token"]):
            second_factor_verified(request, device)
            messages.success(request, _("Two-factor authentication is now on for your account."))
            return redirect(_next_url(request))
        form.add_error("token", _("The code is wrong or has expired."))
    # The secret is shown only here, while enrolling this (unconfirmed) device; never once it is confirmed.
    return render(
        request,
        "accounts/twofactor.html",
        {"form": form, "enrolled": False, "next": _next_url(request), **enrolment_context(device.config_url)},
    )


@role_required(OFFICE)
@recent_second_factor_required
def program_settings(request: AuthedRequest) -> HttpResponse:
    current = ProgramSetting.current()
    form = ProgramSettingForm(request.POST or None, initial={"require_staff_2fa": current.require_staff_2fa})
    if request.method == "POST" and form.is_valid():
        services.program_setting_update(
            require_staff_2fa=form.cleaned_data["require_staff_2fa"], acting_user=request.user
        )
        messages.success(request, _("Settings saved."))
        return redirect("accounts:program_settings")
    return render(
        request, "accounts/program_settings.html", {"form": form, "reset_form": SecondFactorResetForm()}
    )


@role_required(OFFICE)
@recent_second_factor_required
@require_POST
def second_factor_reset(request: AuthedRequest) -> HttpResponse:
    """The programme office removes someone's authenticator (lost phone); audited, and the user is told."""
    form = SecondFactorResetForm(request.POST)
    if form.is_valid():
        target = User.objects.filter(username=form.cleaned_data["username"]).first()
        if target is None:
            messages.error(request, _("No user has this user name."))
        elif not is_confirmed(request):
            return confirmation_page(
                request,
                second_factor_reset_confirmation(
                    request, target, cancel_url=reverse("accounts:program_settings")
                ),
            )
        else:
            removed = services.second_factor_reset(user=target, acting_user=request.user)
            if removed:
                messages.success(
                    request, _("The second factor of %(user)s was reset.") % {"user": target.username}
                )
            else:
                messages.info(request, _("%(user)s had no authenticator.") % {"user": target.username})
    return redirect("accounts:program_settings")


# Passwords: Django's views, with our templates, an audit entry for each change and throttled reset requests.
# A reset request gets the same answer whether or not the e-mail belongs to someone (no user enumeration).


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    form_class = PasswordChangeForm
    success_url = reverse_lazy("accounts:password_change_done")

    def form_valid(self, form: Any) -> HttpResponse:
        with transaction.atomic():  # the new password and its audit entry stand or fall together
            response = super().form_valid(form)
            services.password_changed_record(user=form.user, how="change")
        return response


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    template_name = "accounts/password_change_done.html"


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "accounts/password_reset.html"
    form_class = PasswordResetForm
    email_template_name = "accounts/password_reset_email.txt"
    subject_template_name = "accounts/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")

    def form_valid(self, form: Any) -> HttpResponse:
        allowed = services.password_reset_request_allowed(
            email=form.cleaned_data["email"], ip=client_ip(self.request)
        )
        if not allowed:
            return redirect(self.get_success_url())  # the same answer; nothing is sent
        return super().form_valid(form)


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    form_class = SetPasswordForm
    success_url = reverse_lazy("accounts:password_reset_complete")

    def form_valid(self, form: Any) -> HttpResponse:
        with transaction.atomic():  # the new password and its audit entry stand or fall together
            response = super().form_valid(form)
            services.password_changed_record(user=form.user, how="reset")
        return response


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"


_View = Callable[..., HttpResponse]
password_change = login_only(cast(_View, PasswordChangeView.as_view()))
password_change_done = login_only(cast(_View, PasswordChangeDoneView.as_view()))
password_reset = public(cast(_View, PasswordResetView.as_view()))
password_reset_done = public(cast(_View, PasswordResetDoneView.as_view()))
password_reset_confirm = public(cast(_View, PasswordResetConfirmView.as_view()))
password_reset_complete = public(cast(_View, PasswordResetCompleteView.as_view()))
