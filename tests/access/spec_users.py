"""Role matrix: user administration and invitations (accounts.people).

World: a company nominated by MSS (the ministry persona's body) and one nobody nominated, an open invitation
for each, a deactivated user, and the token of an open invitation (the accept page is public: the link is the
credential)."""

from __future__ import annotations

from tests.access.spec import EVERYONE, Case, World

PO = {"program_office"}
INVITERS = {"program_office", "ministry_officer"}
POST_OK = frozenset({302})


def build(world: World) -> None:
    from nic1000.accounts.services.invitations import invitation_create
    from tests.factories import CompanyFactory, UserFactory
    from tests.rounds.factories import make_candidacy, make_round

    p = world["personas"]
    po = p.program_office
    rnd = make_round(acting_user=po, state="nominating", number=9)
    nominated = CompanyFactory(name_ko="초대대상기업")
    make_candidacy(rnd, company=nominated, bodies=("MSS",), by=p.ministry_mss)
    other = CompanyFactory(name_ko="추천안된기업")
    world["u_nominated"], world["u_other"] = nominated, other
    world["u_inv"] = invitation_create(
        email="rep@nominated.example", role="company", company=nominated, acting_user=po, send_email=False
    ).invitation
    world["u_inv_other"] = invitation_create(
        email="rep@other.example", role="company", company=other, acting_user=po, send_email=False
    ).invitation
    world["u_token"] = invitation_create(
        email="new.evaluator@example.org", role="evaluator", acting_user=po, send_email=False
    ).token
    world["u_inactive"] = UserFactory(username="gone", role="auditor", is_active=False)


def _pk(key: str, name: str = "pk"):  # type: ignore[no-untyped-def]
    return lambda w: {name: w[key].pk}


def _evaluator(w: World) -> dict[str, int]:
    return {"pk": w["personas"].evaluator.pk}


CASES = [
    Case("accounts:users", PO),
    Case(
        "accounts:users",
        PO,
        query="role=company&active=yes&binding=body:MSS&q=rep&sort=role",
        label="filtered",
    ),
    Case("accounts:user_detail", PO, kwargs=_evaluator),
    Case(
        "accounts:user_deactivate", PO, method="POST", kwargs=_evaluator, data={"confirmed": "1"}, ok=POST_OK
    ),
    Case("accounts:user_reactivate", PO, method="POST", kwargs=_pk("u_inactive"), ok=POST_OK),
    Case(
        "accounts:user_role_change",
        PO,
        method="POST",
        kwargs=_evaluator,
        data={"role": "auditor", "confirmed": "1"},
        ok=POST_OK,
    ),
    Case(
        "accounts:user_second_factor_reset",
        PO,
        method="POST",
        kwargs=_evaluator,
        data={"confirmed": "1"},
        ok=POST_OK,
    ),
    Case("accounts:invite", PO),
    Case(
        "accounts:invite",
        PO,
        method="POST",
        data={"email": "someone@example.org", "role": "support_group"},
        ok=POST_OK,
        label="send",
    ),
    # A ministry officer invites representatives of the companies its body nominated, and of no other.
    Case("accounts:invite_company", INVITERS, kwargs=_pk("u_nominated", "company_pk")),
    Case("accounts:invite_company", PO, kwargs=_pk("u_other", "company_pk"), label="not nominated"),
    Case(
        "accounts:invite_company",
        INVITERS,
        method="POST",
        kwargs=_pk("u_nominated", "company_pk"),
        data={"email": "ceo@nominated.example"},
        ok=POST_OK,
        label="send",
    ),
    Case("accounts:invitation_resend", INVITERS, method="POST", kwargs=_pk("u_inv"), ok=POST_OK),
    Case(
        "accounts:invitation_resend", PO, method="POST", kwargs=_pk("u_inv_other"), ok=POST_OK, label="other"
    ),
    Case("accounts:invitation_revoke", INVITERS, method="POST", kwargs=_pk("u_inv"), ok=POST_OK),
    Case(
        "accounts:invitation_revoke", PO, method="POST", kwargs=_pk("u_inv_other"), ok=POST_OK, label="other"
    ),
    # The link is the credential: anyone holding it sees the page; a made-up link is refused for everyone.
    Case("accounts:invitation_accept", EVERYONE, kwargs=lambda w: {"token": w["u_token"]}),
    Case(
        "accounts:invitation_accept",
        set(),
        kwargs={"token": "not-a-real-token"},
        denied=frozenset({410}),
        label="unknown link",
    ),
]
