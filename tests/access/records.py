"""The records of the access test's world (world.py), for one centre or one
tenant at a time: each made through the service a person would use, and each
carrying its owner's marker (ZZA-/ZZB- centre, ZZX-/ZZY-/ZZB- tenant) in its
text."""

from __future__ import annotations

import io
import wave
from dataclasses import dataclass
from datetime import timedelta

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from wagtail.contrib.redirects.models import Redirect
from wagtail.documents.models import Document
from wagtail.images.models import Image
from wagtail.models import Workflow

from notices.fire.models import ChecklistItem, RectificationCase
from notices.models import Delivery, LetterAttachment, SealUse
from notices.services.receipts import receipt_record_paper
from notices.services.receipts_zip import receipts_zip_request
from portal.broadcasts.services import alert_create, alert_send
from portal.models import (
    AlertRecipient,
    HolidayGreeting,
    NoticeAttachment,
    NoticeIndexPage,
    NoticePage,
    Role,
    StaffMembership,
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
from tests.base import PDF_BYTES, PNG_BYTES, World, pdf_upload
from tests.fire.helpers import fire_round, record
from tests.notices.letters import decide, draft_letter, submit
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
from visits.services.survey_links import survey_link_path
from visits.services.surveys import survey_create, survey_set_status

MARKER_OF = {"A": "ZZX-", "Y": "ZZY-", "B": "ZZB-"}  # the tenant of each variant


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
class Cast:
    """Who acts, and for whom, in each centre ("A", "B") and variant ("A":
    centre A and tenant X, "Y": centre A and tenant Y, "B": centre B)."""

    w: World
    chain: dict  # centre -> (drafter, leader, seal keeper, centre)
    reviewer: dict  # centre -> web reviewer
    editor: dict  # centre -> web editor
    ops: dict  # variant -> operations staff
    tenant: dict  # variant -> tenant
    today: object = None
    now: object = None

    @staticmethod
    def centre_of(variant: str) -> str:
        return "B" if variant == "B" else "A"


def letter_chain(drafter, leader, seal, centre, title, tenants, *, attach=True):
    """A letter to `tenants` taken through the whole chain (stamped, delivered)."""
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


def site(centre, marker, reviewer):
    """The centre's web site: a public and a tenants-only notice with its
    document, the handbook with a chapter, and a picture."""
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


def centre_records(cast: Cast, key: str, pages: tuple) -> dict:
    home, bulletin, public, private, handbook, document, attachment, image = pages
    records = {**_centre_activity(cast, key), **_centre_pages(cast, key, handbook, bulletin),
               **_centre_settings(cast, key, home), **_centre_board(cast, key)}
    centre, ops = cast.chain[key][3], cast.ops[key]
    return {
        **records, "home": home, "bulletin": bulletin, "public_notice": public, "private_notice": private,
        "handbook": handbook, "document": document, "notice_attachment": attachment, "image": image,
        "door_token": meeting_door_token(records["meeting"]),
        "checklist_item": ChecklistItem.objects.filter(centre=centre).last(),
        "letter_template": centre.letter_template, "collection": centre_collection(centre),
        "editor_group": editor_group(centre), "reviewer_group": reviewer_group(centre),
        "workflow": Workflow.objects.get(workflow_pages__page=home),
        "site": home.get_site(), "staff": ops, "membership": StaffMembership.objects.get(user=ops),
        "centre": centre,
    }


def _centre_activity(cast: Cast, key: str) -> dict:
    """A letter waiting for its leader, a fire round, a meeting with its
    minutes, an open survey, a sent alert and a holiday greeting."""
    drafter, _leader, _seal, centre = cast.chain[key]
    m, ops, today, now = ("ZZB-" if key == "B" else "ZZA-"), cast.ops[key], cast.today, cast.now
    pending = draft_letter(drafter, centre, title=f"{m}待审公函", body=f"<p>{m}待审。</p>", recipient_mode="all")
    submit(pending, drafter)
    rnd = fire_round(centre)
    meeting = meeting_schedule(actor=ops, centre=centre, kind="quarterly", title=f"{m}四季度租户大会",
                               starts_at=now - timedelta(hours=2), ends_at=now - timedelta(minutes=10),
                               location=f"{m}会议室", agenda=f"{m}年终促销")  # just over: minutes published, door still open
    meeting_save_minutes(actor=ops, meeting=meeting, minutes=f"{m}会议纪要", upload=pdf_upload(), publish=True)
    with TestCase.captureOnCommitCallbacks(execute=True):
        survey = survey_create(actor=ops, centre=centre, title=f"{m}满意度调查", opens_on=today,
                               closes_on=today + timedelta(days=14))
        survey_set_status(actor=ops, survey=survey, status="open")
    with TestCase.captureOnCommitCallbacks(execute=True):
        alert = alert_create(actor=ops, kind="typhoon", level="orange", title=f"{m}台风橙色预警",
                             message=f"{m}请加固门窗。", centres=[centre])
        alert_send(actor=ops, alert=alert)
    greeting = HolidayGreeting.objects.create(centre=centre, holiday="春节", send_on=today + timedelta(days=30),
                                              title=f"{m}新春贺词", message=f"{m}恭贺新禧")
    return {"pending_letter": pending, "round": rnd, "meeting": meeting, "survey": survey, "alert": alert,
            "greeting": greeting}


def _centre_pages(cast: Cast, key: str, handbook, bulletin) -> dict:
    """A handbook edition, and a page waiting in the centre's review workflow."""
    m = "ZZB-" if key == "B" else "ZZA-"
    with TestCase.captureOnCommitCallbacks(execute=True):
        edition = handbook_edition_issue(actor=cast.reviewer[key], handbook=handbook, changes=f"{m}第一版",
                                         requires_ack=True)
    fee_notice = _fee_notice(cast, key, m, handbook.get_parent())
    draft_page = NoticePage(title=f"{m}待审公告", slug="pending", audience="tenants", category="general",
                            body=f"<p>{m}待审。</p>", live=False)
    bulletin.add_child(instance=draft_page)
    page_revision = draft_page.save_revision(user=cast.editor[key])
    with TestCase.captureOnCommitCallbacks(execute=True):
        draft_page.get_workflow().start(draft_page, cast.editor[key])
    return {"edition": edition, "draft_page": draft_page, "page_revision": page_revision, "fee_notice": fee_notice}


def _fee_notice(cast: Cast, key: str, m: str, home):
    """A fee schedule in force, whose printable notice its publishing makes."""
    from datetime import date

    from portal.models import FeeItem, FeeNotice, FeeScheduleIndexPage, FeeSchedulePage

    fees = publish(home, FeeScheduleIndexPage(title=f"{m}收费标准", slug="fees", audience="public"), by=cast.reviewer[key])
    schedule = FeeSchedulePage(title=f"{m}年度收费标准", slug="fees-now", effective_from=date(2020, 1, 1))
    schedule.items = [FeeItem(kind="service", name=f"{m}物业服务费", price="28.00", unit="元/m²/月")]
    with TestCase.captureOnCommitCallbacks(execute=True):
        publish(fees, schedule, by=cast.reviewer[key])
    return FeeNotice.objects.get(schedule=schedule)


def _centre_settings(cast: Cast, key: str, home) -> dict:
    """The visit plan and policies, an invitation, an import waiting for
    confirmation, a finished audit export and a redirect."""
    centre, ops, m, today = cast.chain[key][3], cast.ops[key], ("ZZB-" if key == "B" else "ZZA-"), cast.today
    plan = plan_sync(centre=centre, year=today.year)
    policy, _ = VisitPolicy.objects.get_or_create(centre=centre)
    deadline_policy = DeadlinePolicy.objects.filter(centre=centre).first() or DeadlinePolicy.objects.create(centre=centre)
    invitation, secret = invitation_create(inviter=cast.w.manager, email=f"new-{key.lower()}@test",
                                           kind="staff", full_name=f"{m}新同事", centre=centre, role=Role.OPERATIONS)
    token = ImportJob.objects.create(token=f"importjob{key}0000000000000000", user=ops, resource="tenants",
                                     file=ContentFile(f"{m}导入".encode(), name="t.csv"),
                                     original_name=f"{m}租户.csv", file_format="csv", valid=True,
                                     totals={"new": 1}).token
    export = AuditExport.objects.create(kind="zip", requested_by=ops, centre_ids=[centre.pk], start=today,
                                        end=today, status="done", file=ContentFile(f"{m}导出".encode(), name="e.zip"))
    redirect = Redirect.objects.create(old_path=f"/{m.lower()}old", redirect_link="/", site=home.get_site())
    return {"plan": plan, "visit_policy": policy, "deadline_policy": deadline_policy, "invitation": invitation,
            "invitation_token": secret, "import_token": token, "audit_export": export, "redirect": redirect}


def tenant_records(cast: Cast, key: str, by_centre: dict) -> dict:
    shared = by_centre[cast.centre_of(key)]
    tenant = cast.tenant[key]
    letter = _tenant_letter(cast, key)
    desk = _tenant_desk(cast, key)
    visits = _tenant_visits(cast, key, shared)
    board = _tenant_board(cast, key)
    return {
        **letter, **desk, **visits, **board,
        "tenant": tenant, "contact": tenant.contacts.first(),
        "survey_link_token": survey_link_path(shared["survey"], tenant.contacts.first()).rstrip("/").rsplit("/", 1)[1],
        "user": {"A": cast.w.signer_a, "Y": cast.w.signer_a2, "B": cast.w.signer_b}[key],
        "centre": cast.chain[cast.centre_of(key)][3],
    }


def _tenant_letter(cast: Cast, key: str) -> dict:
    """A letter stamped and delivered to the tenant, signed for on paper, and its receipts ZIP."""
    drafter, leader, seal, centre = cast.chain[cast.centre_of(key)]
    m, tenant = MARKER_OF[key], cast.tenant[key]
    letter = letter_chain(drafter, leader, seal, centre, f"{m}整改通知", [tenant])
    delivery = Delivery.objects.get(letter=letter, tenant=tenant)
    with TestCase.captureOnCommitCallbacks(execute=True):
        receipt = receipt_record_paper(delivery=delivery, actor=cast.ops[key], signer_name=f"{m}签收人",
                                       signed_at=cast.now - timedelta(hours=1),
                                       scan=SimpleUploadedFile("scan.png", PNG_BYTES, content_type="image/png"))
    with TestCase.captureOnCommitCallbacks(execute=True):  # the worker packs it in-process
        receipts_zip = receipts_zip_request(letter=letter, actor=cast.ops[key])
    return {"letter": letter, "letter_attachment": letter.attachments.first(), "delivery": delivery,
            "receipt": receipt, "seal_use": SealUse.objects.filter(letter=letter).first(),
            "receipts_zip": receipts_zip}


def _tenant_desk(cast: Cast, key: str) -> dict:
    """The service desk and the archive: a request with its recording (on
    hold), a deposit, an archive document and an access grant."""
    m, tenant, ops = MARKER_OF[key], cast.tenant[key], cast.ops[key]
    sr = _request(ops, tenant, m)
    recording = recording_attach(actor=ops, service_request=sr, upload=_wav(), note=f"{m}录音")
    hold = recording_hold(actor=ops, recording=recording, reason=f"{m}未结案件",
                          keep_until=cast.today + timedelta(days=60))
    deposit = storage_deposit(actor=ops, tenant=tenant, items=f"{m}装修图纸", quantity=2,
                              location=f"{m}服务台", depositor_name=f"{m}王店长")
    document = document_upload(actor=ops, tenant=tenant, kind="fire_permit", title=f"{m}消防许可证",
                               upload=pdf_upload())
    grant = access_request(actor=ops, tenant=tenant, reason=f"{m}核对租约", hours=2)
    return {"service_request": sr, "request_photo": sr.photos.first(), "recording": recording, "hold": hold,
            "deposit": deposit, "archive_document": document, "grant": grant}


def _tenant_visits(cast: Cast, key: str, shared: dict) -> dict:
    """A failed fire-safety form with its case, the unit's QR token, a visit,
    a meeting suggestion, the planned visit and the alert's recipient row."""
    m, tenant, ops = MARKER_OF[key], cast.tenant[key], cast.ops[key]
    form = record(shared["round"], tenant, ops, fail=1, photos=[_png()])
    case = RectificationCase.objects.filter(tenant=tenant).first()
    unit = tenant.units.first()
    code = unit_code_for(unit, actor=ops)
    visit = visit_record_create(actor=ops, tenant=tenant, mode="phone", people_met=f"{m}店长",
                                topics=f"{m}经营情况", photos=[_png()])
    suggestion = meeting_suggestion_add(actor=ops, meeting=shared["meeting"], tenant=tenant,
                                        subject=f"{m}建议增加停车位")
    return {
        "fire_form": form, "fire_case": case, "fire_photo": form.photos.first(), "unit": unit,
        "unit_token": unit_token(code), "visit": visit, "visit_photo": visit.photos.first(),
        "suggestion": suggestion, "planned_visit": PlannedVisit.objects.filter(tenant=tenant).first(),
        "alert_recipient": AlertRecipient.objects.filter(alert=shared["alert"], tenant=tenant).first(),
    }


def _request(actor, tenant, marker):
    from tenants.services.requests import request_create

    return request_create(actor=actor, tenant=tenant, category="repair", channel="hotline",
                          subject=f"{marker}空调不制冷", description=f"{marker}店内空调出风不冷。", photos=[_png()])


def _centre_board(cast: Cast, key: str) -> dict:
    """The feedback board's centre-wide records: its settings, a hot issue and
    a telephone block waiting for the leader."""
    from tenants.feedback.models import BoardSettings, HotIssue, PhoneBlock

    centre, ops, m = cast.chain[key][3], cast.ops[key], ("ZZB-" if key == "B" else "ZZA-")
    settings = BoardSettings.objects.create(centre=centre, public_may_post=False)
    issue = HotIssue.objects.create(centre=centre, kind="complaint", title=f"{m}停车难", owner=ops,
                                    response_plan=f"{m}增设临时车位")
    phones = PhoneBlock(centre=centre, drafter=ops, emergency="0571-1000-0119", service="0571-1000-0000",
                        complaint="0571-1000-0315", live=False)
    phones.save()
    phones_revision = phones.save_revision(user=ops)
    with TestCase.captureOnCommitCallbacks(execute=True):
        phones.get_workflow().start(phones, ops)
    return {"board_settings": settings, "hot_issue": issue, "phone_block": phones, "phones_revision": phones_revision}


def _tenant_board(cast: Cast, key: str) -> dict:
    """The tenant's post on the board, hidden by staff (so that only the
    tenant and the centre's staff see it), and a reply waiting for review."""
    from tenants.feedback.models import FeedbackReply
    from tenants.feedback.services import board_moderate, board_post

    m, tenant, ops = MARKER_OF[key], cast.tenant[key], cast.ops[key]
    signer = {"A": cast.w.signer_a, "Y": cast.w.signer_a2, "B": cast.w.signer_b}[key]
    post = board_post(actor=signer, tenant=tenant, kind="complaint", subject=f"{m}卫生间漏水", body=f"{m}二楼卫生间漏水。")
    board_moderate(actor=ops, post=post, show=False)
    reply = FeedbackReply(post=post, drafter=ops, department="operations", body=f"{m}已派工程部维修。", live=False)
    reply.save()
    reply_revision = reply.save_revision(user=ops)
    with TestCase.captureOnCommitCallbacks(execute=True):
        reply.get_workflow().start(reply, ops)
    return {"feedback_post": post, "feedback_reply": reply, "reply_revision": reply_revision}
