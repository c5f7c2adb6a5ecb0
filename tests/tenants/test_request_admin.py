"""The request log in the Wagtail admin: scoped to the centre, every change
through the services, URL guessing answered with 404."""

import pytest
from django.urls import reverse

from portal.models import AuditEvent
from tenants.models import RequestEntry, RequestStatus, ServiceRequest
from tests.base import ANONYMOUS, assert_access, make_request, png_upload

pytestmark = pytest.mark.django_db


def _url(view, *args):
    return reverse(f"wagtailsnippets_tenants_servicerequest:{view}", args=args)


def test_the_listing_shows_only_the_centres_requests(client, world):
    mine = make_request(world, subject="A的请求")
    other = make_request(world, tenant=world.tenant_b, subject="B的请求")
    client.force_login(world.ops_a)
    content = client.get(_url("list")).content.decode()
    assert mine.number in content and other.number not in content
    client.force_login(world.manager)
    content = client.get(_url("list")).content.decode()
    assert mine.number in content and other.number in content


def test_the_listing_refuses_tenants_editors_and_visitors(world):
    assert_access(_url("list"), allowed=[world.ops_a, world.manager, world.drafter_a],
                  refused=[world.signer_a, world.editor_a, ANONYMOUS])


def test_the_listing_filters(client, world):
    complaint = make_request(world, category="complaint", subject="噪音投诉")
    repair = make_request(world, subject="灯不亮")
    client.force_login(world.ops_a)
    content = client.get(_url("list_results"), {"category": "complaint"}).content.decode()
    assert complaint.number in content and repair.number not in content
    content = client.get(_url("list_results"), {"q": "灯不亮"}).content.decode()
    assert repair.number in content and complaint.number not in content


@pytest.mark.parametrize("view", ["inspect", "edit", "delete", "history"])
def test_a_request_of_another_centre_cannot_be_opened_by_url(world, view):
    sr = make_request(world)
    assert_access(
        _url(view, sr.pk),
        allowed=[world.ops_a] if view == "inspect" else [],
        refused=[world.ops_b, world.signer_a, world.signer_b, world.editor_a, ANONYMOUS],
    )


def test_nobody_edits_or_deletes_a_request_behind_the_services(client, world):
    sr = make_request(world)
    client.force_login(world.ops_a)
    client.post(_url("edit", sr.pk), {"subject": "changed"})
    client.post(_url("delete", sr.pk))
    sr.refresh_from_db()
    assert sr.subject == "空调不制冷"


def test_viewing_a_request_is_audited(client, world):
    sr = make_request(world)
    client.force_login(world.ops_a)
    assert client.get(_url("inspect", sr.pk)).status_code == 200
    assert AuditEvent.objects.for_object(sr).filter(action="request.viewed", actor=world.ops_a).exists()


def test_staff_reply_assign_and_close_from_the_timeline_page(client, world):
    sr = make_request(world)
    client.force_login(world.ops_a)
    client.post(_url("act", sr.pk, "reply"), {"body": "已收到，安排师傅", "photos": [png_upload()]})
    client.post(_url("act", sr.pk, "assign"), {"assignee": world.drafter_a.pk, "department": "engineering"})
    client.post(_url("act", sr.pk, "reply"), {"body": "内部备注", "internal": "on"})
    client.post(_url("act", sr.pk, "close"), {"resolution": "已修复"})
    sr.refresh_from_db()
    assert sr.status == RequestStatus.CLOSED and sr.assignee == world.drafter_a and sr.responded_at
    kinds = list(sr.entries.values_list("kind", flat=True))
    assert kinds == ["created", "reply", "assigned", "note", "status"]
    assert sr.photos.count() == 1
    page = client.get(_url("inspect", sr.pk)).content.decode()
    assert "内部备注" in page and "已修复" in page


def test_actions_of_another_centre_are_refused_and_change_nothing(world):
    sr = make_request(world)
    for action, data in [("reply", {"body": "x"}), ("close", {"resolution": "x"}), ("assign", {"department": "finance"})]:
        assert_access(_url("act", sr.pk, action), method="post", data=data,
                      refused=[world.ops_b, world.signer_a, world.signer_b, ANONYMOUS])
    sr.refresh_from_db()
    assert sr.status == RequestStatus.NEW and sr.department == "" and sr.entries.count() == 1


