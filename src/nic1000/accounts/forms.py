from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class LoginForm(forms.Form):
    username = forms.CharField(
        label=_("User name"),
        max_length=150,
        widget=forms.TextInput(attrs={"class": "krds-input", "autocomplete": "username"}),
    )
    password = forms.CharField(
        label=_("Password"),
        widget=forms.PasswordInput(attrs={"class": "krds-input", "autocomplete": "current-password"}),
    )


class TokenForm(forms.Form):
    token = forms.RegexField(
        label=_("6-digit code from your authenticator app"),
        regex=r"^\d{6}$",
        widget=forms.TextInput(
            attrs={"class": "krds-input", "autocomplete": "one-time-code", "inputmode": "numeric"}
        ),
        error_messages={"invalid": _("Enter the 6 digits shown by your authenticator app.")},
    )


class ProgramSettingForm(forms.Form):
    require_staff_2fa = forms.BooleanField(
        label=_("Require two-factor authentication for staff roles"), required=False
    )
