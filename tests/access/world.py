"""The world of the generated access test: every kind of record the portal
serves, for centre A (tenants X and Y) and centre B, each carrying the marker
of whom it belongs to in its text, so that a response can be judged by
content.

    ZZA-  centre A itself (its name, its staff, its centre-wide records)
    ZZX-  tenant X (tenant_a) of centre A
    ZZY-  tenant Y (tenant_a2) of centre A
    ZZB-  centre B and everything in it (its tenant, staff, records)

`objects(variant)` maps the model keys of the fill table ("tenants.tenant",
"letter", ...) to the record of variant "A" (centre A, tenant X), "Y"
(centre A, tenant Y) or "B" (centre B)."""

from __future__ import annotations

import io
import wave
from dataclasses import dataclass, field
from datetime import timedelta

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Value
from django.db.models.functions import Concat
from django.test import TestCase
from django.utils import timezone
from wagtail.contrib.redirects.models import Redirect
from wagtail.documents.models import Document
from wagtail.images.models import Image
from wagtail.models import Revision, TaskState, Workflow, WorkflowState

from notices.fire.models import ChecklistItem, RectificationCase
from notices.models import Delivery, LetterAttachment, SealUse
from notices.services.receipts import receipt_record_paper
from portal.broadcasts.services import alert_create, alert_send
from portal.models import (
    AlertRecipient,
    HolidayGreeting,
    NoticeAttachment,
    NoticeIndexPage,
    NoticePage,
    Role,
    StaffMembership,
    User,
)
from portal.pages.handbook import handbook_edition_issue
from portal.pages.site import (
    centre_collection,
    centre_site_ensure,
    editor_group,
    reviewer_group,
)
from portal.services import invitation_create
from tenants.models import DeadlinePolicy, ImportJob
from tenants.services.archive import access_request, document_upload
from tenants.services.recordings import recording_attach, recording_hold
from tenants.services.storage import storage_deposit
from tests.base import (
    PDF_BYTES,
    PNG_BYTES,
    World,
    build_world,
    grant_confidential,
    make_staff,
    make_user,
    pdf_upload,
)
from tests.fire.helpers import fire_round, record
from tests.notices.letters import decide, draft_letter, make_template, submit
from tests.pages.site import publish
from visits.models import AuditExport, PlannedVisit, VisitPolicy
from visits.services.meetings import (
    meeting_door_token,
    meeting_save_minutes,
    meeting_schedule,
    meeting_suggestion_add,
)
from visits.services.plans import plan_sync
from visits.services.records import unit_code_for, unit_token, visit_record_create
from visits.services.surveys import survey_create, survey_set_status

MARKERS = ("ZZA-", "ZZX-", "ZZY-", "ZZB-")
VARIANTS = ("A", "Y", "B")


def _png(name="photo.png"):
    return SimpleUploadedFile(name, PNG_BYTES, content_type="image/png")


def _wav(name="call.wav"):
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(1)
        w.setframerate(8000)
        w.writeframes(b"\x80" * 800)
    return SimpleUploadedFile(name, out.getvalue(), content_type="audio/wav")


@dataclass
class AccessWorld:
    w: World
    reviewer_a: User
    archivist_a: User
    superuser: User
    people: dict[str, User | None]
    by_variant: dict[str, dict] = field(default_factory=dict)
    # A letter of centre A to tenants X and Y that nobody has signed yet: the
    # target of the wrong-person POSTs (sign, code, question, paper, remind).
    open_letter: object = None

    def objects(self, variant: str) -> dict:
        return self.by_variant[variant]


