"""Demo data for the tenant archive's documents and confidentiality, call
recordings and the temporary storage log — made through the same services
staff use, so files are content-checked and every step is audited.
Idempotent: a centre that already has documents is left alone."""

from __future__ import annotations

import io
import wave
from datetime import timedelta
from decimal import Decimal

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from portal.models import Department, Role, StaffMembership, User
from tenants.models import (
    ArchiveDocument,
    RequestEntry,
    ServiceRequest,
    Tenant,
    TenantStatus,
)
from tenants.services.archive import access_decide, access_request, document_upload
from tenants.services.recordings import (
    recording_attach,
    recording_hold,
    recording_purge,
)
from tenants.services.request_status import request_close
from tenants.services.requests import request_create
from tenants.services.storage import storage_collect, storage_deposit

ARCHIVIST = ("archivist@a.atrium.demo", "钱静", "BJ")


def tiny_pdf(title: str) -> bytes:
    """A one-page PDF that any reader opens (ASCII text only: no fonts)."""
    text = title.encode("ascii", "replace").decode()
    stream = f"BT /F1 18 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % i + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for off in offsets:
        out.write(b"%010d 00000 n \n" % off)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def tiny_wav(seconds: float = 1.0, hz: int = 440) -> bytes:
    """A short 8 kHz mono tone: a valid WAV, generated, not shipped."""
    import math

    rate = 8000
    frames = bytes(int(128 + 60 * math.sin(2 * math.pi * hz * i / rate)) for i in range(int(rate * seconds)))
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(1)
        w.setframerate(rate)
        w.writeframes(frames)
    return out.getvalue()


def _archivist(operator, centre) -> User:
    """An operations clerk who holds the explicit confidentiality permission."""
    email, name, _code = ARCHIVIST
    user = User.objects.filter(email=email).first() or User(email=email)
    user.full_name, user.is_active = name, True
    user.set_password(settings.ATRIUM_DEMO_PASSWORD)
    user.save()
    EmailAddress.objects.update_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
    StaffMembership.objects.update_or_create(
        user=user, centre=centre, role=Role.OPERATIONS, operator=operator,
        defaults={"department": Department.OPERATIONS, "active": True},
    )
    user.user_permissions.add(Permission.objects.get(codename="view_confidential", content_type__app_label="tenants"))
    return User.objects.get(pk=user.pk)


def seed_archive(centres: dict) -> None:
    bj, cb = centres["BJ"], centres["CB"]
    archivist = _archivist(bj.operator, bj)
    manager = User.objects.get(email="manager@atrium.demo")
    for centre, ops_email in ((bj, "ops@a.atrium.demo"), (cb, "ops@b.atrium.demo")):
        if ArchiveDocument.objects.filter(tenant__centre=centre).exists():
            continue
        ops = User.objects.get(email=ops_email)
        tenants = list(Tenant.objects.filter(centre=centre, status=TenantStatus.OPEN).order_by("code")[:8])
        _documents(tenants, ops=ops, keeper=archivist if centre == bj else None)
        _confidential_fields(tenants)
        _recordings(centre, ops)
        _storage(tenants, ops)
    _access_requests(bj, manager)


def _pdf(name: str):
    return SimpleUploadedFile(name, tiny_pdf(name), content_type="application/pdf")


def _documents(tenants, *, ops, keeper) -> None:
    today = timezone.localdate()
    plan = [
        ("business_licence", "营业执照", -800, 3000, False),
        ("fire_permit", "消防安全检查合格证", -340, 20, True),    # expires soon
        ("food_licence", "食品经营许可证", -1800, -5, True),       # expired
        ("insurance", "公众责任险保单", -280, 85, True),
    ]
    for i, tenant in enumerate(tenants[:6]):
        for kind, title, issued, expires, renews in plan[: 2 + i % 3]:
            document_upload(
                actor=ops, tenant=tenant, kind=kind, title=title, upload=_pdf(f"{kind}-{tenant.code}.pdf"),
                issued_on=today + timedelta(days=issued), expires_on=today + timedelta(days=expires),
                tenant_renews=renews,
            )
    # A replaced fire permit keeps its predecessor as a version.
    old = ArchiveDocument.objects.filter(tenant=tenants[1], kind="fire_permit").first()
    if old is not None:
        document_upload(
            actor=ops, tenant=tenants[1], kind="fire_permit", title="消防安全检查合格证（换证）",
            upload=_pdf(f"fire-renewed-{tenants[1].code}.pdf"), issued_on=today, expires_on=today + timedelta(days=365),
            tenant_renews=True, replaces=old,
        )
    if keeper is not None:
        lease_end = tenants[0].lease_end or today + timedelta(days=700)
        document_upload(
            actor=keeper, tenant=tenants[0], kind="lease", title="租赁合同（正本扫描件）",
            upload=_pdf(f"lease-{tenants[0].code}.pdf"), issued_on=tenants[0].lease_start,
            expires_on=lease_end, confidentiality="confidential",
        )


