"""Settings come from the environment and fail loudly."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.fixtures.database import migrated_sqlite_copy

ROOT = Path(__file__).resolve().parents[2]
_NOT_INHERITED = ("DATABASE_URL", "CELERY_BROKER_URL", "SECRET_KEY", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE")
GOOD_SECRET = "k7#Qz!v9@Lm2$Rt5^Wp8&Yx1*Bn4(Cd6)Fg3_Hj0+Ks9-Ue2=Ow7"


def _manage(*args, **env):
    base = {k: v for k, v in os.environ.items() if k not in _NOT_INHERITED}
    base.update({"ATRIUM_VAR_DIR": str(ROOT / "var" / "test-settings")})
    base.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=base, capture_output=True, text=True, timeout=600
    )


def _production(**overrides):
    env = {
        "DJANGO_SETTINGS_MODULE": "portal.settings.production",
        "SECRET_KEY": GOOD_SECRET,
        "ALLOWED_HOSTS": "portal.example.cn",
        "WAGTAILADMIN_BASE_URL": "https://portal.example.cn",
        "ATRIUM_AUDIT_KEY": "a-separate-evidence-key-" + "0123456789abcdef" * 2,
    }
    env.update(overrides)
    return {k: v for k, v in env.items() if v is not None}


@pytest.mark.parametrize(
    ("overrides", "named"),
    [
        ({"SECRET_KEY": None}, "SECRET_KEY"),
        ({"SECRET_KEY": "short"}, "SECRET_KEY"),
        ({"ALLOWED_HOSTS": None}, "ALLOWED_HOSTS"),
        ({"DATABASE_URL": "mysql://nope"}, "DATABASE_URL"),
        ({"DATABASE_URL": "not a url"}, "DATABASE_URL"),
        ({"CELERY_BROKER_URL": "kafka://x"}, "CELERY_BROKER_URL"),
        ({"EMAIL_USE_TLS": "perhaps"}, "EMAIL_USE_TLS"),
        ({"EMAIL_PORT": "smtp"}, "EMAIL_PORT"),
        ({"EMAIL_BACKEND": "pigeon"}, "EMAIL_BACKEND"),
        ({"ATRIUM_BACKUP_AT": "25:99"}, "ATRIUM_BACKUP_AT"),
    ],
)
def test_a_missing_or_malformed_variable_stops_start_up_naming_it(overrides, named):
    result = _manage("check", **_production(**overrides))
    assert result.returncode != 0
    assert named in result.stderr
    assert "Traceback" not in result.stderr.splitlines()[-1]


def test_production_settings_pass_the_deploy_check_with_no_finding():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", **_production())
    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


def test_production_sends_the_security_headers(tmp_path):
    # The database is a copy of the suite's migrated template (running every
    # migration again here took minutes); static files are collected in the
    # same process that then serves the page, as a deploy does before start.
    database = migrated_sqlite_copy(tmp_path / "atrium.sqlite3")
    code = (
        "from django.core.management import call_command;"
        "call_command('collectstatic', interactive=False, verbosity=0);"
        "from django.test import Client;"
        "r = Client().get('/', secure=True, HTTP_HOST='portal.example.cn');"
        "print(r.status_code, r['Strict-Transport-Security'], r['X-Frame-Options'], r['Referrer-Policy'],"
        " r['Content-Security-Policy'], sep='|')"
    )
    out = _manage("shell", "-c", code, **_production(DATABASE_URL=f"sqlite:///{database}"))
    assert out.returncode == 0, out.stderr
    status, hsts, xfo, referrer, csp = out.stdout.strip().splitlines()[-1].split("|")
    assert status == "200"
    assert "max-age=31536000" in hsts and "includeSubDomains" in hsts
    assert xfo == "DENY" and referrer == "same-origin"
    assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp
