"""The report PDF is rendered by a real worker process, never in the request."""

import pytest

from notices.fire.models import InspectionRound
from notices.fire.services.rounds import round_request_report
from tests.fixtures.worker import tasks_to_the_broker

from .helpers import fire_round, record


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_the_report_pdf_is_rendered_by_a_real_worker(fire_world, worker):
    w = fire_world
    round_ = fire_round(w.centre_a)
    record(round_, w.tenant_a, w.ops_a, fail=1)
    with tasks_to_the_broker():
        round_request_report(actor=w.ops_a, round_=round_)
        assert not InspectionRound.objects.get(pk=round_.pk).report_sha256  # queued, not rendered here

    def report_made():
        round_.refresh_from_db()
        return round_.report_sha256

    worker.wait_for(report_made, timeout=90, what="the report PDF")
    assert round_.report_sha256, "no report from the worker within 90 s; worker log:\n" + worker.log()
    with round_.report_pdf.open("rb") as fh:
        assert fh.read(5) == b"%PDF-"
