"""The demo's appeals stage files one appeal of each kind through the services and decides them."""

from __future__ import annotations

from typing import Any

import pytest

from nic1000.appeals.models import Appeal
from nic1000.demo.context import DemoContext
from nic1000.demo.stages import appeals as demo
from tests.appeals.factories import decisions_for


@pytest.mark.django_db
def test_demo_stage(personas: Any, settings: Any, tmp_path: Any) -> None:
    settings.APPEALS_FILES_DIR = tmp_path
    decisions_for(personas)
    ctx = DemoContext(seed=1, companies=2, fast=True, out=lambda _line: None)
    ctx.program_office = personas.program_office
    counts = demo.run(ctx)
    assert counts["appeals"] == Appeal.objects.count() == 4  # one decision of each kind exists
    assert set(Appeal.objects.values_list("kind", flat=True)) == {
        "non_selection",
        "ineligibility",
        "removal",
        "refusal",
    }
    assert counts["appeals_upheld"] >= 1 and counts["appeals_dismissed"] >= 1
    assert Appeal.objects.filter(state="upheld").exclude(reopened={}).count() == counts["appeals_upheld"]
