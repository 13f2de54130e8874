"""Each user's notification settings: which channels (in the app, by e-mail) each kind of notification reaches
them on, and the language of their e-mails. No stored row means every channel on; mandatory kinds (security
notices) cannot be switched off, so they are never stored."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from nic1000.activity.kinds import KINDS, Kind
from nic1000.audit.services import audit_record
from nic1000.core.access import require_role
from nic1000.core.errors import ValidationFailed
from nic1000.core.models import NotificationPreference
from nic1000.core.roles import ALL_ROLES


@dataclass
class KindSetting:
    kind: Kind
    in_app: bool
    email: bool

    @property
    def key(self) -> str:
        return self.kind.key


@dataclass
class KindGroup:
    label: Promise
    kinds: list[KindSetting] = field(default_factory=list)

    @property
    def choosable(self) -> list[KindSetting]:
        return [s for s in self.kinds if not s.kind.mandatory]

    @property
    def always(self) -> list[KindSetting]:
        """Mandatory kinds: listed, not offered as check boxes."""
        return [s for s in self.kinds if s.kind.mandatory]


def notification_settings(user: Any) -> list[KindGroup]:
    """Every declared kind with the user's channels, grouped as `activity.kinds` groups them (one query)."""
    stored = {p.kind: p for p in NotificationPreference.objects.filter(user_id=user.pk)}
    groups: dict[str, KindGroup] = {}
    for k in KINDS.values():
        pref = None if k.mandatory else stored.get(k.key)
        group = groups.setdefault(str(k.group), KindGroup(label=k.group))
        group.kinds.append(
            KindSetting(kind=k, in_app=pref is None or pref.in_app, email=pref is None or pref.email)
        )
    return list(groups.values())


def _channels(user: Any) -> dict[str, tuple[bool, bool]]:
    return {s.key: (s.in_app, s.email) for g in notification_settings(user) for s in g.kinds}


@transaction.atomic
def notification_settings_save(
    *, acting_user: Any, language: str, in_app: Collection[str], email: Collection[str]
) -> dict[str, Any]:
    """Save the acting user's own settings: the kinds in `in_app` / `email` are on, every other one off
    (mandatory kinds stay on). Audited with what changed; returns the changes."""
    require_role(acting_user, ALL_ROLES)
    if language not in dict(settings.LANGUAGES):
        raise ValidationFailed(_("Choose a language from the list."), code="unknown_language")
    unknown = sorted((set(in_app) | set(email)) - set(KINDS))
    if unknown:
        raise ValidationFailed(
            _("Unknown kind of notification: %(kinds)s") % {"kinds": ", ".join(unknown)}, code="unknown_kind"
        )
    before = _channels(acting_user)
    after = {key: (True, True) if k.mandatory else (key in in_app, key in email) for key, k in KINDS.items()}
    changes: dict[str, Any] = {
        key: {
            "before": {"in_app": before[key][0], "email": before[key][1]},
            "after": {"in_app": after[key][0], "email": after[key][1]},
        }
        for key in KINDS
        if before[key] != after[key]
    }
    old_language = getattr(acting_user, "language", "")
    if old_language != language:
        changes["language"] = {"before": old_language, "after": language}
        acting_user.language = language
        acting_user.save(update_fields=["language"])
    if not changes:
        return changes
    NotificationPreference.objects.filter(user_id=acting_user.pk).delete()
    NotificationPreference.objects.bulk_create(
        NotificationPreference(user_id=acting_user.pk, kind=key, in_app=on[0], email=on[1])
        for key, on in after.items()
        if on != (True, True)
    )
    audit_record(actor=acting_user, action="user.notification_settings", obj=acting_user, changes=changes)
    return changes
