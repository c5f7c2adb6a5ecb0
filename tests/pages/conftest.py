from tests.fixtures.shared_world import on_world

from .site import build_site

# Built once for the tests around one that uses it (tests/fixtures/shared_world.py).
site = on_world("site", build_site)
