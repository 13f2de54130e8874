"""Role matrix: each user's notification settings, and the programme office's outbox of e-mails."""

from tests.access.spec import SIGNED_IN, Case

CASES = [
    Case("activity:notification_settings", SIGNED_IN),
    Case(
        "activity:notification_settings",
        SIGNED_IN,
        method="POST",
        data={"language": "ko", "in_app": ["inspection"], "email": []},
        ok=frozenset({302}),
        label="save",
    ),
    Case("activity:outbox", {"program_office"}),
    # Nothing has failed: the office is told so and sent back to the outbox.
    Case("activity:outbox_retry", {"program_office"}, method="POST", ok=frozenset({302})),
]
