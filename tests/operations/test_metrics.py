"""/metrics: Prometheus text for the monitoring host only; Atrium's own
figures read from the database; task durations from Celery's signals."""

from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone

from notices.models import Delivery
from notices.services.sign_codes import sign_code_check, sign_code_send
from tests.notices.delivery import delivery_of, last_code, stamped_letter

pytestmark = pytest.mark.django_db

ATRIUM_METRICS = ("atrium_letters_stamped_total", "atrium_deliveries_awaiting_receipt",
                  "atrium_sign_code_failures_total", "atrium_task_duration_seconds")


def _value(text: str, name: str) -> float:
    line = next(line for line in text.splitlines() if line.startswith(name + " "))
    return float(line.split()[1])


def test_the_local_host_reads_every_metric(client):
    response = client.get("/metrics", REMOTE_ADDR="127.0.0.1")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    text = response.content.decode()
    for name in ATRIUM_METRICS:
        assert f"# TYPE {name.removesuffix('_total')}" in text
    # django-prometheus's request counters, from its middleware.
    assert "django_http_requests_total_by_method_total" in text


def test_a_post_is_refused(client):
    assert client.post("/metrics").status_code == 405
    assert client.post("/health/").status_code == 405


@pytest.mark.parametrize("address", ["10.1.2.3", "2001:db8::1", "not-an-address"])
def test_any_other_address_gets_404(client, address):
    assert client.get("/metrics", REMOTE_ADDR=address).status_code == 404


def test_a_request_through_a_proxy_gets_404_even_from_the_local_host(client):
    response = client.get("/metrics", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert response.status_code == 404


@override_settings(ATRIUM_METRICS_ALLOWED_IPS=["10.0.0.0/8"])
def test_allowed_networks_come_from_the_setting(client):
    assert client.get("/metrics", REMOTE_ADDR="10.1.2.3").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 404
    assert client.get("/metrics", REMOTE_ADDR="::ffff:10.9.9.9").status_code == 200


def test_letter_figures_follow_the_letter_journey(client, world, django_capture_on_commit_callbacks):
    before = client.get("/metrics").content.decode()
    letter = stamped_letter(world, sign_by=timezone.localdate() + timedelta(days=5))
    delivery = delivery_of(letter, world.tenant_a)
    with django_capture_on_commit_callbacks(execute=True):
        sign_code_send(delivery=delivery, user=world.signer_a, channel="email")
    wrong = f"{(int(last_code(world.signer_a.email)) + 1) % 10**6:06d}"
    assert sign_code_check(delivery, world.signer_a, wrong)[0] is False
    after = client.get("/metrics").content.decode()
    unsigned = Delivery.objects.filter(letter=letter).count()
    assert unsigned > 0
    assert _value(after, "atrium_letters_stamped_total") == _value(before, "atrium_letters_stamped_total") + 1
    assert _value(after, "atrium_deliveries_awaiting_receipt") == (
        _value(before, "atrium_deliveries_awaiting_receipt") + unsigned)
    assert _value(after, "atrium_sign_code_failures_total") == _value(before, "atrium_sign_code_failures_total") + 1


def test_a_task_run_is_timed(client):
    from portal.celery import app

    @app.task(name="tests.operations.noop")
    def noop():
        return None

    def count(text):
        prefix = 'atrium_task_duration_seconds_count{state="SUCCESS",task="tests.operations.noop"} '
        return next((float(line.split()[-1]) for line in text.splitlines() if line.startswith(prefix)), 0.0)

    before = count(client.get("/metrics").content.decode())
    noop.delay()
    assert count(client.get("/metrics").content.decode()) == before + 1
