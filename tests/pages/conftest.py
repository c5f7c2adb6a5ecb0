import pytest

from .site import build_site


@pytest.fixture
def site(world):
    return build_site(world)
