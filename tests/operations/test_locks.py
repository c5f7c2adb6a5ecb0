"""The production image installs requirements.prod.lock (the runtime
dependencies only); developers and CI install requirements.lock (the same
plus the dev extra). Both are made by uv from pyproject.toml: the runtime
lock must pin exactly what the full lock pins, hashes included, and hold
none of the test tools. After regenerating requirements.lock, regenerate it with
`uv pip compile pyproject.toml --generate-hashes --python-version 3.11 -c requirements.lock -o requirements.prod.lock`."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEV_ONLY = {"pytest", "pytest-django", "playwright", "ruff", "moto", "factory-boy", "import-linter", "pytest-xdist"}


def _pins(name: str) -> dict[str, tuple[str, frozenset]]:
    text = (ROOT / name).read_text()
    pins = {}
    for block in re.split(r"\n(?=[a-z0-9])", text):
        found = re.match(r"([A-Za-z0-9_.\-]+)(?:\[[^\]]*\])?==(\S+)", block)
        if found:
            pins[found.group(1).lower()] = (found.group(2), frozenset(re.findall(r"sha256:([0-9a-f]{64})", block)))
    return pins


def test_the_runtime_lock_pins_what_the_full_lock_pins_and_no_test_tools():
    full, runtime = _pins("requirements.lock"), _pins("requirements.prod.lock")
    assert runtime and set(runtime) <= set(full), sorted(set(runtime) - set(full))
    assert {name: pin for name, pin in runtime.items() if full[name] != pin} == {}
    assert set(full) >= DEV_ONLY and not DEV_ONLY & set(runtime)


def test_the_image_installs_the_runtime_lock():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "requirements.prod.lock" in dockerfile and "requirements.lock " not in dockerfile
