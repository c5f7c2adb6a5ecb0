"""Demo letters: each centre's template with a generated seal and a self-signed
demo certificate, and centre A's letters in every state of the chain."""

from django.core.files.uploadedfile import SimpleUploadedFile

from notices.models import Letter, LetterAttachment, LetterTemplate
from notices.pdf.seal import make_demo_certificate, make_seal_png
from notices.services.letters import letter_stamp
from portal.demo.later import render_now
from portal.demo.letter_deliveries import seed_letter_deliveries
from portal.models import User
from portal.pdf.render import html_to_pdf

BODY = (
    "<p>为切实做好商场消防安全工作，根据《购物中心客户关系维护管理规程》第4.8.1条，"
    "营运部将会同安全部于本月开展消防安全检查。</p>"
    "<h3>一、检查内容</h3><ol><li>灭火器、消防栓是否完好有效；</li><li>疏散通道、安全出口是否畅通；</li>"
    "<li>电气线路是否规范，有无私拉乱接；</li><li>店内是否存放易燃易爆物品。</li></ol>"
    "<h3>二、配合事项</h3><p>请各商户安排店长或负责人在店配合检查，对发现的问题按整改函要求限期整改。</p>"
    "<p>特此通知。</p>"
)

LETTERS = [
    # title, kind, steps: how far through the chain it gets
    ("关于开展十一月消防安全检查的通知", "fire_inspection", "stamped", {"recipient_mode": "all"}),  # + schedule file
    ("关于一级商户年度经营沟通会的通知", "meeting", "stamped", {"recipient_mode": "tier", "recipient_tiers": ["1"]}),
    ("关于春节期间营业时间调整的通知", "notice", "leader", {"recipient_mode": "all"}),
    ("关于B1层给排水管道检修的施工通知", "works", "seal", {"recipient_mode": "floor", "recipient_floors": [-1]}),
    ("关于规范店招店牌的函", "letter", "returned", {"recipient_mode": "category", "recipient_categories": ["food"]}),
    ("关于圣诞季美陈布置的通知（草稿）", "notice", "draft", {"recipient_mode": "all"}),
]


def ensure_template(centre) -> LetterTemplate:
    template = LetterTemplate.objects.filter(centre=centre).first()
    if template is not None and template.has_seal:
        return template
    template = template or LetterTemplate(centre=centre)
    template.letterhead_title = centre.letterhead_name or centre.name
    template.signatory_name = centre.letterhead_name or centre.name
    template.footer_text = f"{centre.address}　24小时服务热线：{centre.hotline}"
    key, cert = make_demo_certificate(template.signatory_name, template.signatory_name)
    template.seal_png = make_seal_png(template.signatory_name)
    template.seal_certificate_pem = cert.decode()
    template.set_seal_key(key)
    template.save()
    return template


SCHEDULE_ROWS = [("11月18日", "B1层", "09:00–11:00"), ("11月19日", "1F–2F", "09:00–11:30"),
                 ("11月20日", "3F–4F", "09:00–11:30")]


def _schedule_pdf() -> bytes:
    """A one-page inspection schedule, made here so the demo needs no files."""
    rows = "".join(f"<tr><td>{d}</td><td>{f}</td><td>{t}</td></tr>" for d, f, t in SCHEDULE_ROWS)
    html = (
        '<html lang="zh-CN"><body style="font-family: \'Noto Sans CJK SC\', \'WenQuanYi Zen Hei\', sans-serif">'
        "<h2>十一月消防安全检查安排表</h2><table border=1 cellpadding=6 style='border-collapse: collapse'>"
        f"<tr><th>日期</th><th>楼层</th><th>时间</th></tr>{rows}</table></body></html>"
    )
    return html_to_pdf(html)


def _attach_schedule(letter) -> None:
    upload = SimpleUploadedFile("消防检查安排表.pdf", _schedule_pdf(), content_type="application/pdf")
    LetterAttachment.objects.create(letter=letter, title="消防安全检查安排表", file=upload)


def _decide(letter, user, action="approve", comment=""):
    letter.refresh_from_db()
    state = letter.current_workflow_state.current_task_state
    state.task.specific.on_action(state, user, action, **({"comment": comment} if comment else {}))


def seed_letters(centres) -> None:
    for centre in centres.values():
        ensure_template(centre)
    centre = centres["BJ"]
    drafter = User.objects.get(email="drafter@a.atrium.demo")
    leader = User.objects.get(email="leader@a.atrium.demo")
    keeper = User.objects.get(email="seal@a.atrium.demo")
    for title, kind, stage, recipients in LETTERS:
        if Letter.objects.filter(centre=centre, title=title).exists():
            continue
        letter = Letter(centre=centre, title=title, kind=kind, body=BODY, department="safety", drafter=drafter,
                        live=False, **recipients)
        letter.save()
        if kind == "fire_inspection":
            _attach_schedule(letter)
        letter.save_revision(user=drafter)
        if stage == "draft":
            continue
        letter.get_workflow().start(letter, drafter)
        if stage == "returned":
            _decide(letter, leader, "reject", comment="请补充店招尺寸要求和整改期限。")
            continue
        if stage == "leader":
            continue
        _decide(letter, leader, comment="同意发文。")
        if stage == "seal":
            continue
        _decide(letter, keeper, comment="同意用章。")
        # Stamp now so the demo is complete without a worker; the stamping task
        # the chain queued finds the letter stamped and does nothing. With
        # --render-later that task stamps it, and seed_demo_render delivers.
        if render_now():
            letter_stamp(letter_id=letter.pk)
    # Deliveries and receipts of the stamped letters (issue 5).
    if render_now():
        seed_letter_deliveries()
