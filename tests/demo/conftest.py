from pathlib import Path
from typing import Any

import pytest

from tests.finance.factories import ensure_products


@pytest.fixture
def products(reference_data: None) -> None:
    ensure_products()


@pytest.fixture(autouse=True)
def _logins_file_in_tmp(settings: Any, tmp_path: Path) -> None:
    """`nic1000 demo` writes its logins file into the data directory: a temporary one in tests."""
    settings.DATA_DIR = tmp_path
