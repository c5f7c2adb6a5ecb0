"""The fee table on a 390 px phone: long remarks do not squeeze the item's
name to one character a line (电费 read 电 / 费), and nothing scrolls sideways.
The real partial and stylesheet, laid out by chromium."""

from pathlib import Path
from types import SimpleNamespace

from django.template.loader import render_to_string

from tests.e2e.conftest import PHONE

CSS = (Path(__file__).resolve().parents[2] / "portal" / "static" / "portal" / "pages.css").read_text()
REMARKS = "按照实际抄表读数计算，每月五日前缴纳上月费用，逾期按日加收滞纳金万分之五，商户自行承担线路损耗与公共分摊部分"


def test_the_item_name_keeps_its_line_beside_long_remarks(browser):
    item = SimpleNamespace(name="电费", price="1.20", unit="元/度", remarks=REMARKS)
    table = render_to_string("portal/pages/_fee_tables.html", {"schedule": SimpleNamespace(tables=[("能源", [item])], notes="")})
    page = browser.new_page(viewport=PHONE)
    try:
        page.set_content(f"<!DOCTYPE html><style>body {{ margin: 0; padding: 16px }} {CSS}</style>{table}")
        count = "e => { const r = document.createRange(); r.selectNodeContents(e); return r.getClientRects().length; }"
        assert page.eval_on_selector("td.item", count) == 1, "电费 on one line"
        assert page.eval_on_selector("td.unit", count) == 1, "元/度 on one line"
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    finally:
        page.close()