def _mark_people(w: World, extra: dict[str, User]) -> None:
    names = {
        w.ops_a: "ZZA-欧阳", w.drafter_a: "ZZA-杜拉", w.leader_a: "ZZA-李德", w.seal_a: "ZZA-施印",
        w.editor_a: "ZZA-易迪", w.ops_b: "ZZB-欧北", w.signer_a: "ZZX-孙签", w.nonsigner_a: "ZZX-倪员",
        w.signer_a2: "ZZY-孙二", w.signer_b: "ZZB-孙北",
    }
    names.update(extra)
    for user, name in names.items():
        User.objects.filter(pk=user.pk).update(full_name=name)
        user.full_name = name
    for tenant, marker in ((w.tenant_a, "ZZX-"), (w.tenant_a2, "ZZY-"), (w.tenant_b, "ZZB-")):
        for contact in tenant.contacts.all():
            contact.name = marker + contact.name
            contact.phone = "13800000000"
            contact.save()


def _letter_chain(drafter, leader, seal, centre, title, tenants, *, attach=True):
    letter = draft_letter(drafter, centre, title=title, body=f"<p>{title}正文。</p>", recipient_mode="named")
    letter.recipient_tenants.set(tenants)
    letter.save()
    if attach:
        LetterAttachment.objects.create(letter=letter, title=f"{title}附件",
                                        file=SimpleUploadedFile("fees.pdf", PDF_BYTES + b"%att\n"))
    letter.save_revision(user=drafter)
    submit(letter, drafter)
    decide(letter, leader)
    decide(letter, seal)
    letter.refresh_from_db()
    return letter


def _site(centre, marker, reviewer):
    home = centre_site_ensure(centre)
    bulletin = publish(home, NoticeIndexPage(title=f"{marker}公告栏", slug="notices"), by=reviewer)
    public = publish(bulletin, NoticePage(title=f"{marker}公开公告", slug="public", audience="public",
                                          category="operations", body=f"<p>{marker}营业时间。</p>"), by=reviewer)
    private = publish(bulletin, NoticePage(title=f"{marker}租户通知", slug="tenants-only", audience="tenants",
                                           category="safety", body=f"<p>{marker}消防检查。</p>"), by=reviewer)
    from portal.models import HandbookChapterPage, HandbookPage

    handbook = publish(home, HandbookPage(title=f"{marker}租户手册", slug="handbook", audience="tenants",
                                          intro=f"<p>{marker}手册。</p>"), by=reviewer)
    publish(handbook, HandbookChapterPage(title=f"{marker}服务热线", slug="hotline", body="<p>热线。</p>"), by=reviewer)
    document = Document(title=f"{marker}检查表", collection=centre_collection(centre))
    document.file.save("check.pdf", ContentFile(PDF_BYTES + marker.encode()), save=False)
    document.save()
    attachment = NoticeAttachment.objects.create(page=private, document=document)
    image = Image(title=f"{marker}海报", collection=centre_collection(centre))
    image.file.save("poster.png", ContentFile(PNG_BYTES), save=False)
    image.width = image.height = 1
    image.save()
    return home, bulletin, public, private, handbook, document, attachment, image


