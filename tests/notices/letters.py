"""Helpers for letter tests: a centre template with a demo seal, drafting,
submitting and deciding through Wagtail's workflow engine."""

from functools import lru_cache

from django.test import TestCase

from notices.models import Letter, LetterTemplate
from notices.pdf.seal import make_demo_certificate, make_seal_png


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
    letter = Letter(centre=centre, drafter=drafter, live=False, **values)
    letter.save()
    letter.save_revision(user=drafter)
    return letter


def submit(letter, user):
    # Tests run inside a transaction; run what would happen on commit
    # (notifications, stamping) as the real commit would.
    with TestCase.captureOnCommitCallbacks(execute=True):
        letter.get_workflow().start(letter, user)
    letter.refresh_from_db()
    return letter


def decide(letter, user, action="approve", comment=""):
    letter.refresh_from_db()
    task_state = letter.current_workflow_state.current_task_state
    kwargs = {"comment": comment} if comment else {}
    with TestCase.captureOnCommitCallbacks(execute=True):
        task_state.task.specific.on_action(task_state, user, action, **kwargs)
    letter.refresh_from_db()
    return letter
