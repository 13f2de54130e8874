"""Services of the institutions' API: tokens (created and revoked by the programme office), the per-token rate
limit and idempotent answers, all kept in the database so every app process agrees."""

from __future__ import annotations

import math
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from nic1000.accounts.models import User
from nic1000.audit.services import audit_record, created
from nic1000.core.access import require_role
from nic1000.core.errors import ApplicationError, ErrorDetail, ValidationFailed
from nic1000.core.roles import OFFICE
from nic1000.finance import selectors
from nic1000.finance.models import (
    ApiRateCounter,
    ApiToken,
    IdempotencyRecord,
)
from nic1000.registry.models import Institution


@transaction.atomic
def api_token_create(*, institution: Institution, name: str, acting_user: User) -> tuple[ApiToken, str]:
    """A new token for an institution. Returns the token row and the secret, which is never stored."""
    require_role(acting_user, OFFICE, message=_("Only the programme office manages API tokens."))
    name = (name or "").strip()
    if not name:
        raise ValidationFailed(
            _("Give the token a name."),
            [ErrorDetail(message=_("Give the token a name."), field="name")],
            code="name_required",
        )
    secret = f"nic_{secrets.token_urlsafe(32)}"
    token = ApiToken.objects.create(
        institution=institution,
        name=name[:100],
        prefix=secret[:12],
        token_hash=selectors.token_hash(secret),
        created_by=acting_user,
        created_at=timezone.now(),
    )
    audit_record(
        actor=acting_user,
        action="finance_api_token.create",
        obj=token,
        changes=created({"institution_id": institution.pk, "name": token.name, "prefix": token.prefix}),
    )
    return token, secret


@transaction.atomic
def api_token_revoke(*, token: ApiToken, acting_user: User) -> ApiToken:
    require_role(acting_user, OFFICE, message=_("Only the programme office manages API tokens."))
    locked = ApiToken.objects.select_for_update().get(pk=token.pk)
    if locked.revoked_at is None:
        locked.revoked_at = timezone.now()
        locked.save(update_fields=["revoked_at"])
        audit_record(
            actor=acting_user,
            action="finance_api_token.revoke",
            obj=locked,
            changes={"revoked_at": {"before": None, "after": locked.revoked_at}},
        )
    token.revoked_at = locked.revoked_at
    return locked


RATE_WINDOW_SECONDS = 60


@transaction.atomic
def api_rate_hit(*, token: ApiToken, limit: int) -> int:
    """Count one request for the token if fewer than `limit` were accepted in the last minute. Returns 0 when
    allowed, else the seconds until one is allowed again. Technical counters: not audited.

    A sliding window in the database (so every app process agrees): the token's row holds the requests
    accepted per second; each request locks the row (SQLite: the IMMEDIATE transaction; PostgreSQL: SELECT ...
    FOR UPDATE), counts the seconds s with now-60 <= s <= now, and is accepted only if that count is under the
    limit. Those seconds cover every instant of the 60 s before it, so no 60 s span ever holds more than
    `limit` accepted requests, also across a minute boundary. Refused requests are not counted."""
    now = timezone.now()
    second = int(now.timestamp())
    ApiRateCounter.objects.get_or_create(token=token)
    counter = ApiRateCounter.objects.select_for_update().get(token=token)
    oldest = second - RATE_WINDOW_SECONDS
    counts = {int(s): int(n) for s, n in counter.seconds.items() if int(s) >= oldest}
    used = sum(counts.values())
    if used >= limit:
        if len(counts) != len(counter.seconds):
            ApiRateCounter.objects.filter(pk=counter.pk).update(seconds={str(s): counts[s] for s in counts})
        # Wait until enough of the oldest seconds have slid out: second s leaves at s + 61.
        excess, freed = used - limit + 1, 0
        for s in sorted(counts):
            freed += counts[s]
            if freed >= excess:
                return max(1, math.ceil(s + RATE_WINDOW_SECONDS + 1 - now.timestamp()))
        return RATE_WINDOW_SECONDS  # pragma: no cover - limit < 1
    counts[second] = counts.get(second, 0) + 1
    ApiRateCounter.objects.filter(pk=counter.pk).update(seconds={str(s): counts[s] for s in sorted(counts)})
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return 0


@dataclass(frozen=True)
class StoredAnswer:
    status: int
    body: dict[str, Any]
    replayed: bool


def _stored_answer(*, token: ApiToken, key: str, request_hash: str) -> StoredAnswer | None:
    rec = IdempotencyRecord.objects.filter(institution_id=token.institution_id, key=key).first()
    if rec is None:
        return None
    if rec.request_hash != request_hash:
        raise ValidationFailed(
            _("This Idempotency-Key was used with another request."),
            code="idempotency_key_reused",
            details=[ErrorDetail(message=_("Use a new key for a new request."), field="Idempotency-Key")],
        )
    return StoredAnswer(status=rec.status_code, body=rec.response, replayed=True)


def api_post_idempotent(
    *, token: ApiToken, key: str, request_hash: str, run: Callable[[], tuple[int, dict[str, Any]]]
) -> StoredAnswer:
    """Run a POST once per (institution, Idempotency-Key), whichever of its tokens sends it. The same key with the same request gives the stored
    answer again without a second effect; the same key with another request is refused (422). Domain errors
    are stored too, so a replay answers the same way."""
    answer = _stored_answer(token=token, key=key, request_hash=request_hash)
    if answer is not None:
        return answer
    try:
        with transaction.atomic():
            try:
                with transaction.atomic():
                    status, body = run()
            except ApplicationError as exc:
                status, body = exc.status, exc.as_dict()
            IdempotencyRecord.objects.create(
                institution_id=token.institution_id,
                token=token,
                key=key,
                request_hash=request_hash,
                status_code=status,
                response=body,
                created_at=timezone.now(),
            )
    except IntegrityError:
        # Another request with the same key won the race: its answer is the answer.
        answer = _stored_answer(token=token, key=key, request_hash=request_hash)
        if answer is None:  # pragma: no cover - the unique row exists once the race is lost
            raise
        return answer
    return StoredAnswer(status=status, body=body, replayed=False)
