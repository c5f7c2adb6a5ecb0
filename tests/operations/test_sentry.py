"""Sentry only when SENTRY_DSN is set, with the Django and Celery integrations
and no personal data."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PROBE = (
    "import django; django.setup(); import sentry_sdk; c = sentry_sdk.get_client(); "
    "print(c.is_active(), sorted(i for i in c.integrations if i in ('django', 'celery')), "
    "c.options.get('send_default_pii'))"
)


def _probe(tmp_path, dsn: str | None) -> str:
    env = {k: v for k, v in os.environ.items() if k != "SENTRY_DSN"}
    env.update(DJANGO_SETTINGS_MODULE="portal.settings.test", ATRIUM_VAR_DIR=str(tmp_path))
    if dsn:
        env["SENTRY_DSN"] = dsn
    done = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_sentry_is_off_without_a_dsn(tmp_path):
    assert _probe(tmp_path, None).startswith("False")


def test_a_dsn_turns_on_sentry_for_django_and_celery_without_personal_data(tmp_path):
    # A port nothing listens on: nothing is sent during the probe anyway.
    assert _probe(tmp_path, "http://public@127.0.0.1:9/1") == "True ['celery', 'django'] False"
