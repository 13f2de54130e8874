"""Role matrix: home, notifications, accounts, audit."""

from tests.access.spec import EVERYONE, SIGNED_IN, Case

CASES = [
    Case("core:home", EVERYONE),
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
    Case("audit:list", {"program_office", "auditor"}),
]

API_CASES = [
    Case("api:openapi-json", EVERYONE),
    Case("api:openapi-view", EVERYONE),
    # The API's root is only a prefix: nothing is served there.
    Case("api:api-root", set(), denied=frozenset({404})),
]
CASES += API_CASES
