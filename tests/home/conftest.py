import pytest


@pytest.fixture(autouse=True)
def _own_anchor_file(settings, tmp_path):  # type: ignore[no-untyped-def]
    """Verifying the chain reads the anchor file: each test its own (anchors outlive the test database)."""
    settings.AUDIT_ANCHOR_FILE = tmp_path / "anchors.jsonl"
