"""The archive's field history (R2): every change to a tenant, its units,
contacts and documents says who, when and each field's old → new — made in
the admin, by an import, a service or a command — on the archive card, its
history page and the managers' access history; confidential values masked
for those without the permission or a grant; another centre's never shown."""

import io
import re
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils.html import strip_tags

from portal.models import AuditEvent
from portal.models.accounts import Role
from tenants.imports.resources import ContactResource, TenantResource
from tenants.imports.running import run_import
from tenants.imports.sheets import read_sheet
from tenants.models import ImportJob, Tenant, Unit
from tenants.selectors.archive import MASK
from tenants.selectors.history import archive_changes
from tenants.services.archive import document_upload
from tests.base import grant_confidential, logged_in, make_staff, pdf_upload
from tests.tenants.test_archive_import import (
    TENANT_HEADERS,
    _confirm,
    _upload,
    csv_upload,
    xlsx,
)

pytestmark = pytest.mark.django_db


def _card(user, tenant, lang="zh-hans"):
    client = logged_in(user, HTTP_ACCEPT_LANGUAGE=lang)
    response = client.get(reverse("wagtailsnippets_tenants_tenant:inspect", args=[tenant.pk]))
    assert response.status_code == 200
    return _text(response)


def _history(user, tenant, lang="zh-hans"):
    client = logged_in(user, HTTP_ACCEPT_LANGUAGE=lang)
    response = client.get(reverse("tenants_archive:history", args=[tenant.pk]))
    assert response.status_code == 200
    return _text(response)


def _text(response) -> str:
    return re.sub(r"\s+", " ", strip_tags(response.content.decode()))


def _edit_rent(client, tenant, rent):
    return client.post(reverse("wagtailsnippets_tenants_tenant:edit", args=[tenant.pk]), {
        "centre": tenant.centre_id, "code": tenant.code, "status": tenant.status, "trading_name": tenant.trading_name,
        "legal_name": tenant.legal_name, "category": tenant.category, "tier": tenant.tier,
        "monthly_rent": rent, "lease_terms": "三年一签",
    })


@pytest.fixture
def people(world):
    archivist = grant_confidential(make_staff("archivist@a.test", world.centre_a, Role.OPERATIONS))
    return archivist, make_staff("ops2@a.test", world.centre_a, Role.OPERATIONS)


def test_an_admin_edit_of_the_rent_shows_old_and_new_to_the_archivist_and_masked_to_ops(world, people):
    archivist, ops = people
    tenant = world.tenant_a
    tenant.monthly_rent = Decimal("18000")
    tenant.save()
    response = _edit_rent(logged_in(archivist), tenant, "19999")
    assert response.status_code == 302, response.content[:2000]

    seen = _card(archivist, tenant)
    assert "月租金（元）: 18000 → 19999" in seen  # the label in the reader's language
    assert "archivist@a.test" in seen and "修改" in seen
    assert "18000 → 19999" in _history(archivist, tenant, lang="en")
    assert "Monthly rent (CNY): 18000 → 19999" in _history(archivist, tenant, lang="en")

    for page in (_card(ops, tenant), _history(ops, tenant)):
        assert f"月租金（元）: {MASK} → {MASK}" in page
        assert "19999" not in page and "18000" not in page and "三年一签" not in page
    opened = AuditEvent.objects.for_object(tenant).filter(action="archive.history_viewed")
    assert {e.actor_id: e.details["confidential_shown"] for e in opened} == {archivist.pk: True, ops.pk: False}
    card = AuditEvent.objects.for_object(tenant).filter(action="archive.viewed", actor=ops).first()
    assert card.details == {"confidential_shown": False}


def test_a_grant_shows_the_confidential_values_of_that_tenant_only(world, people):
    from tenants.services.archive import access_decide, access_request

    _archivist, ops = people
    for tenant in (world.tenant_a, world.tenant_a2):
        tenant.monthly_rent = Decimal("500.50")
        tenant.save()
    grant = access_request(actor=ops, tenant=world.tenant_a, reason="核对租金", hours=2)
    access_decide(actor=world.manager, grant=grant, approve=True)
    assert "500.50" in _history(ops, world.tenant_a)
    assert "500.50" not in _history(ops, world.tenant_a2)


