"""Helpers for letter tests: a centre template with a demo seal, drafting,
submitting and deciding (tests/workflows.py, named here too)."""

from functools import lru_cache

from notices.models import Letter, LetterTemplate
from notices.pdf.seal import make_demo_certificate, make_seal_png
from tests.workflows import decide, save_draft, submit

__all__ = ["decide", "demo_seal", "draft_letter", "make_template", "submit"]


@lru_cache(maxsize=4)
def demo_seal(name: str):
    key, cert = make_demo_certificate(name, name)
    return make_seal_png(name), key, cert


def make_template(centre, *, with_seal=True) -> LetterTemplate:
    template = LetterTemplate(
        centre=centre, letterhead_title=f"{centre.name}管理有限公司", signatory_name=f"{centre.name}管理有限公司",
        footer_text="地址：杭州市 · 24小时服务热线 " + centre.hotline,
    )
    if with_seal:
        seal, key, cert = demo_seal(centre.name)
        template.seal_png = seal
        template.seal_certificate_pem = cert.decode()
        template.set_seal_key(key)
    template.save()
    return template


def draft_letter(drafter, centre, **fields) -> Letter:
    values = {
        "title": "关于开展消防安全检查的通知",
        "body": "<p>为保障商场消防安全，定于本月开展消防安全检查，请各商户予以配合。</p>",
        "department": "safety",
        "recipient_mode": "tier",
        "recipient_tiers": ["1"],
    }
    values.update(fields)
    return save_draft(Letter(centre=centre, drafter=drafter, live=False, **values), drafter)
