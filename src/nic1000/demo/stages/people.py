"""Demo stage: every company ever selected gets a representative, the way a real one does.

The officer of the body that nominated it (the designation's body) invites the representative by e-mail
(`accounts.services.invitations.invitation_create`, without sending the mail), and the representative accepts
the invitation (`invitation_accept`) with the demo password and an authenticator whose secret is derived from the
seed and the user name (`demo_totp_key`), so the same seed gives the same secrets. Companies that already have
a representative (the registry stage's `company01`…) get none.
"""

from __future__ import annotations

import hashlib
import time

from django.db import transaction
from django_otp.oath import TOTP

from nic1000.accounts.models import User
from nic1000.accounts.services.invitations import invitation_accept, invitation_create
from nic1000.core.roles import Role
from nic1000.demo.context import DemoContext, DemoLogin
from nic1000.designations.models import Membership

DEMO_DOMAIN = "demo.nic1000.kr"


def demo_totp_key(seed: int, username: str) -> str:
    """A demo user's authenticator secret (40 hex digits), the same for the same seed."""
    return hashlib.sha256(f"nic1000-demo-totp:{seed}:{username}".encode()).hexdigest()[:40]


def totp_code(key_hex: str, *, steps_back: int = 0) -> str:
    """The 6-digit code of an authenticator secret now (or `steps_back` 30-second steps ago), as django-otp's
    TOTP devices compute it."""
    t = TOTP(bytes.fromhex(key_hex), step=30, t0=0, digits=6, drift=0)
    t.time = time.time() - 30 * steps_back
    return f"{t.token():06d}"


def run(ctx: DemoContext) -> dict[str, int]:
    """Invite and accept a representative for each designated company without one (in one transaction: a
    thousand small ones cost more on SQLite)."""
    with transaction.atomic():
        n = _representatives(ctx)
    ctx.out(f"people: {n} representatives invited by their ministries, each accepted with an authenticator")
    return {"invitations": n}


def _representatives(ctx: DemoContext) -> int:
    officers = {u.body_id: u for u in ctx.users.get(Role.MINISTRY_OFFICER, []) if u.body_id}
    have = set(
        User.objects.filter(role=Role.COMPANY, company__isnull=False).values_list("company_id", flat=True)
    )
    first_membership: dict[int, Membership] = {}
    for m in Membership.objects.select_related("company").order_by("selected_on", "company_id", "id"):
        if m.company_id not in have:
            first_membership.setdefault(m.company_id, m)
    n = 0
    for m in first_membership.values():
        n += 1
        username = f"rep{n:04d}"
        company = m.company
        issued = invitation_create(
            email=f"{username}@{DEMO_DOMAIN}",
            username=username,
            display_name=f"{company.representative or username} ({company.name_ko})",
            role=Role.COMPANY,
            company=company,
            acting_user=officers.get(m.body_id, ctx.office),
            send_email=False,
        )
        key = demo_totp_key(ctx.seed, username)
        accepted = invitation_accept(
            # The previous step's code (the device accepts one step either side): a code counts once, so the
            # current one still signs in at once (`nic1000 demo --totp`).
            token=issued.token,
            password_hash=ctx.password_hash,
            totp_key=key,
            totp_code=totp_code(key, steps_back=1),
        )
        ctx.users.setdefault(Role.COMPANY, []).append(accepted.user)
        ctx.logins.append(DemoLogin(username=username, role=Role.COMPANY, binding=company.name_ko))
    return n