def test_choices_read_as_their_labels_in_the_readers_language(world):
    tenant = world.tenant_a
    tenant.tier, tenant.status = "2", "leaving"
    tenant.save()
    assert "等级: 一级 → 二级" in _history(world.ops_a, tenant)
    page = _history(world.ops_a, tenant, lang="en")
    assert "Tier: Tier 1 → Tier 2" in page and "Status: Trading → Leaving" in page


def test_an_import_records_what_it_changed_and_who_imported(world):
    Unit.objects.create(centre=world.centre_a, floor=3, number="3F-01", area=120)
    rows = [
        ["TA", world.tenant_a.code, "蜀香火锅（新）", world.tenant_a.legal_name, "food", "1", "open", "", "", "3F-01"],
        ["TA", "TA101", "茶语时光", "杭州茶语餐饮有限公司", "food", "1", "open", "2026-01-01", "2028-12-31", ""],
    ]
    dataset, _fmt = read_sheet(xlsx(TENANT_HEADERS, rows).read(), TenantResource)
    assert run_import(dataset, TenantResource, centres=[world.centre_a], dry_run=True).ok
    assert not Tenant.history.filter(history_change_reason="import").exists()  # a dry run records nothing
    outcome = run_import(dataset, TenantResource, centres=[world.centre_a], dry_run=False, actor=world.ops_a)
    assert outcome.ok

    record = world.tenant_a.history.first()
    assert record.history_user == world.ops_a and record.history_change_reason == "import"
    page = _history(world.ops_a, world.tenant_a, lang="en")
    assert "changed by import" in page and "Trading name: 蜀香火锅 → 蜀香火锅（新）" in page
    # The unit the row lets is written by a queryset update; its history says so too.
    assert "Unit · 3F-01" in page and "Tenant: — → 蜀香火锅（新） (TA001)" in page
    new = Tenant.objects.get(code="TA101")
    assert "created by import" in _history(world.ops_a, new, lang="en")
    assert new.history.get().history_type == "+"


def test_a_failed_import_leaves_no_history(world):
    rows = [["TA", "TA101", "茶语时光", "", "food", "1", "open", "", "", "NOPE"]]
    dataset, _fmt = read_sheet(xlsx(TENANT_HEADERS, rows).read(), TenantResource)
    assert not run_import(dataset, TenantResource, centres=[world.centre_a], dry_run=False, actor=world.ops_a).ok
    assert not Tenant.history.filter(code="TA101").exists()


def test_imported_contacts_have_their_history(world):
    headers = ["中心代码", "租户编号", "姓名", "职务", "电话", "邮箱", "可签收"]
    dataset, _fmt = read_sheet(xlsx(headers, [["TA", "TA001", "王店长", "店长", "13800001111", "", "否"]]).read(),
                               ContactResource)
    assert run_import(dataset, ContactResource, centres=[world.centre_a], dry_run=False, actor=world.ops_a).ok
    assert "Contact · 王店长" in _history(world.ops_a, world.tenant_a, lang="en")


def test_a_contacts_personal_phone_is_masked_and_its_other_fields_are_not(world, people):
    archivist, ops = people
    contact = world.tenant_a.contacts.first()
    contact.personal_phone, contact.position = "13900002222", "店长"
    contact.save()
    assert "13900002222" in _history(archivist, world.tenant_a)
    page = _history(ops, world.tenant_a, lang="en")
    assert "13900002222" not in page and f"Personal phone: — → {MASK}" in page
    assert "Position: " in page and "→ 店长" in page


