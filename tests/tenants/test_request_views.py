"""Tenant side "my requests": a tenant sees, raises, answers and rates only
their own tenant's requests."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tenants.models import RequestStatus, ServiceRequest
from tenants.services.request_status import request_close
from tenants.services.requests import request_reply
from tests.base import ANONYMOUS, make_request, png_upload

pytestmark = pytest.mark.django_db


def test_my_requests_lists_only_my_tenants_requests(client, world):
    mine = make_request(world, subject="我的空调")
    make_request(world, tenant=world.tenant_a2, subject="别人的灯")
    client.force_login(world.signer_a)
    content = client.get(reverse("tenants:my_requests")).content.decode()
    assert mine.number in content and "我的空调" in content and "别人的灯" not in content


def test_the_tenant_pages_refuse_staff_and_strangers(world):
    assert_urls = [reverse("tenants:my_requests"), reverse("tenants:my_request_new")]
    from tests.base import assert_access

    for url in assert_urls:
        assert_access(url, allowed=[world.signer_a, world.nonsigner_a], refused=[world.ops_a, world.editor_a, ANONYMOUS])


def test_a_request_of_another_tenant_cannot_be_opened_by_url(world):
    from tests.base import assert_access

    sr = make_request(world)
    for name in ("tenants:my_request",):
        assert_access(
            reverse(name, args=[sr.pk]),
            allowed=[world.signer_a, world.nonsigner_a],
            refused=[world.signer_a2, world.signer_b, world.ops_b, world.ops_a, ANONYMOUS],
        )
    for name in ("tenants:my_request_rate", "tenants:my_request_reopen"):
        assert_access(reverse(name, args=[sr.pk]), method="post", data={"rating": 5, "reason": "x"},
                      refused=[world.signer_a2, world.signer_b, world.ops_b, ANONYMOUS])
    sr.refresh_from_db()
    assert sr.rating is None and sr.reopen_count == 0


def test_a_tenant_raises_a_request_with_a_photo(client, world):
    client.force_login(world.signer_a)
    response = client.post(
        reverse("tenants:my_request_new"),
        {"tenant": world.tenant_a.pk, "category": "repair", "subject": "门口地砖破损", "description": "靠近收银台",
         "photos": [png_upload("a.png"), png_upload("b.png")]},
    )
    sr = ServiceRequest.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("tenants:my_request", args=[sr.pk])
    assert (sr.tenant, sr.channel, sr.photos.count()) == (world.tenant_a, "portal", 2)
    detail = client.get(response["Location"]).content.decode()
    photo_url = reverse("tenants:request_photo", args=[sr.photos.first().pk])
    assert photo_url in detail


def test_a_tenant_of_one_shop_need_not_choose_it(client, world):
    client.force_login(world.signer_a)
    response = client.post(reverse("tenants:my_request_new"), {"category": "enquiry", "subject": "x", "description": "x"})
    assert response.status_code == 302 and ServiceRequest.objects.get().tenant == world.tenant_a


def test_a_tenant_cannot_raise_a_request_for_another_tenant(client, world):
    client.force_login(world.signer_a)
    response = client.post(
        reverse("tenants:my_request_new"),
        {"tenant": world.tenant_b.pk, "category": "repair", "subject": "x", "description": "x"},
    )
    assert response.status_code == 400 and "tenant" in response.context["form"].errors
    assert not ServiceRequest.objects.exists()


@pytest.mark.parametrize(
    ("name", "payload"),
    [("fake.jpg", b"<?php system($_GET['c']); ?>"), ("doc.png", b"%PDF-1.4 not a photo")],
)
def test_a_file_that_is_not_a_picture_is_refused_with_a_message(client, world, name, payload):
    client.force_login(world.signer_a)
    response = client.post(
        reverse("tenants:my_request_new"),
        {"tenant": world.tenant_a.pk, "category": "repair", "subject": "x", "description": "x",
         "photos": [SimpleUploadedFile(name, payload)]},
    )
    assert response.status_code == 400
    assert "JPEG" in response.content.decode()  # names the accepted formats
    assert not ServiceRequest.objects.exists()


def test_an_oversized_photo_is_refused(client, world, settings):
    settings.ATRIUM_UPLOAD_MAX_BYTES = 50
    client.force_login(world.signer_a)
    response = client.post(
        reverse("tenants:my_request_new"),
        {"tenant": world.tenant_a.pk, "category": "repair", "subject": "x", "description": "x", "photos": [png_upload()]},
    )
    assert response.status_code == 400 and not ServiceRequest.objects.exists()
    assert "MB" in response.content.decode()  # says what the limit is


def test_the_tenant_does_not_see_internal_notes(client, world):
    sr = make_request(world)
    request_reply(actor=world.ops_a, service_request=sr, body="内部：租户曾多次拖欠", internal=True)
    request_reply(actor=world.ops_a, service_request=sr, body="师傅下午到店")
    client.force_login(world.signer_a)
    content = client.get(reverse("tenants:my_request", args=[sr.pk])).content.decode()
    assert "师傅下午到店" in content and "拖欠" not in content


def test_the_tenant_replies_and_rates_after_closing(client, world):
    sr = make_request(world)
    client.force_login(world.signer_a)
    url = reverse("tenants:my_request", args=[sr.pk])
    assert client.post(url, {"body": "请尽快"}).status_code == 302
    # Rating an open request: refused with a message, nothing stored.
    response = client.post(reverse("tenants:my_request_rate", args=[sr.pk]), {"rating": "5"}, follow=True)
    sr.refresh_from_db()
    assert sr.rating is None and list(response.context["messages"])
    request_close(actor=world.ops_a, service_request=sr, resolution="已修好")
    client.post(reverse("tenants:my_request_rate", args=[sr.pk]), {"rating": "4", "comment": "不错"})
    sr.refresh_from_db()
    assert (sr.rating, sr.status) == (4, RequestStatus.CLOSED)


def test_a_bad_rating_value_changes_nothing(client, world):
    sr = make_request(world)
    request_close(actor=world.ops_a, service_request=sr, resolution="已修好")
    client.force_login(world.signer_a)
    for bad in ("0", "9", "abc", ""):
        response = client.post(reverse("tenants:my_request_rate", args=[sr.pk]), {"rating": bad})
        assert response.status_code == 302
    sr.refresh_from_db()
    assert sr.rating is None


def test_photos_are_served_only_to_those_who_may_see_the_request(world):
    from tests.base import assert_access

    sr = make_request(world, photos=[png_upload()])
    url = reverse("tenants:request_photo", args=[sr.photos.get().pk])
    assert_access(
        url, allowed=[world.ops_a, world.manager, world.signer_a],
        refused=[world.ops_b, world.signer_a2, world.signer_b, world.editor_a, ANONYMOUS],
    )
    assert_access(reverse("tenants:request_photo", args=[999999]), refused=[world.ops_a])
