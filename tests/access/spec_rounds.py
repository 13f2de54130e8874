"""Role matrix: selection rounds (pages and API).

World: a nominating round, an evaluating round with one MSS candidacy (assigned to the evaluator persona)
and one MOTIE candidacy (assigned to another evaluator), and a published round."""

from __future__ import annotations

from typing import Any

from tests.access.spec import EVERYONE, Case, World

READERS = {"program_office", "ministry_officer", "evaluator", "support_group", "auditor"}
PO = {"program_office"}
OFFICE = {"program_office", "auditor"}
NOMINATIONS = {"program_office", "auditor", "ministry_officer"}
POST_OK = frozenset({302})
API_DENIED = frozenset({401, 404})


def build(world: World) -> None:
    from django.utils import timezone

    from nic1000.rounds.models import EvaluatorProfile, SelectionRun
    from nic1000.rounds.services.publication import round_publish
    from tests.factories import CompanyFactory, UserFactory, body
    from tests.rounds.factories import (
        make_assignment,
        make_candidacy,
        make_evaluator,
        make_round,
        make_selecting_round,
    )

    p = world["personas"]
    po = p.program_office
    world["r_nom"] = make_round(acting_user=po, state="nominating", number=7)
    world["r_nom_company"] = CompanyFactory(name_ko="추천대상기업")
    # Nominations open: one by MSS (the ministry persona's body), one by MOTIE (another body's: 404 for MSS).
    world["r_nom_mss"] = make_candidacy(world["r_nom"], bodies=("MSS",), by=p.ministry_mss).nominations.get()
    world["r_nom_motie"] = make_candidacy(
        world["r_nom"], bodies=("MOTIE",), by=p.ministry_motie
    ).nominations.get()
    rnd = make_round(acting_user=po, state="evaluating", number=8)
    world["r_eval"] = rnd
    c1 = make_candidacy(rnd, bodies=("MSS",), by=p.ministry_mss, score=80.0)
    c2 = make_candidacy(rnd, bodies=("MOTIE",), by=p.ministry_motie, score=70.0)
    world["r_c1"], world["r_c2"] = c1, c2
    e1 = make_evaluator("eval1", user=p.evaluator)
    e2 = make_evaluator("eval2", user=p.evaluator2)
    world["r_a1"] = make_assignment(c1, e1)
    world["r_a2"] = make_assignment(c2, e2)
    world["r_e2"] = e2
    SelectionRun.objects.create(
        round=rnd, run_at=timezone.now(), feasible=True, selected_count=2, objective=150.0
    )
    pub = make_selecting_round(acting_user=po, n=2, selected=1)
    round_publish(round=pub, acting_user=po)
    world["r_pub"] = pub
    world["r_extra_evaluator"] = UserFactory(username="eval_noprofile", role="evaluator")
    member_user = UserFactory(username="mss_committee_member", role="evaluator")
    world["r_mss_member"] = EvaluatorProfile.objects.create(user=member_user, body=body("MSS"))


def _new_brn() -> str:
    from tests.registry.factories import brn

    return brn(777)


def _k(key: str, attr: str = "pk", name: str = "pk"):  # type: ignore[no-untyped-def]
    return lambda w: {name: getattr(w[key], attr)}


def _round(key: str):  # type: ignore[no-untyped-def]
    return _k(key)


def _data(**values: Any):  # type: ignore[no-untyped-def]
    return lambda w: {k: (v(w) if callable(v) else v) for k, v in values.items()}


