"""Role matrix: policy finance pages and the institutions' API (token-only: every session role gets 401)."""

from __future__ import annotations

from tests.access.spec import EVERYONE, Case, World

PROGRAM = {"program_office", "auditor", "support_group"}
SEES = {*PROGRAM, "institution_officer", "company"}


def build(world: World) -> None:
    from tests.finance.factories import ensure_products, make_application, make_token, select

    ensure_products()
    p = world["personas"]
    select(p.company_a_obj)
    select(p.company_b_obj)
    world["fin_app_a"] = make_application(p.company_a_obj, code="KDB-OPER")  # company_a's, routed to KDB
    world["fin_app_b"] = make_application(p.company_b_obj, code="IBK-OPER")  # another company, another bank
    world["fin_token"], world["fin_secret"] = make_token("KDB")


def _pk(key: str):  # type: ignore[no-untyped-def]
    return lambda w: {"pk": w[key].pk}


def _action(name: str, **extra: str):  # type: ignore[no-untyped-def]
    return lambda w: {"action": name, **extra}


CASES = [
    Case("finance:products", EVERYONE),
    Case("finance:terms", {"company"}),
    Case("finance:apply", {"company"}),
    Case(
        "finance:apply",
        {"company"},
        method="POST",
        data={"channel": "center", "purpose": "operating", "amount": "1000000000", "product": ""},
        label="center",
        ok=frozenset({302}),
    ),
    Case("finance:application_list", SEES),
    Case("finance:application_detail", SEES, kwargs=_pk("fin_app_a")),
    Case("finance:application_detail", PROGRAM, kwargs=_pk("fin_app_b"), label="other company and bank"),
    Case(
        "finance:application_action",
        {"institution_officer"},
        method="POST",
        kwargs=_pk("fin_app_a"),
        data=_action("start_review"),
        ok=frozenset({302}),
        label="start review",
    ),
    Case(
        "finance:application_action",
        {"company"},
        method="POST",
        kwargs=_pk("fin_app_a"),
        data=_action("withdraw"),
        ok=frozenset({302}),
        label="withdraw",
    ),
    Case(
        "finance:application_action",
        set(),
        method="POST",
        kwargs=_pk("fin_app_b"),
        data=_action("start_review"),
        label="other bank",
    ),
    Case("finance:dashboard", PROGRAM),
    Case("finance:export", PROGRAM),
    Case(
        "finance:company_exposure", PROGRAM, kwargs=lambda w: {"company_id": w["personas"].company_a_obj.pk}
    ),
    Case("finance:tokens", {"program_office"}),
    Case(
        "finance:tokens",
        {"program_office"},
        method="POST",
        data=lambda w: {"institution": w["fin_token"].institution_id, "name": "IBK core"},
        label="create",
    ),
    Case(
        "finance:token_revoke",
        {"program_office"},
        method="POST",
        kwargs=_pk("fin_token"),
        ok=frozenset({302}),
    ),
]

# The institutions' API takes tokens only: no session role (nor the public) gets in.
_API = frozenset({401})
_APP = lambda w: {"application_id": w["fin_app_a"].pk}  # noqa: E731
_KEY = lambda w, role: {"Idempotency-Key": f"matrix-{role}"}  # noqa: E731
CASES += [
    Case("api:finance_selected_companies", set(), denied=_API),
    Case("api:finance_applications", set(), denied=_API),
    Case("api:finance_application", set(), kwargs=_APP, denied=_API),
    Case(
        "api:finance_application_decide",
        set(),
        kwargs=_APP,
        method="POST",
        json=True,
        data={"decision": "start_review"},
        headers=_KEY,
        denied=_API,
    ),
    Case(
        "api:finance_application_disburse",
        set(),
        kwargs=_APP,
        method="POST",
        json=True,
        data={"amount": 1, "on": "2021-06-01"},
        headers=_KEY,
        denied=_API,
    ),
    Case(
        "api:finance_application_repay",
        set(),
        kwargs=_APP,
        method="POST",
        json=True,
        data={"amount": 1, "on": "2021-06-01"},
        headers=_KEY,
        denied=_API,
    ),
]
