import pytest


@pytest.fixture(autouse=True)
def _own_anchor_file(settings, tmp_path):  # type: ignore[no-untyped-def]
    """Each test anchors into its own file (anchors outlive the flushed test database)."""
    settings.AUDIT_ANCHOR_FILE = tmp_path / "anchors.jsonl"
