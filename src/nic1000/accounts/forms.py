from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib.auth import forms as auth_forms
from django.utils.translation import gettext_lazy as _

from nic1000.accounts.models import User


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


class SecondFactorResetForm(forms.Form):
    username = forms.CharField(
        label=_("User name of the person who lost their authenticator"),
        max_length=150,
        widget=forms.TextInput(attrs={"class": "krds-input"}),
    )


class _KrdsInputs:
    """Django's password forms with KRDS-styled inputs."""

    fields: dict[str, forms.Field]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "krds-input")


if TYPE_CHECKING:  # Django's SetPasswordForm is generic in the user model for the type checker only
    _SetPasswordForm = auth_forms.SetPasswordForm[User]
else:
    _SetPasswordForm = auth_forms.SetPasswordForm


class PasswordChangeForm(_KrdsInputs, auth_forms.PasswordChangeForm):
    pass


class PasswordResetForm(_KrdsInputs, auth_forms.PasswordResetForm):
    pass


class SetPasswordForm(_KrdsInputs, _SetPasswordForm):
    pass