def test_documents_record_uploads_versions_and_confidentiality(world, people):
    archivist, ops = people
    old = document_upload(actor=archivist, tenant=world.tenant_a, kind="lease", title="租赁合同2026",
                          upload=pdf_upload(), confidentiality="confidential")
    document_upload(actor=archivist, tenant=world.tenant_a, kind="lease", title="租赁合同2027",
                    upload=pdf_upload(), confidentiality="confidential", replaces=old)
    # The service names its actor: no request is needed to know who filed it.
    assert {r.history_user for r in old.history.all()} == {archivist}
    seen = _history(archivist, world.tenant_a, lang="en")
    assert "Archive document · Lease · 租赁合同2026" in seen and "Superseded at: —" in seen
    hidden = _history(ops, world.tenant_a, lang="en")
    assert "租赁合同" not in hidden and "lease.pdf" not in hidden
    assert f"Archive document · Lease · {MASK}" in hidden and "Kind: — → Lease" in hidden


def test_another_centres_history_is_never_shown(world):
    world.tenant_b.trading_name = "星芽童装（改）"
    world.tenant_b.save()
    unit_b = world.tenant_b.units.first()
    unit_b.area = Decimal("99")
    unit_b.save()
    assert "星芽童装" not in _history(world.ops_a, world.tenant_a) + _card(world.ops_a, world.tenant_a)
    client = logged_in(world.ops_b)
    assert client.get(reverse("tenants_archive:history", args=[world.tenant_a.pk])).status_code == 404
    assert logged_in(world.signer_a).get(reverse("tenants_archive:history", args=[world.tenant_a.pk])).status_code in (
        302, 403, 404)


def test_the_managers_access_history_lists_the_changes_among_the_views(world):
    tenant = world.tenant_a
    tenant.trading_name = "蜀香火锅·旗舰"
    tenant.save()
    page = _card(world.manager, tenant, lang="en")
    access = page[page.index("Access history"):]
    assert "Trading name: 蜀香火锅 → 蜀香火锅·旗舰" in access
    assert "Access history" not in _card(world.ops_a, tenant, lang="en")


def test_a_record_without_earlier_history_gets_a_baseline_from_populate_history(world):
    Tenant.objects.bulk_create([Tenant(centre=world.centre_a, code="TA050", trading_name="旧店", legal_name="旧店",
                                       category="food")])
    old = Tenant.objects.get(code="TA050")
    old.trading_name = "旧店（新）"
    old.save()
    (change,) = archive_changes(old, shown=False)
    assert change.no_baseline and [f.old for f in change.field_changes] == [""] * len(change.field_changes)
    Tenant.history.all().delete()
    call_command("populate_history", "--auto", stdout=io.StringIO(), stderr=io.StringIO())
    old.trading_name = "旧店（再改）"
    old.save()
    change = archive_changes(old, shown=False)[0]
    assert not change.no_baseline
    assert [(f.old, f.new) for f in change.field_changes] == [("旧店（新）", "旧店（再改）")]


def test_a_save_that_changes_nothing_is_not_listed(world):
    before = len(archive_changes(world.tenant_a, shown=True))
    world.tenant_a.save()
    assert len(archive_changes(world.tenant_a, shown=True)) == before


def test_a_change_whose_earlier_version_is_past_the_window_is_left_out(world):
    tenant = world.tenant_a
    for name in ("一", "二", "三"):
        tenant.trading_name = name
        tenant.save()
    changes = [c for c in archive_changes(tenant, shown=True, per_model=2) if c.object_repr.endswith("三")]
    assert [(f.old, f.new) for c in changes for f in c.field_changes] == [("二", "三")]
    assert not any(c.no_baseline for c in archive_changes(tenant, shown=True, per_model=2))


def test_an_import_confirmed_in_the_admin_records_its_history_in_the_task(world, django_capture_on_commit_callbacks):
    headers = ["Centre code", "Unit number", "Floor", "Area (m²)", "Tenant code"]
    upload = csv_upload(headers, [["TA", "B1-08", "-1", "45.5", world.tenant_a.code]])
    _upload(world.ops_a, "units", upload, django_capture_on_commit_callbacks)
    _confirm(world.ops_a, ImportJob.objects.get(), django_capture_on_commit_callbacks)
    record = Unit.objects.get(number="B1-08").history.get()
    assert record.history_user == world.ops_a and record.history_change_reason == "import"
    assert "Area (m²): — → 45.5" in _history(world.ops_a, world.tenant_a, lang="en")
