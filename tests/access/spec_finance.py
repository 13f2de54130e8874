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
    from django.core.files.uploadedfile import SimpleUploadedFile

    from nic1000.finance.documents import document_attach

    pdf = b"%PDF-1.4\n%%EOF\n"
    world["fin_doc_a"] = document_attach(
        application=world["fin_app_a"], acting_user=p.company_a, upload=SimpleUploadedFile("a.pdf", pdf)
    )
    world["fin_doc_b"] = document_attach(
        application=world["fin_app_b"], acting_user=p.company_b, upload=SimpleUploadedFile("b.pdf", pdf)
    )


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
    Case(
        "finance:application_action",
        {"institution_officer"},
        method="POST",
        kwargs=_pk("fin_app_a"),
        data=_action("decline", **{"decline-reason": "x"}),
        label="decline asks first",
        # The company may post to the page but may not decline: the service refuses it (403).
        denied=frozenset({302, 403, 404}),
    ),
    Case(
        "finance:application_action",
        {"institution_officer"},
        method="POST",
        kwargs=_pk("fin_app_a"),
        data=_action("decline", **{"decline-reason": "x", "confirmed": "1"}),
        ok=frozenset({302}),
        label="decline confirmed",
    ),
    # Documents: the company attaches (the matrix posts no file: the form says so, 422), those who see the
    # application download, the company removes (asked first, then done).
    Case(
        "finance:document_upload",
        {"company"},
        method="POST",
        kwargs=_pk("fin_app_a"),
        data={},
        ok=frozenset({422}),
    ),
    Case(
        "finance:document_upload",
        set(),
        method="POST",
        kwargs=_pk("fin_app_b"),
        data={},
        label="other company",
    ),
    Case("finance:document_download", SEES, kwargs=_pk("fin_doc_a")),
    Case("finance:document_download", PROGRAM, kwargs=_pk("fin_doc_b"), label="other company and bank"),
    Case("finance:document_remove", {"company"}, method="POST", kwargs=_pk("fin_doc_a"), label="asks first"),
    Case(
        "finance:document_remove",
        {"company"},
        method="POST",
        kwargs=_pk("fin_doc_a"),
        data={"confirmed": "1"},
        ok=frozenset({302}),
        label="confirmed",
    ),
    Case(
        "finance:document_remove",
        set(),
        method="POST",
        kwargs=_pk("fin_doc_b"),
        data={"confirmed": "1"},
        label="other company",
    ),
    Case("finance:book", {"institution_officer"}),
    Case("finance:book", {"institution_officer"}, query="format=xlsx", label="xlsx"),
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
