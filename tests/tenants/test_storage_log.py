"""The temporary item storage log (R8, 4.15): deposit, collection with the
collector's name and optional ID check, flags for items left too long, the
scoped listing, export and printable record."""

import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from portal.models import AuditEvent
from tenants.models import StorageDeposit
from tenants.services.storage import StorageError, storage_collect, storage_deposit
from tests.base import ANONYMOUS, assert_access, logged_in

pytestmark = pytest.mark.django_db


def _deposit(world, *, tenant=None, days_ago=0, items="装修图纸一卷"):
    tenant = tenant or world.tenant_a
    actor = world.ops_a if tenant.centre_id == world.centre_a.pk else world.ops_b
    return storage_deposit(actor=actor, tenant=tenant, items=items, quantity=2, location="服务台后柜 A-3",
                           depositor_name="王店长", deposited_at=timezone.now() - timedelta(days=days_ago))


def test_staff_record_a_deposit_from_the_admin(world):
    contact = world.tenant_a.contacts.first()
    response = logged_in(world.ops_a).post(reverse("wagtailsnippets_tenants_storagedeposit:add"), {
        "tenant": world.tenant_a.pk, "contact": contact.pk, "items": "快递包裹", "quantity": 3, "location": "服务台",
    })
    assert response.status_code == 302
    entry = StorageDeposit.objects.get()
    assert entry.depositor_name == contact.name and entry.received_by == world.ops_a and entry.number.startswith("TA-JC")
    assert AuditEvent.objects.for_object(entry).filter(action="storage.deposited").exists()


def test_a_deposit_without_a_depositor_or_with_another_tenants_contact_is_refused(world):
    url = reverse("wagtailsnippets_tenants_storagedeposit:add")
    other = world.tenant_a2.contacts.first()
    for data in (
        {"tenant": world.tenant_a.pk, "items": "包裹", "quantity": 1, "location": "服务台"},
        {"tenant": world.tenant_a.pk, "contact": other.pk, "items": "包裹", "quantity": 1, "location": "服务台"},
        {"tenant": world.tenant_b.pk, "depositor_name": "x", "items": "包裹", "quantity": 1, "location": "服务台"},
        {"tenant": world.tenant_a.pk, "depositor_name": "x", "items": "包裹", "quantity": 0, "location": "服务台"},
    ):
        assert logged_in(world.ops_a).post(url, data).status_code == 400
    assert not StorageDeposit.objects.exists()


def test_collection_records_the_collector_the_id_check_and_who_released(world):
    entry = _deposit(world)
    response = logged_in(world.ops_a).post(reverse("wagtailsnippets_tenants_storagedeposit:collect", args=[entry.pk]),
                                         {"collector_name": "李店员", "id_checked": "on", "id_last4": "123X"})
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.collector_name == "李店员" and entry.collector_id_checked and entry.collector_id_last4 == "123X"
    assert entry.released_by == world.ops_a and entry.collected_at
    with pytest.raises(StorageError):
        storage_collect(actor=world.ops_a, deposit=entry, collector_name="又一次")
    assert AuditEvent.objects.for_object(entry).filter(action="storage.collected").count() == 1


def test_an_id_check_needs_the_last_four_characters(world):
    entry = _deposit(world)
    with pytest.raises(StorageError):
        storage_collect(actor=world.ops_a, deposit=entry, collector_name="李", id_checked=True)
    entry.refresh_from_db()
    assert entry.collected_at is None


def test_items_left_too_long_are_flagged_and_filterable(world, settings):
    settings.ATRIUM_STORAGE_FLAG_DAYS = 7
    old = _deposit(world, days_ago=10, items="旧纸箱")
    _deposit(world, days_ago=1, items="新包裹")
    assert old.left_too_long
    page = logged_in(world.ops_a).get(reverse("wagtailsnippets_tenants_storagedeposit:list") + "?state=too_long").content.decode()
    assert "旧纸箱" in page and "新包裹" not in page


def test_the_listing_pages_and_files_are_scoped_by_centre(world):
    a = _deposit(world, items="A中心物品")
    b = _deposit(world, tenant=world.tenant_b, items="B中心物品")
    page = logged_in(world.ops_a).get(reverse("wagtailsnippets_tenants_storagedeposit:list")).content.decode()
    assert "A中心物品" in page and "B中心物品" not in page
    assert_access(reverse("wagtailsnippets_tenants_storagedeposit:inspect", args=[a.pk]),
                  allowed=[world.ops_a, world.leader_a, world.manager],
                  refused=[world.ops_b, world.signer_a, world.editor_a, ANONYMOUS])
    assert_access(reverse("wagtailsnippets_tenants_storagedeposit:collect", args=[b.pk]), method="post",
                  data={"collector_name": "x"}, refused=[world.ops_a, world.signer_b, ANONYMOUS])
    # Readers may not hand items back.
    assert_access(reverse("wagtailsnippets_tenants_storagedeposit:collect", args=[a.pk]), method="post",
                  data={"collector_name": "x"}, refused=[world.leader_a])
    b.refresh_from_db()
    a.refresh_from_db()
    assert b.collected_at is None and a.collected_at is None
    assert_access(reverse("wagtailsnippets_tenants_storagedeposit:add"), allowed=[world.ops_a],
                  refused=[world.leader_a, world.signer_a, ANONYMOUS])
    assert_access(reverse("wagtailsnippets_tenants_storagedeposit:register"), allowed=[world.ops_a],
                  refused=[world.signer_a, world.editor_a, ANONYMOUS])


def test_the_record_exports_and_prints_the_users_centres_only(world):
    _deposit(world, items="=cmd|' /C calc'!A0")
    _deposit(world, tenant=world.tenant_b, items="B中心物品")
    response = logged_in(world.ops_a).get(reverse("wagtailsnippets_tenants_storagedeposit:register") + "?format=xlsx")
    ws = load_workbook(io.BytesIO(response.content)).active
    values = [c.value for row in ws.iter_rows() for c in row]
    assert "'=cmd|' /C calc'!A0" in values and "B中心物品" not in values
    page = logged_in(world.ops_a).get(reverse("wagtailsnippets_tenants_storagedeposit:register")).content.decode()
    assert "服务台后柜 A-3" in page and "B中心物品" not in page


def test_the_listing_links_to_the_export_and_the_record_of_its_filter(world):
    listing = reverse("wagtailsnippets_tenants_storagedeposit:list") + "?state=waiting"
    page = logged_in(world.ops_a).get(listing).content.decode()
    register = reverse("wagtailsnippets_tenants_storagedeposit:register")
    assert f'href="{register}?format=xlsx&amp;state=waiting"' in page
    assert f'href="{register}?state=waiting"' in page
