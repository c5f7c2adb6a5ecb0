"""Operator and Centre moved from the tenants app to the foundation (portal)
without moving a row. An existing database upgrades: the centres, what points
at them and what hangs on their content type (permissions, audit events) are
all still there afterwards, and the way back works too."""

import pytest

from tests.migrating import latest, migrate_to

BEFORE = [
    ("portal", "0004_audit_key_and_positions"),
    ("tenants", "0004_archive_screens_recordings_storage"),
    ("notices", "0004_letter_attachment_file"),
    ("fire", "0001_initial"),
    ("visits", "0001_initial"),
]
AFTER = [("tenants", "0005_organisation_moved_to_portal")]


@pytest.mark.django_db(transaction=True)
def test_an_existing_database_keeps_its_centres_and_their_permissions():
    old = migrate_to(BEFORE)
    operator = old.get_model("tenants", "Operator").objects.create(name="旧运营公司", code="OLD")
    centre = old.get_model("tenants", "Centre").objects.create(operator=operator, name="旧广场", code="OLDC",
                                                               hotline="0571-1234567")
    old.get_model("tenants", "Tenant").objects.create(centre=centre, code="OLD001", trading_name="老店",
                                                      legal_name="老店有限公司", category="food", tier="1")
    content_type = old.get_model("contenttypes", "ContentType")
    centre_type = content_type.objects.get_or_create(app_label="tenants", model="centre")[0]
    permission = old.get_model("auth", "Permission").objects.get_or_create(
        content_type=centre_type, codename="view_centre", defaults={"name": "Can view centre"})[0]

    new = migrate_to(AFTER)
    moved = new.get_model("portal", "Centre").objects.get(pk=centre.pk)
    assert moved.name == "旧广场" and moved.operator.code == "OLD"
    assert new.get_model("tenants", "Tenant").objects.get(code="OLD001").centre_id == centre.pk
    moved_type = new.get_model("contenttypes", "ContentType").objects.get(pk=centre_type.pk)
    assert (moved_type.app_label, moved_type.model) == ("portal", "centre")
    assert new.get_model("auth", "Permission").objects.get(pk=permission.pk).content_type_id == centre_type.pk

    back = migrate_to(BEFORE)
    assert back.get_model("tenants", "Centre").objects.get(pk=centre.pk).code == "OLDC"
    assert back.get_model("contenttypes", "ContentType").objects.get(pk=centre_type.pk).app_label == "tenants"
    migrate_to(latest())