def build_access_world() -> AccessWorld:
    w = build_world()
    w.centre_a.name = "ZZA-测试广场A"
    w.centre_a.save()
    w.centre_b.name = "ZZB-测试广场B"
    w.centre_b.save()
    for tenant, marker in ((w.tenant_a, "ZZX-"), (w.tenant_a2, "ZZY-"), (w.tenant_b, "ZZB-")):
        tenant.trading_name = marker + tenant.trading_name
        tenant.legal_name = marker + tenant.legal_name
        tenant.save()
        tenant.units.update(number=Concat(Value(marker), "number"))
    reviewer_a = make_staff("reviewer@a.test", w.centre_a, Role.WEB_REVIEWER)
    archivist_a = grant_confidential(make_staff("archivist@a.test", w.centre_a, Role.OPERATIONS))
    superuser = make_user("root@test", is_superuser=True, is_staff=True)
    # Centre B's own chain, only to build its records (never a requesting role).
    drafter_b = make_staff("drafter@b.test", w.centre_b, Role.DRAFTER)
    leader_b = make_staff("leader@b.test", w.centre_b, Role.LEADER)
    seal_b = make_staff("seal@b.test", w.centre_b, Role.SEAL_KEEPER)
    reviewer_b = make_staff("reviewer@b.test", w.centre_b, Role.WEB_REVIEWER)
    _mark_people(w, {reviewer_a: "ZZA-瑞文", archivist_a: "ZZA-阿基", drafter_b: "ZZB-杜北", leader_b: "ZZB-李北",
                     seal_b: "ZZB-施北", reviewer_b: "ZZB-瑞北", superuser: "根管理员"})
    people = {
        "ops_a": w.ops_a, "ops_b": w.ops_b, "drafter_a": w.drafter_a, "leader_a": w.leader_a, "seal_a": w.seal_a,
        "editor_a": w.editor_a, "reviewer_a": reviewer_a, "manager": w.manager, "archivist_a": archivist_a,
        "superuser": superuser, "signer_a": w.signer_a, "signer_a2": w.signer_a2, "nonsigner_a": w.nonsigner_a,
        "signer_b": w.signer_b, "anonymous": None,
    }
    aw = AccessWorld(w=w, reviewer_a=reviewer_a, archivist_a=archivist_a, superuser=superuser, people=people)

    make_template(w.centre_a)
    make_template(w.centre_b)
    for centre, marker in ((w.centre_a, "ZZA-"), (w.centre_b, "ZZB-")):
        template = centre.letter_template
        template.footer_text = f"{marker}地址 " + template.footer_text
        # The document number carries the marker too: seal uses, deliveries
        # and receipts show the number rather than the title.
        template.number_pattern = marker + template.number_pattern
        template.save()
        ChecklistItem.objects.create(centre=centre, text=f"{marker}疏散指示灯完好", sort_order=99)

    sites = {
        "A": _site(w.centre_a, "ZZA-", reviewer_a),
        "B": _site(w.centre_b, "ZZB-", reviewer_b),
    }
    editor_b = make_staff("editor@b.test", w.centre_b, Role.WEB_EDITOR)
    User.objects.filter(pk=editor_b.pk).update(full_name="ZZB-易北")

    chain = {"A": (w.drafter_a, w.leader_a, w.seal_a, w.centre_a), "B": (drafter_b, leader_b, seal_b, w.centre_b)}
    ops = {"A": w.ops_a, "Y": w.ops_a, "B": w.ops_b}
    tenant_of = {"A": w.tenant_a, "Y": w.tenant_a2, "B": w.tenant_b}
    marker_of = {"A": "ZZX-", "Y": "ZZY-", "B": "ZZB-"}
    centre_marker = {"A": "ZZA-", "Y": "ZZA-", "B": "ZZB-"}
    centre_of = {"A": w.centre_a, "Y": w.centre_a, "B": w.centre_b}
    today = timezone.localdate()
    now = timezone.now()

    # Centre-wide records, shared by variants A and Y (they are both centre A).
    centre_records = {}
    for key in ("A", "B"):
        drafter, leader, seal, centre = chain[key]
        m = centre_marker[key]
        pending = draft_letter(drafter, centre, title=f"{m}待审公函", body=f"<p>{m}待审。</p>", recipient_mode="all")
        submit(pending, drafter)
        rnd = fire_round(centre)
        meeting = meeting_schedule(actor=ops[key], centre=centre, kind="quarterly", title=f"{m}四季度租户大会",
                                   starts_at=now - timedelta(minutes=10), ends_at=now + timedelta(hours=2),
                                   location=f"{m}会议室", agenda=f"{m}年终促销")
        meeting_save_minutes(actor=ops[key], meeting=meeting, minutes=f"{m}会议纪要", upload=pdf_upload(), publish=True)
        with TestCase.captureOnCommitCallbacks(execute=True):
            survey = survey_create(actor=ops[key], centre=centre, title=f"{m}满意度调查", opens_on=today,
                                   closes_on=today + timedelta(days=14))
            survey_set_status(actor=ops[key], survey=survey, status="open")
        with TestCase.captureOnCommitCallbacks(execute=True):
            alert = alert_create(actor=ops[key], kind="typhoon", level="orange", title=f"{m}台风橙色预警",
                                 message=f"{m}请加固门窗。", centres=[centre])
            alert_send(actor=ops[key], alert=alert)
        greeting = HolidayGreeting.objects.create(centre=centre, holiday="春节", send_on=today + timedelta(days=30),
                                                  title=f"{m}新春贺词", message=f"{m}恭贺新禧")
        home, bulletin, public, private, handbook, document, attachment, image = sites[key]
        with TestCase.captureOnCommitCallbacks(execute=True):
            edition = handbook_edition_issue(actor=reviewer_a if key == "A" else reviewer_b, handbook=handbook,
                                             changes=f"{m}第一版", requires_ack=True)
        # A page waiting in the centre's review workflow.
        draft_page = NoticePage(title=f"{m}待审公告", slug="pending", audience="tenants", category="general",
                                body=f"<p>{m}待审。</p>", live=False)
        bulletin.add_child(instance=draft_page)
        editor = w.editor_a if key == "A" else editor_b
        page_revision = draft_page.save_revision(user=editor)
        with TestCase.captureOnCommitCallbacks(execute=True):
            draft_page.get_workflow().start(draft_page, editor)
        plan = plan_sync(centre=centre, year=today.year)
        policy, _ = VisitPolicy.objects.get_or_create(centre=centre)
        deadline_policy = DeadlinePolicy.objects.filter(centre=centre).first() or DeadlinePolicy.objects.create(centre=centre)
        invitation, secret = invitation_create(inviter=w.manager, email=f"new-{key.lower()}@test",
                                               kind="staff", full_name=f"{m}新同事", centre=centre, role=Role.OPERATIONS)
        token = ImportJob.objects.create(token=f"importjob{key}0000000000000000", user=ops[key], resource="tenants",
                                         file=ContentFile(f"{m}导入".encode(), name="t.csv"),
                                         original_name=f"{m}租户.csv", file_format="csv", valid=True,
                                         totals={"new": 1}).token
        export = AuditExport.objects.create(kind="zip", requested_by=ops[key], centre_ids=[centre.pk], start=today,
                                            end=today, status="done", file=ContentFile(f"{m}导出".encode(), name="e.zip"))
        redirect = Redirect.objects.create(old_path=f"/{m.lower()}old", redirect_link="/", site=home.get_site())
        centre_records[key] = {
            "pending_letter": pending, "round": rnd, "meeting": meeting, "survey": survey, "alert": alert,
            "greeting": greeting, "home": home, "bulletin": bulletin, "public_notice": public,
            "private_notice": private, "handbook": handbook, "document": document, "notice_attachment": attachment,
            "image": image, "edition": edition, "draft_page": draft_page, "page_revision": page_revision,
            "plan": plan, "visit_policy": policy, "deadline_policy": deadline_policy, "invitation": invitation,
            "invitation_token": secret, "import_token": token, "audit_export": export, "redirect": redirect,
            "door_token": meeting_door_token(meeting), "checklist_item": ChecklistItem.objects.filter(centre=centre).last(),
            "letter_template": centre.letter_template, "collection": centre_collection(centre),
            "editor_group": editor_group(centre), "reviewer_group": reviewer_group(centre),
            "workflow": Workflow.objects.get(workflow_pages__page=home),
            "site": home.get_site(), "staff": ops[key], "membership": StaffMembership.objects.get(user=ops[key]),
            "centre": centre,
        }

    for key in VARIANTS:
        drafter, leader, seal, centre = chain["B" if key == "B" else "A"]
        m, tenant = marker_of[key], tenant_of[key]
        shared = centre_records["B" if key == "B" else "A"]
        letter = _letter_chain(drafter, leader, seal, centre, f"{m}整改通知", [tenant])
        delivery = Delivery.objects.get(letter=letter, tenant=tenant)
        with TestCase.captureOnCommitCallbacks(execute=True):
            receipt = receipt_record_paper(delivery=delivery, actor=ops[key], signer_name=f"{m}签收人",
                                           signed_at=now - timedelta(hours=1),
                                           scan=SimpleUploadedFile("scan.png", PNG_BYTES, content_type="image/png"))
        sr = _request(ops[key], tenant, m)
        recording = recording_attach(actor=ops[key], service_request=sr, upload=_wav(), note=f"{m}录音")
        hold = recording_hold(actor=ops[key], recording=recording, reason=f"{m}未结案件",
                              keep_until=today + timedelta(days=60))
        deposit = storage_deposit(actor=ops[key], tenant=tenant, items=f"{m}装修图纸", quantity=2,
                                  location=f"{m}服务台", depositor_name=f"{m}王店长")
        document = document_upload(actor=ops[key], tenant=tenant, kind="fire_permit", title=f"{m}消防许可证",
                                   upload=pdf_upload())
        grant = access_request(actor=ops[key], tenant=tenant, reason=f"{m}核对租约", hours=2)
        form = record(shared["round"], tenant, ops[key], fail=1, photos=[_png()])
        case = RectificationCase.objects.filter(tenant=tenant).first()
        unit = tenant.units.first()
        code = unit_code_for(unit, actor=ops[key])
        visit = visit_record_create(actor=ops[key], tenant=tenant, mode="phone", people_met=f"{m}店长",
                                    topics=f"{m}经营情况", photos=[_png()])
        suggestion = meeting_suggestion_add(actor=ops[key], meeting=shared["meeting"], tenant=tenant,
                                            subject=f"{m}建议增加停车位")
        planned = PlannedVisit.objects.filter(tenant=tenant).first()
        recipient = AlertRecipient.objects.filter(alert=shared["alert"], tenant=tenant).first()
        aw.by_variant[key] = {
            **shared,
            "tenant": tenant, "unit": unit, "contact": tenant.contacts.first(), "letter": letter,
            "letter_attachment": letter.attachments.first(), "delivery": delivery, "receipt": receipt,
            "seal_use": SealUse.objects.filter(letter=letter).first(), "service_request": sr,
            "request_photo": sr.photos.first(), "recording": recording, "hold": hold, "deposit": deposit,
            "archive_document": document, "grant": grant, "fire_form": form, "fire_case": case,
            "fire_photo": form.photos.first(),
            "unit_token": unit_token(code), "visit": visit, "visit_photo": visit.photos.first(),
            "suggestion": suggestion, "planned_visit": planned, "alert_recipient": recipient,
            "user": {"A": w.signer_a, "Y": w.signer_a2, "B": w.signer_b}[key],
            "centre": centre_of[key],
        }
    # The letter nobody has signed: X and Y both receive it.
    aw.open_letter = _letter_chain(w.drafter_a, w.leader_a, w.seal_a, w.centre_a, "ZZA-停水通知",
                                   [w.tenant_a, w.tenant_a2], attach=False)
    for key in VARIANTS:
        aw.by_variant[key]["task_state"] = _task_state(aw.by_variant[key]["pending_letter"])
        aw.by_variant[key]["page_task_state"] = _task_state(aw.by_variant[key]["draft_page"])
        aw.by_variant[key]["letter_revision"] = Revision.objects.for_instance(aw.by_variant[key]["pending_letter"]).first()
    return aw


def _task_state(obj) -> TaskState | None:
    state = WorkflowState.objects.for_instance(obj).filter(status="in_progress").first()
    return state.current_task_state if state else None


def _request(actor, tenant, marker):
    from tenants.services.requests import request_create

    return request_create(actor=actor, tenant=tenant, category="repair", channel="hotline",
                          subject=f"{marker}空调不制冷", description=f"{marker}店内空调出风不冷。", photos=[_png()])