def _confidential_fields(tenants) -> None:
    for i, tenant in enumerate(tenants[:6]):
        tenant.monthly_rent = Decimal(18000 + 2500 * i)
        tenant.lease_terms = "前三个月免租；每年租金递增 5%；保证金为三个月租金。"
        tenant.save(update_fields=["monthly_rent", "lease_terms"])
        contact = tenant.contacts.filter(may_sign=True).first()
        if contact is not None and not contact.personal_phone:
            contact.personal_phone = f"139{10000000 + i * 1111:08d}"
            contact.save(update_fields=["personal_phone"])


def _wav(name: str):
    return SimpleUploadedFile(name, tiny_wav(), content_type="audio/wav")


def _recordings(centre, ops) -> None:
    """Recordings in each state the rule allows: kept on an open request, held
    on a major complaint still open, and two hotline calls of cases closed
    weeks ago — one due for tonight's purge, one purged. Each call is dated
    when its request was received: that call is what raised it."""
    open_requests = ServiceRequest.objects.filter(centre=centre).open()
    recent = open_requests.order_by("-created_at").first()
    major = open_requests.filter(severity="major").first()
    if recent is None:
        return
    for sr, note, fate in ((recent, "热线来电录音", "kept"), (major or recent, "重大投诉来电，待赔偿协商", "held")):
        rec = recording_attach(actor=ops, service_request=sr, upload=_wav(f"call-{sr.number}.wav"),
                               recorded_at=sr.created_at, note=note)
        if fate == "held":
            recording_hold(actor=ops, recording=rec, reason="重大投诉尚未结案，录音作为协商证据保留。",
                           keep_until=timezone.localdate() + timedelta(days=90))
    for days, subject, fate in ((40, "咨询停车优惠（已电话答复）", "due"), (60, "咨询营业时间调整（已电话答复）", "purged")):
        sr = _closed_long_ago(recent.tenant, ops, days=days, subject=subject)
        rec = recording_attach(actor=ops, service_request=sr, upload=_wav(f"call-{sr.number}.wav"),
                               recorded_at=sr.created_at, note="咨询来电录音（已过保存期）")
        if fate == "purged":
            recording_purge(recording_id=rec.pk)


def _closed_long_ago(tenant, ops, *, days: int, subject: str) -> ServiceRequest:
    """A hotline enquiry answered on the phone `days` ago: recorded and closed
    through the services, then dated back (a demo's history, not a change
    anyone could make)."""
    sr = request_create(actor=ops, tenant=tenant, channel="hotline", category="enquiry", subject=subject,
                        description=subject, received_at=timezone.now() - timedelta(days=days))
    request_close(actor=ops, service_request=sr, resolution="已电话答复。")
    closed = sr.created_at + timedelta(hours=2)
    ServiceRequest.objects.filter(pk=sr.pk).update(closed_at=closed, responded_at=closed)
    RequestEntry.objects.filter(request=sr, to_status="closed").update(at=closed)
    sr.refresh_from_db()
    return sr


def _storage(tenants, ops) -> None:
    now = timezone.now()
    plan = [
        (0, "装修图纸", 1, "服务台后柜 A-1", 1, "collected"),
        (1, "快递包裹（待店员领取）", 3, "服务台寄存架 2 层", 0, "waiting"),
        (2, "展架及宣传物料", 5, "B1 仓库 3 号位", 12, "waiting"),  # left too long
        (3, "钥匙一串（已封存）", 1, "服务台保险柜", 3, "collected_id"),
    ]
    for index, items, qty, where, days, fate in plan:
        tenant = tenants[index % len(tenants)]
        contact = tenant.contacts.filter(active=True).first()
        entry = storage_deposit(actor=ops, tenant=tenant, contact=contact, items=items, quantity=qty, location=where,
                                depositor_name="" if contact else "店员", deposited_at=now - timedelta(days=days))
        if fate == "collected":
            storage_collect(actor=ops, deposit=entry, collector_name=contact.name if contact else "店员")
        elif fate == "collected_id":
            storage_collect(actor=ops, deposit=entry, collector_name="店长助理", id_checked=True, id_last4="0427")


def _access_requests(centre, manager) -> None:
    ops = User.objects.get(email="ops@a.atrium.demo")
    tenants = list(Tenant.objects.filter(centre=centre, status=TenantStatus.OPEN).order_by("code")[:3])
    if not tenants or ops.archive_access_requests.exists():
        return
    access_request(actor=ops, tenant=tenants[0], reason="核对续租谈判所需的租金与租赁条款。", hours=24)
    granted = access_request(actor=ops, tenant=tenants[1], reason="处理租户保证金退还，需要查看合同。", hours=8)
    access_decide(actor=manager, grant=granted, approve=True)
