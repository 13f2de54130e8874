"""What each round state allows is declared once (`rounds.workflows.ALLOWED`), and services, pages and templates
follow that table rather than their own state strings."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

import nic1000
from nic1000.core.errors import Conflict
from nic1000.rounds.models import Round
from nic1000.rounds.services.assignment import assignment_solve
from nic1000.rounds.services.nominations import candidacy_eligibility_override
from nic1000.rounds.services.selection import committee_decision_record, scores_aggregate
from nic1000.rounds.services.setup import bonus_item_add, quotas_set
from nic1000.rounds.workflows import (
    ALLOWED,
    REFUSALS,
    ROUND,
    RoundAction,
    RoundState,
    allowed_actions,
    require_round_allows,
    round_allows,
    states_allowing,
)
from tests.rounds.factories import make_candidacy, make_selecting_round

SRC = Path(nic1000.__file__).parent


def test_every_action_has_its_states_and_refusal_and_the_workflow_uses_the_enum() -> None:
    assert set(ALLOWED) == set(RoundAction) == set(REFUSALS)
    assert all(states and states <= set(RoundState) for states in ALLOWED.values())
    assert set(ROUND.states) == set(RoundState.values)
    assert {t.target for t in ROUND.transitions} | {ROUND.initial} == set(RoundState.values)
    assert states_allowing(RoundAction.SHOW_PUBLICATION) == ["closed", "published"]


@pytest.mark.parametrize("state", list(RoundState))
def test_allows_and_require_follow_the_table(state: RoundState) -> None:
    rnd = Round(name="3차 선정", state=state)
    allowed = allowed_actions(rnd)
    for action, states in ALLOWED.items():
        assert round_allows(rnd, action) is (state in states) is allowed[action.value]
        if state in states:
            require_round_allows(rnd, action)
        else:
            with pytest.raises(Conflict) as exc:
                require_round_allows(rnd, action)
            assert exc.value.code == REFUSALS[action][1]


def test_a_refused_nomination_names_the_round_and_its_state() -> None:
    with pytest.raises(Conflict) as exc:
        require_round_allows(Round(name="3차 선정", state=RoundState.EVALUATING), RoundAction.NOMINATE)
    assert exc.value.code == "round_not_nominating"
    assert "3차 선정" in exc.value.message and str(RoundState.EVALUATING.label) in exc.value.message


def _attempt(call: Any) -> str | None:
    """The refusal code when the state refuses the call, else None (other problems do not matter here)."""
    try:
        call()
    except Conflict as exc:
        return exc.code
    except Exception:  # only state refusals are asked about here
        return None
    return None


@pytest.mark.django_db
@pytest.mark.parametrize("state", list(RoundState))
def test_services_refuse_exactly_where_the_table_says(personas: Any, state: RoundState) -> None:
    po = personas.program_office
    rnd = make_selecting_round(acting_user=po, n=2, selected=1, decided=False)
    Round.objects.filter(pk=rnd.pk).update(state=state)
    rnd.refresh_from_db()
    candidacy = make_candidacy(rnd)
    calls = {
        RoundAction.CONFIGURE: lambda: bonus_item_add(round=rnd, name="가점", points=2, acting_user=po),
        RoundAction.SET_QUOTAS: lambda: quotas_set(round=rnd, rows=[], acting_user=po),
        RoundAction.ASSIGN: lambda: assignment_solve(round=rnd, acting_user=po),
        RoundAction.OVERRIDE_ELIGIBILITY: lambda: candidacy_eligibility_override(
            candidacy=candidacy, eligible=False, reason="연체", acting_user=po
        ),
        RoundAction.AGGREGATE: lambda: scores_aggregate(round=rnd, acting_user=po),
        RoundAction.DECIDE: lambda: committee_decision_record(round=rnd, note="의결", acting_user=po),
    }
    for action, call in calls.items():
        refused = _attempt(call) == REFUSALS[action][1]
        assert refused is (state not in ALLOWED[action]), (action, state)


@pytest.mark.django_db
def test_results_page_offers_what_the_state_allows(personas: Any) -> None:
    po = personas.program_office
    rnd = make_selecting_round(acting_user=po, n=2, selected=1, decided=False)
    client = Client()
    client.force_login(po)
    url = f"/rounds/{rnd.pk}/results/"
    page = client.get(url).content.decode()
    for testid in ("aggregate", "select", "decide", "publish"):
        assert f'data-testid="{testid}"' in page, testid
    assert 'name="forced"' in page
    Round.objects.filter(pk=rnd.pk).update(state=RoundState.PUBLISHED)
    page = client.get(url).content.decode()
    for testid in ("aggregate", "select", "decide", "publish"):
        assert f'data-testid="{testid}"' not in page, testid
    assert 'name="forced"' not in page
    # The auditor reads the same page and is offered nothing.
    Round.objects.filter(pk=rnd.pk).update(state=RoundState.SELECTING)
    client.force_login(personas.auditor)
    page = client.get(url).content.decode()
    assert 'data-testid="aggregate"' not in page and 'data-testid="publish"' not in page


_STATE_LITERAL = re.compile(r"""["'](draft|nominating|evaluating|selecting|published|closed)["']""")


def test_no_raw_round_state_string_outside_the_workflow() -> None:
    rounds = SRC / "rounds"
    files = [
        *rounds.glob("services/*.py"),
        rounds / "selectors.py",
        rounds / "pages.py",
        *rounds.glob("views/*.py"),
        rounds / "apis.py",
        rounds / "templatetags" / "rounds.py",
        *(SRC / "templates" / "rounds").glob("*.html"),
    ]
    found = [
        f"{f.relative_to(SRC)}: {m.group(0)}" for f in files for m in _STATE_LITERAL.finditer(f.read_text())
    ]
    assert not found, found
