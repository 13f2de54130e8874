from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest


@pytest.fixture(autouse=True)
def appeal_files(settings: Any, tmp_path: Path) -> Path:
    """Appeal documents go to a temporary directory."""
    settings.APPEALS_FILES_DIR = tmp_path / "appeals"
    return settings.APPEALS_FILES_DIR
