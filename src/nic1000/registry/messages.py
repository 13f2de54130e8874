"""Messages rendered when shown, in the language active then.

A problem found during an import is shown in the language of the page, and the import report also carries it
in English and Korean (the CLI and the row report print both). So rules raise `gettext_lazy` msgids, and
`lazy_format` fills their `%(name)s` values without rendering them yet (a lazy string's `%` would render it in
the language active at the time of the check).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils import translation
from django.utils.functional import lazy

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


def _format(message: StrOrPromise, params: dict[str, object]) -> str:
    return str(message) % params


_lazy_format = lazy(_format, str)


def lazy_format(message: StrOrPromise, **params: object) -> StrOrPromise:
    """`message % params`, rendered when shown."""
    return _lazy_format(message, params)


def in_language(message: StrOrPromise, language: str) -> str:
    """The message rendered in `language` ("en" or "ko")."""
    with translation.override(language):
        return str(message)
