"""The report PDF is rendered by a real worker process, never in the request."""

import time

import pytest

from notices.fire.models import InspectionRound
from notices.fire.services import round_request_report
from portal.celery import app as celery_app
from tests.portal.test_worker import worker  # noqa: F401 - the real worker fixture

from .helpers import fire_round, record


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_the_report_pdf_is_rendered_by_a_real_worker(fire_world, worker):  # noqa: F811
    process, log = worker
    w = fire_world
    round_ = fire_round(w.centre_a)
    record(round_, w.tenant_a, w.ops_a, fail=1)
    celery_app.conf.task_always_eager = False
    try:
        round_request_report(actor=w.ops_a, round_=round_)
        assert not InspectionRound.objects.get(pk=round_.pk).report_sha256  # queued, not rendered here
    finally:
        celery_app.conf.task_always_eager = True
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        assert process.poll() is None, "worker died: " + (log.seek(0) or log.read())
        round_.refresh_from_db()
        if round_.report_sha256:
            break
        time.sleep(0.3)
    log.seek(0)
    assert round_.report_sha256, "no report from the worker within 90 s; worker log:\n" + log.read()
    with round_.report_pdf.open("rb") as fh:
        assert fh.read(5) == b"%PDF-"
