"""A request without a tenant: a member of the public's board post, shown by
staff, about the centre (4.16). Staff see it everywhere the log is printed,
as "公众留言"; no tenant sees, reopens or rates it; it is never a repeat
complaint; it counts for its centre, and by tier in its own row."""

import csv
import io
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from tenants.feedback.models import BoardSettings
from tenants.feedback.services import board_moderate, board_public_post
from tenants.models import RequestStatus
from tenants.selectors.figures import request_figures
from tenants.selectors.requests import requests_of_tenant_user, requests_visible_to
from tenants.services.deadlines import request_deadlines_sweep
from tenants.services.request_status import request_close, request_rate, request_reopen
from tenants.services.requests import RequestError, request_create, request_reply
from tests.base import logged_in, make_request
from tests.feedback.helpers import officer_for
from tests.notices import pdftotext, squash

pytestmark = pytest.mark.django_db
PUBLIC = "公众留言"


@pytest.fixture
def public_sr(world):
    BoardSettings.objects.create(centre=world.centre_a, public_may_post=True)
    post = board_public_post(centre=world.centre_a, kind="complaint", subject="地下车库照明坏了",
                             body="B2 车库一半的灯不亮。", name="李先生", email="li@example.com")
    post = board_moderate(actor=officer_for(world.centre_a), post=post, show=True)
    assert post.service_request.tenant is None
    return post.service_request


def _url(view, *args):
    return reverse(f"wagtailsnippets_tenants_servicerequest:{view}", args=args)


def test_only_a_board_post_may_have_no_tenant(world):
    with pytest.raises(RequestError):
        request_create(actor=world.ops_a, tenant=None, category="repair", subject="灯", description="灯坏了")
    with pytest.raises(RequestError):  # not from the board: a centre is not enough
        request_create(actor=world.ops_a, tenant=None, centre=world.centre_a, category="repair", subject="灯",
                       description="灯坏了")


def test_staff_see_it_on_the_listing_its_page_and_the_csv_export(world, public_sr):
    client = logged_in(world.ops_a)
    listing = client.get(_url("list")).content.decode()
    assert public_sr.number in listing and PUBLIC in listing
    page = client.get(_url("inspect", public_sr.pk))
    assert page.status_code == 200 and PUBLIC in page.content.decode()
    export = client.get(_url("list"), {"export": "csv"})
    rows = list(csv.reader(io.StringIO(b"".join(export.streaming_content).decode("utf-8-sig"))))
    column = rows[0].index("租户")
    assert [r[column] for r in rows[1:] if r[0] == public_sr.number] == [PUBLIC]


def _record_form(client, world, fmt):
    today = timezone.localdate()
    return client.get(_url("record_form"), {"centre": world.centre_a.pk, "start": str(today - timedelta(days=1)),
                                            "end": str(today), "format": fmt})


def test_the_record_form_prints_it_in_xlsx_and_pdf(world, public_sr):
    make_request(world, subject="商户的请求")
    client = logged_in(world.ops_a)
    ws = load_workbook(io.BytesIO(_record_form(client, world, "xlsx").content)).active
    rows = {r[1]: r for r in ws.iter_rows(min_row=3, values_only=True)}
    assert rows[public_sr.number][3] == PUBLIC and len(rows) == 2
    pdf = _record_form(client, world, "pdf")
    assert pdf.status_code == 200
    text = squash(pdftotext(pdf.content))
    assert PUBLIC in text and "地下车库照明坏了" in text  # (the number wraps in its narrow column)


def test_staff_reply_close_and_reopen_it_but_it_is_never_a_repeat_complaint(world, public_sr):
    client = logged_in(world.ops_a)
    client.post(_url("act", public_sr.pk, "reply"), {"body": "已安排维修。"})
    client.post(_url("act", public_sr.pk, "close"), {"resolution": "灯已修好。"})
    public_sr.refresh_from_db()
    assert public_sr.status == RequestStatus.CLOSED and public_sr.responded_at is not None
    due_before = public_sr.resolution_due
    request_reopen(actor=world.ops_a, service_request=public_sr, reason="又坏了。")
    public_sr.refresh_from_db()
    assert public_sr.reopen_count == 1 and not public_sr.is_repeat_complaint
    assert public_sr.resolution_due > due_before  # its deadline starts again all the same


def test_no_tenant_sees_replies_to_or_rates_it(world, public_sr):
    assert not requests_of_tenant_user(world.signer_a).filter(pk=public_sr.pk).exists()
    assert not requests_visible_to(world.signer_a).filter(pk=public_sr.pk).exists()
    mine = logged_in(world.signer_a)
    assert public_sr.number not in mine.get(reverse("tenants:my_requests")).content.decode()
    assert mine.get(reverse("tenants:my_request", args=[public_sr.pk])).status_code == 404
    with pytest.raises(PermissionDenied):
        request_reply(actor=world.signer_a, service_request=public_sr, body="我也看到了")
    request_close(actor=world.ops_a, service_request=public_sr, resolution="已修好")
    with pytest.raises(PermissionDenied):
        request_rate(actor=world.signer_a, service_request=public_sr, rating=5)
    with pytest.raises(PermissionDenied):
        request_reopen(actor=world.signer_a, service_request=public_sr, reason="没修好")


def test_it_counts_for_its_centre_and_under_no_tier(world, public_sr):
    make_request(world, subject="商户的请求")
    by_centre = request_figures(centres=[world.centre_a], group_by=("centre",))
    assert [r["total"] for r in by_centre] == [2]
    by_tier = {r["tenant__tier"]: r["total"] for r in request_figures(centres=[world.centre_a], group_by=("tier",))}
    assert by_tier == {world.tenant_a.tier: 1, None: 1}


def test_the_dashboard_counts_it_for_the_centre_and_in_its_own_tier_row(world, public_sr):
    from visits.selectors.target_base import NO_TENANT
    from visits.selectors.targets import period_for, request_deadlines

    response, _resolution = request_deadlines([world.centre_a.pk], period_for(timezone.localdate().year))
    page = logged_in(world.manager).get(reverse("visits_dashboard:index"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "无商户（公众留言）" in html and 'data-testid="no-tenant-help"' in html
    # Its deadline is still ahead: nothing decided yet, but the row is there once decided.
    assert sum(t for _m, t in response.by.get("tier", {}).values()) == response.total
    later = timezone.now() + timedelta(days=3)
    from tenants.models import ServiceRequest

    ServiceRequest.objects.filter(pk=public_sr.pk).update(response_due=timezone.now() - timedelta(minutes=1))
    response, _resolution = request_deadlines([world.centre_a.pk], period_for(later.year))
    assert response.by["tier"][NO_TENANT] == (0, 1) and response.by["centre"][world.centre_a.pk] == (0, 1)
    tiers = logged_in(world.manager).get(reverse("visits_dashboard:index")).context["tiers"]["response"]
    assert [r.label for r in tiers][-1] == "无商户（公众留言）"


def test_the_deadline_alert_names_it_a_public_post(world, public_sr, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        request_deadlines_sweep(now=public_sr.response_due - timedelta(hours=1))
    assert mail.outbox and PUBLIC in mail.outbox[-1].body and public_sr.number in mail.outbox[-1].body
