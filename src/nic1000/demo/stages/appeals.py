"""Demo stage: appeals (이의신청), after monitoring. Companies appeal one decision of each kind — a
non-selection, an ineligibility, a removal, a refusal of finance — through the services, each a few days after
the decision on the simulated clock; the deciding body (the programme office, or the officers of the institution
that declined) takes it up and decides a week later: some upheld (the decision reopened: a new evaluator
re-scores, the candidacy is eligible again, the designation reinstated, the application back to review), some
dismissed, and the last non-selection appeal is left under review for the queue.

Companies with a demo representative are chosen first (their logins show the appeals); a company without one
gets a representative here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils import timezone

from nic1000.accounts.models import User
from nic1000.appeals import services
from nic1000.appeals.decisions import decision_for
from nic1000.appeals.models import Appeal
from nic1000.core.errors import ApplicationError
from nic1000.core.roles import Role
from nic1000.demo.clock import simulated_clock
from nic1000.demo.context import DemoContext
from nic1000.designations.models import Membership
from nic1000.finance.models import Application
from nic1000.registry.models import Company
from nic1000.rounds.models import Candidacy

REASONS = {
    "non_selection": "평가 당시 제출한 수출 계약 실적이 반영되지 않았습니다. 계약서 사본을 첨부합니다.",
    "ineligibility": "직전 사업연도 재무제표의 자본잠식 판정은 감사 전 가결산 수치에 따른 것입니다.",
    "removal": "반기 재평가 이후 유상증자로 자본잠식을 해소하였고 매출이 회복되었습니다.",
    "refusal": "담보 보완 및 보증서 발급이 가능하므로 재심사를 요청합니다.",
}
OUTCOMES = {
    ("non_selection", "uphold"): "수출 실적 누락이 확인되어 새 평가위원의 재평가를 실시합니다.",
    ("non_selection", "dismiss"): "제출 자료는 평가 당시 반영되었으며 평가 결과에 영향이 없습니다.",
    (
        "ineligibility",
        "uphold",
    ): "감사 후 재무제표 기준으로 요건을 충족하므로 위원회 심의 대상으로 재분류합니다.",
    ("removal", "dismiss"): "재평가 기준일 현재 지정 해제 사유가 해소되지 않았습니다.",
    ("removal", "uphold"): "자본잠식 해소가 확인되어 지정을 회복합니다.",
    ("refusal", "uphold"): "보증서 발급이 확인되어 재심사를 진행합니다.",
    ("refusal", "dismiss"): "신청 금액이 상환능력을 초과하여 원 결정을 유지합니다.",
}
# kind, and what the deciding body does with it (None: left under review)
PLAN: tuple[tuple[str, str | None], ...] = (
    ("non_selection", "uphold"),
    ("non_selection", "dismiss"),
    ("ineligibility", "uphold"),
    ("removal", "dismiss"),
    ("refusal", "uphold"),
    ("refusal", "dismiss"),
    ("non_selection", None),
)


@dataclass(frozen=True)
class _Target:
    kind: str
    target_id: int
    company_id: int


def _with_reps_first(rows: Iterable[_Target], reps: set[int]) -> list[_Target]:
    return sorted(rows, key=lambda t: (t.company_id not in reps, t.company_id, t.target_id))


def _targets(reps: set[int]) -> dict[str, list[_Target]]:
    """Appealable decisions of each kind (at most 20 looked at per kind)."""
    lost = Candidacy.objects.filter(eligible=True, selected=False, round__published_at__isnull=False)
    ineligible = Candidacy.objects.filter(eligible=False)
    removed = Membership.objects.filter(status=Membership.Status.REMOVED)
    declined = Application.objects.filter(state="declined", decided_at__isnull=False)
    rows = {
        "non_selection": [_Target("non_selection", pk, c) for pk, c in lost.values_list("pk", "company_id")],
        "ineligibility": [
            _Target("ineligibility", pk, c) for pk, c in ineligible.values_list("pk", "company_id")
        ],
        "removal": [_Target("removal", pk, c) for pk, c in removed.values_list("pk", "company_id")],
        "refusal": [_Target("refusal", pk, c) for pk, c in declined.values_list("pk", "company_id")],
    }
    return {kind: _with_reps_first(found, reps)[:20] for kind, found in rows.items()}


def _representative(ctx: DemoContext, company_id: int) -> User:
    rep = User.objects.filter(role=Role.COMPANY, company_id=company_id, is_active=True).order_by("id").first()
    if rep is not None:
        return rep
    company = Company.objects.get(pk=company_id)
    n = sum(1 for u in ctx.users.get(Role.COMPANY, []) if u.username.startswith("appellant"))
    return ctx.create_user(
        username=f"appellant{n + 1:02d}",
        role=Role.COMPANY,
        display_name=f"{company.representative or company.name_ko} ({company.name_ko})",
        binding=company.name_ko,
        company=company,
    )


def _decider(ctx: DemoContext, appeal: Appeal) -> User:
    if appeal.institution_id is None:
        return ctx.office
    officer = User.objects.filter(
        role=Role.INSTITUTION_OFFICER, institution_id=appeal.institution_id, is_active=True
    ).first()
    if officer is None:
        raise RuntimeError("no officer of the deciding institution")
    return officer


def run(ctx: DemoContext) -> dict[str, int]:
    reps = set(User.objects.filter(role=Role.COMPANY).values_list("company_id", flat=True))
    targets = _targets({r for r in reps if r is not None})
    used: set[tuple[str, int]] = set()
    counts = {"appeals": 0, "appeals_upheld": 0, "appeals_dismissed": 0}
    now = timezone.now()
    for kind, outcome in PLAN:
        target = next((t for t in targets[kind] if (kind, t.target_id) not in used), None)
        if target is None:
            continue
        used.add((kind, target.target_id))
        decision = decision_for(kind=kind, target_id=target.target_id, company_id=target.company_id)
        if decision is None:
            continue
        rep = _representative(ctx, target.company_id)
        filed_at = min(decision.decided_at + dt.timedelta(days=3), now)
        with simulated_clock(filed_at):
            appeal = services.appeal_file(
                kind=kind, target_id=target.target_id, reasons=REASONS[kind], acting_user=rep
            )
        counts["appeals"] += 1
        decider = _decider(ctx, appeal)
        with simulated_clock(min(filed_at + dt.timedelta(days=2), now)):
            services.appeal_start_review(appeal=appeal, acting_user=decider)
        if outcome is None:
            continue
        with simulated_clock(min(filed_at + dt.timedelta(days=9), now)):
            try:
                services.appeal_decide(
                    appeal=appeal, decision=outcome, reason=OUTCOMES[(kind, outcome)], acting_user=decider
                )
            except ApplicationError:  # nothing to reopen with (no evaluator left): the appeal is dismissed
                outcome = "dismiss"
                services.appeal_decide(
                    appeal=appeal,
                    decision=outcome,
                    reason=OUTCOMES.get((kind, outcome), OUTCOMES[("removal", "dismiss")]),
                    acting_user=decider,
                )
        counts["appeals_upheld" if outcome == "uphold" else "appeals_dismissed"] += 1
    ctx.out(
        f"appeals: {counts['appeals']} filed, {counts['appeals_upheld']} upheld, "
        f"{counts['appeals_dismissed']} dismissed"
    )
    return counts
