import pytest
from django.test import Client

from .letters import make_template


@pytest.fixture
def drafter(world):
    """Centre A's drafter in the admin, their centre's letter template set
    up (the letter form needs one)."""
    make_template(world.centre_a)
    client = Client()
    client.force_login(world.drafter_a)
    return client
