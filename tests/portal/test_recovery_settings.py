"""Recovery is configured in one place (portal/settings/recovery.py) and
adds up: no sweep takes a running task for a dead one, a killed stamping,
delivery or certificate runs again within 5 minutes, and Redis never hands a
running task's message to a second worker."""

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from notices.tasks import (
    deliver_letter_task,
    notify_deliveries_task,
    receipt_certificate_task,
    stamp_letter_task,
)
from portal.celery import app
from portal.pages.tasks import handbook_render_pdf
from portal.scheduling import Every, beat_schedule

ROOT = Path(__file__).resolve().parents[2]


def _hard_limit(task) -> int:
    return task.time_limit or app.conf.task_time_limit


@pytest.mark.parametrize(("threshold", "tasks"), [
    ("ATRIUM_STAMPING_STUCK_MINUTES", [stamp_letter_task]),
    ("ATRIUM_DELIVERY_STUCK_MINUTES", [deliver_letter_task, notify_deliveries_task]),
    ("ATRIUM_CERTIFICATE_STUCK_MINUTES", [receipt_certificate_task]),
    ("ATRIUM_HANDBOOK_PDF_STUCK_MINUTES", [handbook_render_pdf]),
])
def test_each_threshold_outlasts_the_hard_time_limit_of_the_task_it_watches(threshold, tasks):
    for task in tasks:
        assert getattr(settings, threshold) * 60 >= _hard_limit(task), (threshold, task.name)


@pytest.mark.parametrize("threshold", [
    "ATRIUM_STAMPING_STUCK_MINUTES", "ATRIUM_DELIVERY_STUCK_MINUTES", "ATRIUM_CERTIFICATE_STUCK_MINUTES",
    "ATRIUM_RECEIPTS_ZIP_STUCK_MINUTES",
])
def test_a_killed_stamping_delivery_certificate_or_receipts_zip_is_picked_up_within_5_minutes(threshold):
    assert getattr(settings, threshold) + settings.ATRIUM_RECOVERY_SWEEP_MINUTES <= 5


def test_the_sweeps_run_every_recovery_interval_and_the_deadline_sweep_within_5_minutes():
    every = {task: when.minutes for _name, task, when in beat_schedule() if isinstance(when, Every)}
    assert every["notices.tasks.sweep_stuck_letters"] == settings.ATRIUM_RECOVERY_SWEEP_MINUTES
    assert every["notices.tasks.sweep_stuck_deliveries"] == settings.ATRIUM_RECOVERY_SWEEP_MINUTES
    assert every["tenants.tasks.sweep_request_deadlines"] <= 5


def test_no_task_runs_longer_than_the_brokers_visibility_timeout():
    app.loader.import_default_modules()
    limits = {name: _hard_limit(task) for name, task in app.tasks.items() if not name.startswith("celery.")}
    assert max(limits.values()) <= settings.ATRIUM_LONGEST_TASK_SECONDS < settings.ATRIUM_BROKER_VISIBILITY_TIMEOUT
    assert all(limits.values())  # every task has a hard limit


def test_workers_take_one_message_at_a_time_and_acknowledge_it_after_the_work():
    assert app.conf.worker_prefetch_multiplier == 1
    assert app.conf.task_acks_late and app.conf.task_reject_on_worker_lost


def _settings_with(**env) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "CELERY_BROKER_URL")}
    base.update({"DJANGO_SETTINGS_MODULE": "portal.settings.dev", "ATRIUM_VAR_DIR": str(ROOT / "var" / "test-settings")})
    base.update(env)
    code = ("import django; django.setup(); from portal.celery import app; from django.conf import settings as s; "
            "print(app.conf.broker_transport_options.get('visibility_timeout'), s.ATRIUM_STAMPING_STUCK_MINUTES)")
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=base, capture_output=True, text=True, timeout=120)


def test_redis_gets_the_visibility_timeout_and_thresholds_come_from_the_environment():
    done = _settings_with(CELERY_BROKER_URL="redis://127.0.0.1:6379/13", ATRIUM_STAMPING_STUCK_MINUTES="0.1")
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == [str(settings.ATRIUM_BROKER_VISIBILITY_TIMEOUT), "0.1"]


@pytest.mark.parametrize(("env", "named"), [
    ({"ATRIUM_STAMPING_STUCK_MINUTES": "soon"}, "ATRIUM_STAMPING_STUCK_MINUTES"),
    ({"ATRIUM_CERTIFICATE_STUCK_MINUTES": "0"}, "ATRIUM_CERTIFICATE_STUCK_MINUTES"),
    ({"ATRIUM_BROKER_VISIBILITY_TIMEOUT": "600"}, "ATRIUM_BROKER_VISIBILITY_TIMEOUT"),
])
def test_a_threshold_that_makes_no_sense_stops_start_up_naming_it(env, named, monkeypatch):
    # The checks are recovery.py's own, run as every settings module loads it
    # (base.py star-imports it): run here afresh with the variable set, rather
    # than starting Python and Django for each value.
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ImproperlyConfigured, match=named):
        _load_recovery_settings()
    monkeypatch.undo()
    assert _load_recovery_settings().ATRIUM_STAMPING_STUCK_MINUTES  # the defaults pass


def _load_recovery_settings():
    """portal/settings/recovery.py run again, as a module of its own."""
    spec = importlib.util.spec_from_file_location("portal.settings.recovery_checked",
                                                  ROOT / "portal" / "settings" / "recovery.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
