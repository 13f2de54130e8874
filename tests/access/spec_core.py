"""Role matrix: home, notifications, accounts, audit."""

from tests.access.spec import EVERYONE, SIGNED_IN, Case

CASES = [
    Case("core:notifications", SIGNED_IN),
    # Another user's notification is not found (the persona has none with this id).
    Case("core:notification_read", set(), method="POST", kwargs={"pk": 999999}),
    Case("accounts:login", EVERYONE),
    Case("accounts:login_otp", EVERYONE, ok=frozenset({302})),  # no pending login: back to the login form
    Case("accounts:logout", EVERYONE, method="POST", ok=frozenset({302})),
    Case(
        "accounts:twofactor",
        {
            "program_office",
            "ministry_officer",
            "evaluator",
            "institution_officer",
            "support_group",
            "auditor",
        },
    ),
    Case("accounts:program_settings", {"program_office"}),
    Case(
        "accounts:second_factor_reset",
        {"program_office"},
        method="POST",
        data=lambda w: {"username": w["personas"].evaluator.username, "confirmed": "1"},
        ok=frozenset({302}),
    ),
    # Passwords: anyone may ask for a reset link (the answer never says whether the address is known); only a
    # signed-in user changes their own.
    Case("accounts:password_change", SIGNED_IN),
    Case("accounts:password_change_done", SIGNED_IN),
    Case("accounts:password_reset", EVERYONE),
    Case(
        "accounts:password_reset",
        EVERYONE,
        method="POST",
        data={"email": "x@example.org"},
        ok=frozenset({302}),
        label="request",
    ),
    Case("accounts:password_reset_done", EVERYONE),
    # A made-up link: the page says it is not valid (200) for everyone.
    Case("accounts:password_reset_confirm", EVERYONE, kwargs={"uidb64": "MQ", "token": "set-password"}),
    Case("accounts:password_reset_complete", EVERYONE),
    Case("audit:list", {"program_office", "auditor"}),
    Case("audit:verify", {"program_office", "auditor"}),
    Case("audit:verify", {"program_office", "auditor"}, method="POST", ok=frozenset({302}), label="run"),
]

API_CASES = [
    Case("api:openapi-json", EVERYONE),
    Case("api:openapi-view", EVERYONE),
    # The API's root is only a prefix: nothing is served there.
    Case("api:api-root", set(), denied=frozenset({404})),
]
CASES += API_CASES
