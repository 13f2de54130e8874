from __future__ import annotations

import segno
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from nic1000.accounts import services
from nic1000.accounts.forms import LoginForm, ProgramSettingForm, TokenForm
from nic1000.accounts.http import AuthedRequest
from nic1000.accounts.models import User
from nic1000.accounts.throttle import login_failure_record, login_failures_clear, login_is_throttled
from nic1000.core.access import login_only, public, role_required
from nic1000.core.models import ProgramSetting
from nic1000.core.roles import OFFICE, STAFF_ROLES

_PENDING = "nic1000_pending_2fa_user"


def _client_ip(request: HttpRequest) -> str | None:
    return request.META.get("REMOTE_ADDR")


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
        ip = _client_ip(request)
        if login_is_throttled(username=username, ip=ip):
            form.add_error(None, _("Too many failed attempts. Wait 15 minutes and try again."))
            status = 429
        else:
            user = authenticate(request, username=username, password=form.cleaned_data["password"])
            if user is None:
                login_failure_record(username=username, ip=ip)
                form.add_error(None, _("The user name or password is wrong."))
                status = 401
            else:
                login_failures_clear(username=username)
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
        ip = _client_ip(request)
        if login_is_throttled(username=user.username, ip=ip):
            form.add_error(None, _("Too many failed attempts. Wait 15 minutes and try again."))
            status = 429
        else:
            device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
            if device is not None and device.verify_token(form.cleaned_data["token"]):
                nxt = request.session.get("nic1000_next", "/")
                login(request, user, backend="django.contrib.auth.backends.ModelBackend")
                otp_login(request, device)
                request.session.pop(_PENDING, None)
                return redirect(nxt)
            login_failure_record(username=user.username, ip=ip)
            form.add_error("token", _("The code is wrong or has expired."))
            status = 401
    return render(request, "accounts/login_otp.html", {"form": form}, status=status)


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("core:home")


@login_only
def twofactor(request: AuthedRequest) -> HttpResponse:
    """Enrol a TOTP authenticator (staff roles), or verify this session with an enrolled one."""
    user = request.user
    if user.role not in STAFF_ROLES:
        return render(request, "core/error.html", {"status": 403}, status=403)
    confirmed = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    form = TokenForm(request.POST or None)
    if confirmed is not None and not request.GET.get("reset"):
        # Enrolled: this page verifies the session (needed when 2FA is required).
        if request.method == "POST" and form.is_valid():
            if confirmed.verify_token(form.cleaned_data["token"]):
                otp_login(request, confirmed)
                messages.success(request, _("Two-factor authentication verified."))
                return redirect("core:home")
            form.add_error("token", _("The code is wrong or has expired."))
        return render(request, "accounts/twofactor.html", {"form": form, "enrolled": True})
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None or request.method == "GET":
        device = services.totp_device_start(user=user)
    if request.method == "POST" and form.is_valid():
        if services.totp_device_confirm(user=user, device=device, token=form.cleaned_data["token"]):
            otp_login(request, device)
            messages.success(request, _("Two-factor authentication is now on for your account."))
            return redirect("core:home")
        form.add_error("token", _("The code is wrong or has expired."))
    qr_svg = segno.make(device.config_url, error="m").svg_inline(scale=4)
    return render(
        request,
        "accounts/twofactor.html",
        {
            "form": form,
            "enrolled": False,
            "qr_svg": qr_svg,
            "secret": device.config_url.split("secret=")[1].split("&")[0],
        },
    )


@role_required(OFFICE)
def program_settings(request: AuthedRequest) -> HttpResponse:
    current = ProgramSetting.current()
    form = ProgramSettingForm(request.POST or None, initial={"require_staff_2fa": current.require_staff_2fa})
    if request.method == "POST" and form.is_valid():
        services.program_setting_update(
            require_staff_2fa=form.cleaned_data["require_staff_2fa"], acting_user=request.user
        )
        messages.success(request, _("Settings saved."))
        return redirect("accounts:program_settings")
    return render(request, "accounts/program_settings.html", {"form": form})
