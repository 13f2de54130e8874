"""Role matrix: PDF documents and the public certificate verifier.

Certificates: programme readers, the nominating ministry (MSS nominated company_a in the monitoring world) and
the company itself. Round reports: the programme office and auditors. Decision letters: who sees the
application (programme readers, the institution it is routed to, the company). Risk profiles and case summaries:
monitoring's readers. The verifier is public.
"""

from __future__ import annotations

from typing import Any

from tests.access.spec import EVERYONE, Case

PROGRAMME = {"program_office", "auditor", "support_group"}
MONITORING = PROGRAMME | {"ministry_officer"}


def build(world: dict[str, Any]) -> None:
    from django.utils import timezone

    from tests.finance.factories import make_application
    from tests.rounds.factories import make_round

    p = world["personas"]
    world["reports"] = {
        "round": make_round(acting_user=p.program_office, number=9),
        "letter": make_application(
            p.company_a_obj,
            code="KDB-OPER",
            state="approved",
            approved_amount=500_000_000,
            decided_at=timezone.now(),
        ),
    }


def _pk(get: Any) -> Any:
    return lambda w: {"pk": get(w).pk}


CASES = [
    Case(
        "reports:certificate",
        PROGRAMME | {"ministry_officer", "company"},
        kwargs=_pk(lambda w: w["monitoring"]["membership"]),
    ),
    Case("reports:round", {"program_office", "auditor"}, kwargs=_pk(lambda w: w["reports"]["round"])),
    Case(
        "reports:letter",
        PROGRAMME | {"institution_officer", "company"},
        kwargs=_pk(lambda w: w["reports"]["letter"]),
    ),
    Case("reports:risk", MONITORING, kwargs=_pk(lambda w: w["personas"].company_a_obj)),
    Case("reports:case", MONITORING, kwargs=_pk(lambda w: w["monitoring"]["case"])),
    Case(
        "reports:verify", EVERYONE, kwargs=lambda w: {"code": w["monitoring"]["membership"].certificate_code}
    ),
]
