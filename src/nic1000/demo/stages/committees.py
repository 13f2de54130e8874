"""Issue 15 in the demo's rounds: one body evaluates with its own committee (MSS in round 3, as MSS's own
selection committee did), and one body takes applications through a public call (MSS in the latest round).

Both go through the same services as the pages: `rounds.services.committees` (members, the committee's optimal
assignment, its list) and `calls.services` (the call, applications with documents, screening)."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Avg, Q
from django.utils import timezone

from nic1000.accounts.models import User
from nic1000.calls import services as call_services
from nic1000.calls.models import Call, CallApplication
from nic1000.core.roles import Role
from nic1000.demo.context import DemoContext
from nic1000.registry.models import Body, Company
from nic1000.rounds.models import Candidacy, EvaluatorProfile, Review, Round, RoundBody
from nic1000.rounds.services import assignment as assignment_services
from nic1000.rounds.services import committees as committee_services

COMMITTEE_ROUND, COMMITTEE_BODY = 3, "MSS"
CALL_BODY = "MSS"
CALL_APPLICANTS = 6  # of the call body's chosen companies, these apply through the call (one is not accepted)
EVALUATORS_PER_CANDIDACY = 0.25  # round 3: about 150 evaluators for 600 candidacies
_PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def committee_setup(
    ctx: DemoContext, rng: np.random.Generator, rnd: Round, officer: User, n_candidacies: int
) -> int:
    """The office hands MSS's candidacies to MSS's own committee; MSS's officer adds its members (each given the
    demo password, as every demo user). Returns the members added."""
    body = Body.objects.get(code=COMMITTEE_BODY)
    committee_services.round_body_evaluation_set(
        round=rnd, body=body, evaluation=RoundBody.Evaluation.BODY, acting_user=ctx.office
    )
    existing = EvaluatorProfile.objects.filter(body=body).count()
    wanted = max(6, math.ceil(EVALUATORS_PER_CANDIDACY * n_candidacies))
    for i in range(existing + 1, wanted + 1):
        profile = committee_services.committee_member_add(
            body=body,
            username=f"mss_committee{i:02d}",
            email=f"mss_committee{i:02d}@demo.nic1000.kr",
            display_name=f"중기부 선정위원 {i:02d}",
            affiliation=("KAIST", "중소기업연구원", "창업진흥원", "서울대학교")[i % 4],
            ksic_sections=("C,J", "C,M", "J,M", "C")[int(rng.integers(4))],
            keywords=("반도체, AI, 소프트웨어", "바이오, 헬스케어", "모빌리티, 배터리", "플랫폼, 콘텐츠")[
                i % 4
            ],
            acting_user=officer,
        )
        ctx.adopt_user(profile.user, role=Role.EVALUATOR, binding=COMMITTEE_BODY, pool=False)
    return wanted - existing


def committee_assign(ctx: DemoContext, rnd: Round, officer: User) -> int:
    body = Body.objects.get(code=COMMITTEE_BODY)
    outcome = assignment_services.committee_assignment_solve(round=rnd, body_id=body.pk, acting_user=officer)
    return outcome.added


def committee_decide(ctx: DemoContext, rnd: Round, officer: User, target: int) -> int:
    """MSS's committee recommends its best candidacies by the mean of its members' reviews: a little more than
    its places, so the office's selection still chooses under the round's quotas. Returns the recommended."""
    body = Body.objects.get(code=COMMITTEE_BODY)
    submitted = Q(assignments__active=True, assignments__review__state=Review.State.SUBMITTED)
    ranked = list(
        Candidacy.objects.filter(round=rnd, lead_body=body, eligible=True)
        .annotate(mean=Avg("assignments__review__total", filter=submitted))
        .order_by("-mean", "id")
        .values_list("pk", flat=True)
    )
    chosen = set(ranked[: max(1, math.ceil(target * 1.3))])
    committee_services.committee_decide(
        round=rnd,
        body=body,
        recommended=chosen,
        note="중기부 선정위원회 의결: 평가 평균 상위 기업 추천",
        acting_user=officer,
    )
    return len(chosen)


def call_round(
    ctx: DemoContext, rnd: Round, officer: User, chosen: list[int]
) -> tuple[dict[str, int], list[int]]:
    """MSS opens a public call in the round; a few of the companies it would nominate apply through it with
    their documents (a representative each), MSS accepts all but one, which it declines with a reason.
    Returns the counts and the companies the call took (the body does not nominate them again)."""
    now = timezone.now()
    call = call_services.call_create(
        round=rnd,
        title=f"{rnd.number}차 중소벤처기업부 혁신기업 공모",
        description="중기부 추천 몫의 일부를 공개 모집합니다.",
        eligibility="창업 7년 이내 중소기업 또는 기술혁신형 중소기업(이노비즈)",
        bonus="규제샌드박스 승인 기업 가점",
        required_documents=["사업계획서", "기술소개서"],
        opens_at=now - dt.timedelta(hours=1),
        closes_at=now + dt.timedelta(days=10),
        acting_user=officer,
    )
    companies = Company.objects.in_bulk(chosen)
    applications: list[CallApplication] = []
    for cid in chosen:
        company = companies[cid]
        eligible, _reasons, _member = call_services.application_self_check(call=call, company=company)
        if not eligible:
            continue
        rep = ctx.create_user(
            username=f"call_applicant{len(applications) + 1:02d}",
            role=Role.COMPANY,
            display_name=f"{company.name_ko} 대표",
            binding=company.name_ko,
            company=company,
        )
        documents = {
            name: SimpleUploadedFile(f"{name}.pdf", _PDF, content_type="application/pdf")
            for name in call.required_documents
        }
        applications.append(
            call_services.call_application_submit(
                call=call,
                statement="공모 요건을 충족하며 기술 혁신성이 뛰어남",
                documents=documents,
                acting_user=rep,
            )
        )
        if len(applications) == CALL_APPLICANTS:
            break
    taken = []
    for i, application in enumerate(applications):
        if i == len(applications) - 1:
            call_services.call_application_reject(
                application=application, reason="제출 서류의 기술 성숙도 근거 부족", acting_user=officer
            )
        else:
            call_services.call_application_accept(application=application, acting_user=officer)
        taken.append(application.company_id)
    return {"calls": Call.objects.count(), "call_applications": len(applications)}, taken
