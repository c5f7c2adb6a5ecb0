"""The request record form exports as XLSX and PDF for a chosen period."""

import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from portal.models import AuditEvent
from tests.base import ANONYMOUS, assert_access, make_request

pytestmark = pytest.mark.django_db
URL = "wagtailsnippets_tenants_servicerequest:record_form"


def _params(world, fmt="xlsx", **extra):
    today = timezone.localdate()
    return {"centre": world.centre_a.pk, "start": str(today - timedelta(days=7)), "end": str(today), "format": fmt, **extra}


def test_the_xlsx_lists_the_periods_requests_and_escapes_formulae(client, world):
    make_request(world, subject="=HYPERLINK(\"http://evil\")", description="+cmd|' /C calc'!A0")
    make_request(world, tenant=world.tenant_b, subject="B的请求")
    client.force_login(world.ops_a)
    response = client.get(reverse(URL), _params(world))
    assert response.status_code == 200 and response["Content-Disposition"].endswith('.xlsx"')
    ws = load_workbook(io.BytesIO(response.content)).active
    values = [c.value for row in ws.iter_rows() for c in row if c.value is not None]
    assert not any(isinstance(v, str) and v.startswith(("=", "+")) for v in values)
    assert not any("B的请求" in str(v) for v in values)
    assert ws.max_row == 3  # title, header, one request
    assert AuditEvent.objects.filter(action="request.record_exported").exists()


def test_the_pdf_is_a_pdf(client, world):
    make_request(world, subject="空调")
    client.force_login(world.ops_a)
    response = client.get(reverse(URL), _params(world, "pdf"))
    assert response.status_code == 200 and response.content.startswith(b"%PDF-")


def test_another_centre_or_a_bad_period_is_refused(client, world):
    client.force_login(world.ops_a)
    assert client.get(reverse(URL), _params(world, centre=world.centre_b.pk)).status_code == 400
    today = timezone.localdate()
    assert client.get(reverse(URL), _params(world, start=str(today), end=str(today - timedelta(days=1)))).status_code == 400
    assert client.get(reverse(URL), _params(world, start="not-a-date")).status_code == 400


def test_the_record_form_page_refuses_outsiders(world):
    assert_access(reverse(URL), allowed=[world.ops_a, world.manager], refused=[world.signer_a, world.editor_a, ANONYMOUS])