CASES = [
    Case("rounds:list", READERS),
    Case("rounds:create", PO),
    Case("rounds:program_create", PO),
    Case("rounds:detail", READERS, kwargs=_round("r_eval")),
    Case(
        "rounds:transition",
        PO,
        method="POST",
        kwargs=_round("r_eval"),
        data={"transition": "start_selection", "confirmed": "1"},
        ok=POST_OK,
    ),
    Case(
        "rounds:transition",
        PO,
        method="POST",
        kwargs=_round("r_eval"),
        data={"transition": "start_selection"},
        label="asks first",
    ),
    Case("rounds:settings", PO, kwargs=_round("r_eval")),
    Case(
        "rounds:settings_body_rules",
        PO,
        method="POST",
        kwargs=_round("r_nom"),
        data={"MSS__credit_delinquency": "on"},
        ok=POST_OK,
    ),
    Case(
        "rounds:settings_bonus_item",
        PO,
        method="POST",
        kwargs=_round("r_nom"),
        data={"name": "규제샌드박스 승인", "points": "2"},
        ok=POST_OK,
    ),
    Case("rounds:criteria", PO, kwargs=_round("r_eval")),
    Case("rounds:quotas", PO, kwargs=_round("r_eval")),
    Case("rounds:program_detail", READERS, kwargs=lambda w: {"pk": w["r_eval"].program_id}),
    Case(
        "rounds:program_settings",
        PO,
        method="POST",
        kwargs=lambda w: {"pk": w["r_eval"].program_id},
        data={"target_companies": "1000", "designation_years": "3"},
        ok=POST_OK,
    ),
    Case("rounds:nominate", {"ministry_officer"}, kwargs=_round("r_nom")),
    Case(
        "rounds:nominate",
        {"ministry_officer"},
        method="POST",
        kwargs=_round("r_nom"),
        data=_data(brn=lambda w: w["r_nom_company"].brn, reason="기술 혁신성", evidence="https://example.kr"),
        ok=POST_OK,
        label="submit",
    ),
    Case(
        "rounds:nominate",
        {"ministry_officer"},
        method="POST",
        kwargs=_round("r_nom"),
        data=_data(
            source="new",
            brn=lambda w: _new_brn(),
            name_ko="신규등록추천기업",
            ksic="26112",
            region="11",
            founded_on="2019-03-01",
            employees="20",
            is_sme="on",
            reason="신규 등록 후 추천",
        ),
        ok=POST_OK,
        label="register a new company",
    ),
    Case(
        "rounds:eligibility_check",
        {"ministry_officer", "program_office"},
        kwargs=_round("r_nom"),
        query=lambda w: f"brn={w['r_nom_company'].brn}",
    ),
    Case("rounds:nominations", NOMINATIONS, kwargs=_round("r_eval")),
    Case("rounds:candidacies", NOMINATIONS, kwargs=_round("r_eval")),
    Case("rounds:assignments", OFFICE, kwargs=_round("r_eval")),
    Case("rounds:assignment_solve", PO, method="POST", kwargs=_round("r_eval"), ok=POST_OK),
    Case(
        "rounds:assignment_change",
        PO,
        method="POST",
        kwargs=_round("r_eval"),
        data=_data(
            candidacy=lambda w: w["r_c1"].pk, add_evaluator=lambda w: w["r_e2"].pk, reason="전문성 보강"
        ),
        ok=POST_OK,
    ),
    Case("rounds:review_status", OFFICE, kwargs=_round("r_eval")),
    Case("rounds:review_remind", PO, method="POST", kwargs=_round("r_eval"), label="asks first"),
    Case(
        "rounds:review_remind",
        PO,
        method="POST",
        kwargs=_round("r_eval"),
        data={"confirmed": "1"},
        ok=POST_OK,
    ),
    # A nomination: its body's officer and the programme office change it; another body's is a 404.
    Case("rounds:nomination_edit", {"ministry_officer", "program_office"}, kwargs=_k("r_nom_mss")),
    Case("rounds:nomination_edit", PO, kwargs=_k("r_nom_motie"), label="another body's"),
    Case(
        "rounds:nomination_edit",
        {"ministry_officer", "program_office"},
        method="POST",
        kwargs=_k("r_nom_mss"),
        data={"reason": "보완한 추천 사유", "evidence": ""},
        ok=POST_OK,
        label="save",
    ),
    Case(
        "rounds:nomination_withdraw",
        {"ministry_officer", "program_office"},
        method="POST",
        kwargs=_k("r_nom_mss"),
        label="asks first",
    ),
    Case(
        "rounds:nomination_withdraw",
        {"ministry_officer", "program_office"},
        method="POST",
        kwargs=_k("r_nom_mss"),
        data={"confirmed": "1"},
        ok=POST_OK,
    ),
    Case(
        "rounds:nomination_withdraw",
        PO,
        method="POST",
        kwargs=_k("r_nom_motie"),
        data={"confirmed": "1"},
        ok=POST_OK,
        label="another body's",
    ),
    Case("rounds:results", OFFICE, kwargs=_round("r_eval")),
    # evaluator effects (leniency): the programme office only; evaluators (and everyone else) never see them
    Case("rounds:evaluator_effects", PO, kwargs=_round("r_eval")),
    Case("rounds:aggregate", PO, method="POST", kwargs=_round("r_eval"), ok=POST_OK),
    Case("rounds:select", PO, method="POST", kwargs=_round("r_eval"), ok=POST_OK),
    Case("rounds:decide", PO, method="POST", kwargs=_round("r_eval"), data={"note": "의결"}, ok=POST_OK),
    Case(
        "rounds:decision_withdraw",
        PO,
        method="POST",
        kwargs=_round("r_eval"),
        data={"reason": "재심의"},
        ok=POST_OK,
    ),
    Case("rounds:publish", PO, method="POST", kwargs=_round("r_eval"), data={"confirmed": "1"}, ok=POST_OK),
    # The MSS candidacy: its nominating body's officer and its evaluator see it; the MOTIE one they do not.
    Case("rounds:candidacy", OFFICE | {"ministry_officer", "evaluator"}, kwargs=_k("r_c1")),
    Case("rounds:candidacy", OFFICE, kwargs=_k("r_c2"), label="other body, other evaluator"),
    Case(
        "rounds:candidacy_override",
        PO,
        method="POST",
        kwargs=_k("r_c1"),
        data={"eligible": "0", "reason": "연체"},
        ok=POST_OK,
    ),
    Case(
        "rounds:force",
        PO,
        method="POST",
        kwargs=_k("r_c1"),
        data={"forced": "in", "reason": "위원회", "confirmed": "1"},
        ok=POST_OK,
    ),
    Case("rounds:evaluators", OFFICE),
    Case("rounds:evaluator_edit", PO, kwargs=lambda w: {"user_pk": w["r_extra_evaluator"].pk}),
    Case(
        "rounds:evaluator_relationship",
        PO,
        method="POST",
        kwargs=lambda w: {"user_pk": w["r_e2"].user_id},
        data=_data(brn=lambda w: w["r_nom_company"].brn, kind="advisory"),
        ok=POST_OK,
    ),
    Case("rounds:my_profile", {"evaluator"}),
    Case(
        "rounds:my_relationship",
        {"evaluator"},
        method="POST",
        data=_data(brn=lambda w: w["r_nom_company"].brn, kind="shareholding"),
        ok=POST_OK,
    ),
    Case("rounds:my_assignments", {"evaluator"}),
    Case("rounds:review", {"evaluator"}, kwargs=_k("r_a1")),
    Case("rounds:review", set(), kwargs=_k("r_a2"), label="another evaluator's assignment"),
    Case(
        "rounds:review_open",
        {"evaluator"},
        method="POST",
        kwargs=_k("r_a1"),
        data={"no_conflict": "on"},
        ok=POST_OK,
    ),
    Case(
        "rounds:review_open",
        set(),
        method="POST",
        kwargs=_k("r_a2"),
        data={"no_conflict": "on"},
        label="another evaluator's assignment",
    ),
    Case(
        "rounds:conflict_declare",
        {"evaluator"},
        method="POST",
        kwargs=_k("r_a1"),
        data={"reason": "전 직장"},
        ok=POST_OK,
    ),
    Case("rounds:public_list", EVERYONE),
    Case("rounds:public_selection", EVERYONE, kwargs=_round("r_pub")),
    Case(
        "rounds:public_selection",
        set(),
        kwargs=_round("r_eval"),
        label="not published",
        denied=frozenset({404}),
    ),
    Case("rounds:public_selection_xlsx", EVERYONE, kwargs=_round("r_pub")),
    Case("api:round_published_list", EVERYONE),
    Case("api:round_selections", EVERYONE, kwargs=lambda w: {"round_id": w["r_pub"].pk}),
    Case(
        "api:round_selections",
        set(),
        kwargs=lambda w: {"round_id": w["r_eval"].pk},
        label="not published",
        denied=frozenset({404}),
    ),
    Case("api:round_selection_run", OFFICE, kwargs=lambda w: {"round_id": w["r_eval"].pk}, denied=API_DENIED),
    Case(
        "api:round_selection_run_create",
        PO,
        method="POST",
        json=True,
        kwargs=lambda w: {"round_id": w["r_eval"].pk},
        denied=API_DENIED,
    ),
]