def test_a_reader_who_does_not_handle_requests_cannot_close_one(client, world):
    sr = make_request(world)
    client.force_login(world.leader_a)
    assert client.get(_url("inspect", sr.pk)).status_code == 200
    response = client.post(_url("act", sr.pk, "close"), {"resolution": "x"})
    # Wagtail answers a PermissionDenied in the admin by going to the dashboard.
    assert (response.status_code, response.get("Location")) in ((403, None), (302, "/admin/"))
    sr.refresh_from_db()
    assert sr.status == RequestStatus.NEW


def test_an_unknown_action_or_empty_form_changes_nothing(client, world):
    sr = make_request(world)
    client.force_login(world.ops_a)
    assert client.post(_url("act", sr.pk, "explode"), {}).status_code in (302, 403)
    assert client.post(_url("act", sr.pk, "close"), {"resolution": ""}).status_code == 302
    sr.refresh_from_db()
    assert sr.status == RequestStatus.NEW


def test_staff_record_a_request_taken_by_phone(client, world):
    client.force_login(world.ops_a)
    assert client.get(_url("add")).status_code == 200
    response = client.post(_url("add"), {
        "tenant": world.tenant_a.pk, "contact_name": "张店长", "contact_phone": "13800000000", "channel": "hotline",
        "category": "complaint", "severity": "major", "subject": "隔壁噪音", "description": "装修噪音影响营业",
        "department": "engineering",
    })
    sr = ServiceRequest.objects.get()
    assert response.status_code == 302 and sr.answer_due and sr.channel == "hotline"
    assert sr.entries.get().kind == RequestEntry.Kind.CREATED


def test_a_request_with_no_tenant_or_another_centres_tenant_is_refused(client, world):
    client.force_login(world.ops_a)
    base = {"channel": "hotline", "category": "repair", "severity": "ordinary", "subject": "x", "description": "x"}
    assert client.post(_url("add"), base).status_code == 400
    assert client.post(_url("add"), {**base, "tenant": world.tenant_b.pk}).status_code == 400
    assert not ServiceRequest.objects.exists()


def test_the_record_form_refuses_readers_tenants_and_visitors(world):
    assert_access(_url("add"), allowed=[world.ops_a, world.manager],
                  refused=[world.leader_a, world.signer_a, world.editor_a, ANONYMOUS])


def test_the_listing_query_count_does_not_grow_with_the_rows(client, world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(world.ops_a)
    make_request(world)
    client.get(_url("list"))
    with CaptureQueriesContext(connection) as few:
        client.get(_url("list"))
    for _ in range(30):
        make_request(world, assignee=world.drafter_a)
    with CaptureQueriesContext(connection) as many:
        assert client.get(_url("list")).status_code == 200
    # The bound is the admin's fixed cost (session, permissions, one check per
    # menu section); what matters is that the rows add nothing.
    assert len(many.captured_queries) == len(few.captured_queries) < 30


def test_the_listing_links_to_the_record_form(client, world):
    client.force_login(world.ops_a)
    page = client.get(_url("list")).content.decode()
    assert f'href="{_url("record_form")}"' in page


def test_the_listing_marks_requests_past_a_deadline_in_chinese(client, world):
    from datetime import timedelta

    from django.utils import timezone

    late = make_request(world, subject="逾期的请求")
    fresh = make_request(world, subject="新请求")
    ServiceRequest.objects.filter(pk=late.pk).update(response_due=timezone.now() - timedelta(hours=2))
    client.force_login(world.ops_a)
    page = client.get(_url("list"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    rows = {number: row for row in page.split("<tr")[1:] for number in (late.number, fresh.number) if number in row}
    assert 'class="request-overdue"' in "<tr" + rows[late.number].split(">", 1)[0] + ">"
    assert "已超时" in rows[late.number] and 'data-testid="overdue"' in rows[late.number]
    assert "request-overdue" not in rows[fresh.number] and "已超时" not in rows[fresh.number]
    # seven columns, the assignee among them (it fits a 1366 px screen)
    header = page.split('class="listing', 1)[1].split("<thead", 1)[1].split("</thead>", 1)[0]
    assert "处理人" in header
    assert header.count("<th") <= 9  # the seven, the row-selection box and Wagtail's own
