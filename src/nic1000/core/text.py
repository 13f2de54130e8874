"""Free text has a length limit (TEXT_MAX_CHARS, 10,000 characters by default), checked by the form and again
by the service (services are also called by the API and commands).

    text_check(reason=reason, note=note)        # in a service: ValidationFailed naming each field too long
    class NoteForm(BoundedTextForm): ...         # a form: every CharField without max_length gets the limit
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext as _

from nic1000.core.errors import ErrorDetail, ValidationFailed


def text_limit() -> int:
    return int(getattr(settings, "TEXT_MAX_CHARS", 10_000))


def text_check(**values: object) -> None:
    """Raise ValidationFailed (code text_too_long, one detail per field) when a text is over the limit."""
    limit = text_limit()
    details = [
        ErrorDetail(
            message=_("%(field)s is longer than %(limit)s characters (%(length)s).")
            % {"field": name, "limit": f"{limit:,}", "length": f"{len(value):,}"},
            field=name,
        )
        for name, value in values.items()
        if isinstance(value, str) and len(value) > limit
    ]
    if details:
        raise ValidationFailed(
            _("A text is longer than %(limit)s characters; nothing was saved.") % {"limit": f"{limit:,}"},
            details,
            code="text_too_long",
        )


def bound_text_fields(form: forms.BaseForm) -> None:
    """Give every CharField of `form` without its own max_length the free-text limit (validator and the
    browser's maxlength)."""
    limit = text_limit()
    for field in form.fields.values():
        if isinstance(field, forms.CharField) and field.max_length is None:
            field.max_length = limit
            field.validators.append(MaxLengthValidator(limit))
            field.widget.attrs.setdefault("maxlength", str(limit))


class BoundedTextForm(forms.Form):
    """A form whose free-text fields are limited to TEXT_MAX_CHARS (fields a subclass adds in its __init__
    too: they are bounded again before the form is cleaned)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bound_text_fields(self)

    def full_clean(self) -> None:
        bound_text_fields(self)
        super().full_clean()