# --- body-run committees (issue 15, point 1) ---------------------------------------------------------------
def _committee(code: str) -> Any:
    return lambda w: {"pk": w["r_eval"].pk, "code": code}


CASES += [
    Case("rounds:committees", {"program_office", "auditor"}, kwargs=lambda w: {"pk": w["r_eval"].pk}),
    Case(
        "rounds:committee_evaluation",
        {"program_office"},
        kwargs=lambda w: {"pk": w["r_eval"].pk},
        method="POST",
        data={"body": "MSS", "evaluation": "body"},
        ok=frozenset({302}),
    ),
    Case("rounds:committee", {"program_office", "auditor", "ministry_officer"}, kwargs=_committee("MSS")),
    Case("rounds:committee", {"program_office", "auditor"}, kwargs=_committee("MOTIE"), label="other body"),
    Case(
        "rounds:committee_member_add",
        {"program_office", "ministry_officer"},
        kwargs=_committee("MSS"),
        method="POST",
        data={},
        ok=frozenset({422}),
    ),
    Case(
        "rounds:committee_member_active",
        {"program_office", "ministry_officer"},
        kwargs=lambda w: {"pk": w["r_eval"].pk, "code": "MSS", "member": w["r_mss_member"].pk},
        method="POST",
        data={},
        ok=frozenset({302}),
    ),
    Case(
        "rounds:committee_member_link",
        {"program_office", "ministry_officer"},
        kwargs=lambda w: {"pk": w["r_eval"].pk, "code": "MSS", "member": w["r_mss_member"].pk},
        method="POST",
        data={},
        ok=frozenset({302}),
    ),
    Case(
        "rounds:committee_solve",
        {"program_office", "ministry_officer"},
        kwargs=_committee("MSS"),
        method="POST",
        data={},
    ),
    Case(
        "rounds:committee_decide",
        {"program_office", "ministry_officer"},
        kwargs=_committee("MSS"),
        method="POST",
        data={"note": ""},
    ),
]
