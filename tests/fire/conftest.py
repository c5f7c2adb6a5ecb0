import pytest

from tests.notices.letters import make_template


@pytest.fixture
def fire_world(world):
    make_template(world.centre_a)
    make_template(world.centre_b)
    return world
