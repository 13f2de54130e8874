"""The demo's own writes (everything else goes through the apps' services)."""

from __future__ import annotations

from django.db import transaction

from nic1000.accounts.models import User
from nic1000.audit.services import audit_record


@transaction.atomic
def demo_password_set(*, user: User, password_hash: str, acting_user: User | None) -> None:
    """Give a demo user the shared demo password (an already computed hash, so the demo hashes once)."""
    User.objects.filter(pk=user.pk).update(password=password_hash)
    user.password = password_hash
    audit_record(
        actor=acting_user,
        action="user.password_set",
        obj=user,
        changes={"password": {"before": "(unusable)", "after": "(demo password)"}},
        reason="demo data",
    )
