import pytest

from tests.reports.world import World, build


@pytest.fixture
def world(reference_data: None) -> World:
    return build()
