import pytest

from tests.finance.factories import ensure_products


@pytest.fixture
def products(reference_data: None) -> None:
    ensure_products()
