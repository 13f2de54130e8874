"""Shared fixtures: named personas for every role, and reference data after flushes."""

from __future__ import annotations

import os
from dataclasses import dataclass

import pytest

from tests.factories import CompanyFactory, UserFactory, body, institution

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop


@dataclass
class Personas:
    """One user per role, bound to the organisations named in their usernames.

    program_office (FSC), ministry_mss (MSS officer), ministry_motie (MOTIE officer), evaluator, evaluator2,
    institution_kdb (KDB officer), institution_ibk (IBK officer), company_a (rep of company_a), company_b,
    support (support group), auditor. The public is the anonymous client.
    """

    program_office: object
    ministry_mss: object
    ministry_motie: object
    evaluator: object
    evaluator2: object
    institution_kdb: object
    institution_ibk: object
    company_a: object
    company_b: object
    support: object
    auditor: object
    company_a_obj: object
    company_b_obj: object

    def by_role(self) -> dict[str, object]:
        """The persona used for each role in the role matrix."""
        return {
            "program_office": self.program_office,
            "ministry_officer": self.ministry_mss,
            "evaluator": self.evaluator,
            "institution_officer": self.institution_kdb,
            "company": self.company_a,
            "support_group": self.support,
            "auditor": self.auditor,
        }


@pytest.fixture
def reference_data(db: None) -> None:
    """KSIC, bodies and institutions (present after migrations; reloaded when a transactional test flushed them)."""
    from nic1000.registry.models import Body, Institution, KsicCode
    from nic1000.registry.reference import load_reference_data

    if not KsicCode.objects.exists() or not Body.objects.exists():
        load_reference_data(KsicCode, Body, Institution)


@pytest.fixture
def personas(reference_data: None) -> Personas:
    a = CompanyFactory(name_ko="에이테크", name_en="A-Tech")
    b = CompanyFactory(name_ko="비바이오", name_en="B-Bio")
    return Personas(
        program_office=UserFactory(
            username="po",
            role="program_office",
            display_name="금융위 담당자",
            is_staff=True,  # browses the admin read-only; never a superuser (accounts.services.user_create)
        ),
        ministry_mss=UserFactory(username="mss", role="ministry_officer", body=body("MSS")),
        ministry_motie=UserFactory(username="motie", role="ministry_officer", body=body("MOTIE")),
        evaluator=UserFactory(username="eval1", role="evaluator"),
        evaluator2=UserFactory(username="eval2", role="evaluator"),
        institution_kdb=UserFactory(
            username="kdb", role="institution_officer", institution=institution("KDB")
        ),
        institution_ibk=UserFactory(
            username="ibk", role="institution_officer", institution=institution("IBK")
        ),
        company_a=UserFactory(username="rep_a", role="company", company=a),
        company_b=UserFactory(username="rep_b", role="company", company=b),
        support=UserFactory(username="support", role="support_group"),
        auditor=UserFactory(username="auditor", role="auditor"),
        company_a_obj=a,
        company_b_obj=b,
    )


@pytest.fixture(autouse=True)
def _fresh_local_cache() -> None:
    """Each process's in-memory cache (settings.CACHES["local"]) outlives a test's rolled-back database, whose
    ids the next test may reuse: start every test with it empty."""
    from django.core.cache import caches

    caches["local"].clear()
