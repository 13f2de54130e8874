"""The audit chain's key, from settings.AUDIT_KEY (see the audit block in settings.py)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

MISSING = (
    "AUDIT_KEY (or AUDIT_KEY_FILE) is not set: the audit trail cannot be signed. Set a secret of at least 32 "
    "characters kept outside the database (or DEBUG=1 for development)."
)


def audit_key() -> bytes:
    key = getattr(settings, "AUDIT_KEY", None)
    if not key:
        raise ImproperlyConfigured(MISSING)
    return str(key).encode("utf-8")


def audit_key_is_development() -> bool:
    return bool(getattr(settings, "AUDIT_KEY", None) == getattr(settings, "AUDIT_DEVELOPMENT_KEY", object()))


def check_audit_key(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """Every management command (migrate, worker, serve, …) runs the system checks: none starts without a key."""
    if not getattr(settings, "AUDIT_KEY", None):
        return [checks.Error(MISSING, id="audit.E001")]
    return []
