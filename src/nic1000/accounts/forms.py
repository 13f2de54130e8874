from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib.auth import forms as auth_forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from nic1000.accounts import selectors
from nic1000.accounts.models import User
from nic1000.core.roles import Role


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


# --- user administration and invitations -----------------------------------------------------------------------

_INPUT = {"class": "krds-input"}
_SELECT = {"class": "krds-form-select"}


def _role_choices(blank: Any) -> list[tuple[str, Any]]:
    return [("", blank), *Role.choices]


class UserFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={**_INPUT, "placeholder": _("User name, name, e-mail or company")}),
    )
    role = forms.ChoiceField(label=_("Role"), required=False, widget=forms.Select(attrs=_SELECT))
    binding = forms.ChoiceField(label=_("Bound to"), required=False, widget=forms.Select(attrs=_SELECT))
    active = forms.ChoiceField(
        label=pgettext_lazy("user filter", "Status"),
        required=False,
        choices=[("", _("All")), ("yes", _("Active")), ("no", _("Deactivated"))],
        widget=forms.Select(attrs=_SELECT),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = _role_choices(_("All roles"))  # type: ignore[attr-defined]
        self.fields["binding"].choices = [  # type: ignore[attr-defined]
            ("", _("Any")),
            *[(f"body:{b.code}", f"{b.code} · {b.name_ko}") for b in selectors.bodies()],
            *[(f"institution:{i.code}", f"{i.code} · {i.name_ko}") for i in selectors.institutions()],
        ]


class _BindingForm(forms.Form):
    """A role and the binding it takes; the company by its business registration number."""

    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, widget=forms.Select(attrs=_SELECT))
    body: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("Ministry or agency"),
        queryset=None,
        required=False,
        help_text=_("For a ministry officer."),
        widget=forms.Select(attrs=_SELECT),
    )
    institution: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("Institution"),
        queryset=None,
        required=False,
        help_text=_("For an institution officer."),
        widget=forms.Select(attrs=_SELECT),
    )
    company_brn = forms.CharField(
        label=_("Company (business registration number)"),
        required=False,
        max_length=20,
        help_text=_("For a company representative, e.g. 123-45-67890."),
        widget=forms.TextInput(attrs=_INPUT),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        body = self.fields["body"]
        institution = self.fields["institution"]
        assert isinstance(body, forms.ModelChoiceField) and isinstance(institution, forms.ModelChoiceField)
        body.queryset = selectors.bodies()
        institution.queryset = selectors.institutions()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        brn = (data.get("company_brn") or "").strip()
        data["company"] = None
        if brn:
            data["company"] = selectors.company_by_brn(brn)
            if data["company"] is None:
                self.add_error(
                    "company_brn", _("No company in the registry has this business registration number.")
                )
        return data


class InvitationForm(_BindingForm):
    email = forms.EmailField(label=_("E-mail address"), widget=forms.EmailInput(attrs=_INPUT))
    display_name = forms.CharField(
        label=_("Name"), required=False, max_length=100, widget=forms.TextInput(attrs=_INPUT)
    )
    username = forms.CharField(
        label=_("User name"),
        required=False,
        max_length=150,
        help_text=_("Leave empty to use the e-mail address."),
        widget=forms.TextInput(attrs=_INPUT),
    )
    field_order = ["email", "display_name", "username", "role", "body", "institution", "company_brn"]


class RoleChangeForm(_BindingForm):
    pass


class CompanyInvitationForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"), widget=forms.EmailInput(attrs=_INPUT))
    display_name = forms.CharField(
        label=_("Name"), required=False, max_length=100, widget=forms.TextInput(attrs=_INPUT)
    )


class DeactivateForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (recorded in the audit trail)"),
        required=False,
        max_length=500,
        widget=forms.TextInput(attrs=_INPUT),
    )


class InvitationAcceptForm(forms.Form):
    password1 = forms.CharField(
        label=_("New password"),
        strip=False,
        widget=forms.PasswordInput(attrs={**_INPUT, "autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("New password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={**_INPUT, "autocomplete": "new-password"}),
    )
    token = TokenForm.base_fields["token"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("password1") and data.get("password2") and data["password1"] != data["password2"]:
            self.add_error("password2", _("The two passwords differ."))
        return data
