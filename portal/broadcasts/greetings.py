"""Holiday greetings: prepared a few days before each Chinese public holiday
(chinese-calendar), edited and approved by staff, sent on the day."""

from __future__ import annotations

from datetime import date, timedelta

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.access import centres_for, has_role
from portal.audit import audit_record
from portal.models.accounts import Role
from portal.models.broadcasts import GreetingStatus, HolidayGreeting

from .calendar import holiday_starts

PREPARE_DAYS_AHEAD = 5
# A holiday's greeting already there within this many days of the day found
# (one added by hand while the calendar did not know the year, on a date
# the official arrangement then moved) is that holiday's: none is added.
SAME_HOLIDAY_DAYS = 10
EDIT_ROLES = (Role.OPERATIONS, Role.WEB_EDITOR, Role.WEB_REVIEWER, Role.MANAGER)
APPROVE_ROLES = (Role.WEB_REVIEWER, Role.LEADER, Role.MANAGER)

# chinese-calendar names holidays in English; tenants read Chinese.
HOLIDAY_NAMES = {
    "New Year's Day": ("元旦", "新年快乐，万事如意！"),
    "Spring Festival": ("春节", "恭贺新春，阖家幸福，生意兴隆！"),
    "Tomb-sweeping Day": ("清明节", "清明时节，愿您出行平安，身体健康。"),
    "Labour Day": ("劳动节", "劳动节快乐！感谢您一直以来的辛勤经营。"),
    "Dragon Boat Festival": ("端午节", "端午安康，粽香情浓！"),
    "National Day": ("国庆节", "国庆快乐，盛世同庆，生意红火！"),
    "Mid-autumn Festival": ("中秋节", "中秋快乐，花好月圆，阖家团圆！"),
    "Anti-Fascist 70th Day": ("抗战胜利纪念日", "铭记历史，珍爱和平。"),
}


def default_text(centre, name: str) -> tuple[str, str, str]:
    label, wish = HOLIDAY_NAMES.get(name, (name, "节日快乐！"))
    title = f"{centre.name}恭祝您{label}快乐"
    message = f"尊敬的各位商户：\n\n{label}将至，{centre.name}全体员工祝您{wish}\n节日期间客户服务中心照常值班，24小时服务热线：{centre.hotline}。"
    return label, title, message


def greetings_prepare_upcoming(*, today: date | None = None, days: int = PREPARE_DAYS_AHEAD) -> list[HolidayGreeting]:
    """Draft one greeting per centre for each holiday starting in the next
    `days` days. Idempotent: the (centre, day) pair is unique."""
    from tenants.models import Centre

    today = today or timezone.localdate()
    created = []
    for day, name in holiday_starts(today, today + timedelta(days=days)):
        for centre in Centre.objects.all():
            label, title, message = default_text(centre, name)
            if _has_greeting_near(centre, label, day):
                continue
            try:
                with transaction.atomic():
                    greeting, made = HolidayGreeting.objects.get_or_create(
                        centre=centre, send_on=day, defaults={"holiday": label, "title": title, "message": message}
                    )
            except IntegrityError:
                continue
            if made:
                audit_record(actor=None, action="greeting.prepared", obj=greeting, centre=centre)
                created.append(greeting)
    return created


def _has_greeting_near(centre, label: str, day: date) -> bool:
    window = timedelta(days=SAME_HOLIDAY_DAYS)
    return HolidayGreeting.objects.filter(
        centre=centre, holiday=label, send_on__range=(day - window, day + window)
    ).exclude(send_on=day).exists()


def greeting_create(*, actor, centre, holiday: str, send_on: date, title: str = "", message: str = "") -> HolidayGreeting:
    """A greeting staff add by hand, for any day to come: a holiday the
    calendar does not know yet, or one it leaves out. A draft, approved like
    the prepared ones; one per centre and day (a double submit adds nothing)."""
    if not has_role(actor, centre, *EDIT_ROLES):
        raise PermissionDenied
    if send_on < timezone.localdate():
        raise ValueError(_("Choose a day that has not passed yet."))
    label, default_title, default_message = default_text(centre, holiday)
    if _has_greeting_near(centre, label, send_on):
        raise ValueError(_("This centre already has a greeting for this holiday within a few days of that date."))
    try:
        with transaction.atomic():
            greeting = HolidayGreeting.objects.create(
                centre=centre, send_on=send_on, holiday=label, title=title.strip() or default_title,
                message=message.strip() or default_message, edited_by=actor,
            )
            audit_record(actor=actor, action="greeting.created", obj=greeting, centre=centre)
    except IntegrityError as exc:
        raise ValueError(_("This centre already has a greeting on that day.")) from exc
    return greeting


def greetings_visible_to(user):
    return HolidayGreeting.objects.filter(centre__in=centres_for(user, EDIT_ROLES + APPROVE_ROLES))


def greeting_edit(*, actor, greeting: HolidayGreeting, title: str, message: str) -> HolidayGreeting:
    with transaction.atomic():
        greeting = HolidayGreeting.objects.select_for_update().get(pk=greeting.pk)
        if not has_role(actor, greeting.centre, *EDIT_ROLES):
            raise PermissionDenied
        if greeting.status not in (GreetingStatus.DRAFT, GreetingStatus.APPROVED):
            raise ValueError(_("A sent or cancelled greeting cannot be changed."))
        greeting.title, greeting.message, greeting.edited_by = title.strip(), message.strip(), actor
        # Changed text needs approving again.
        greeting.status, greeting.approved_by, greeting.approved_at = GreetingStatus.DRAFT, None, None
        greeting.save()
        audit_record(actor=actor, action="greeting.edited", obj=greeting)
    return greeting


def may_approve_text(actor, greeting: HolidayGreeting) -> bool:
    """Four eyes, as for pages (4.16): who last wrote the text does not
    approve it; a text the system prepared may be approved by any approver."""
    return greeting.edited_by_id != actor.pk


def greeting_decide(*, actor, greeting: HolidayGreeting, approve: bool) -> HolidayGreeting:
    with transaction.atomic():
        greeting = HolidayGreeting.objects.select_for_update().get(pk=greeting.pk)
        if not has_role(actor, greeting.centre, *APPROVE_ROLES):
            raise PermissionDenied
        if greeting.status != GreetingStatus.DRAFT:
            raise ValueError(_("Only a greeting awaiting approval can be approved or cancelled."))
        if approve and not may_approve_text(actor, greeting):
            raise ValueError(_("You wrote this greeting's text: another approver must approve it."))
        if approve:
            greeting.status, greeting.approved_by, greeting.approved_at = GreetingStatus.APPROVED, actor, timezone.now()
        else:
            greeting.status = GreetingStatus.CANCELLED
        greeting.save()
        audit_record(actor=actor, action="greeting.approved" if approve else "greeting.cancelled", obj=greeting)
    if approve and greeting.send_on <= timezone.localdate():
        from .tasks import greeting_send

        transaction.on_commit(lambda: greeting_send.delay(greeting.pk))
    return greeting


def greeting_key(greeting_id: int, email: str) -> str:
    return f"greeting:{greeting_id}:{email.lower()}"


def greetings_due(*, today: date | None = None) -> list[int]:
    """Approved greetings whose day has come, and today's sent ones that not
    every address has had yet (a worker died half-way)."""
    from portal.models.outbox import OutboxEntry

    today = today or timezone.localdate()
    due = list(HolidayGreeting.objects.filter(status=GreetingStatus.APPROVED, send_on__lte=today).values_list("pk", flat=True))
    for greeting in HolidayGreeting.objects.filter(status=GreetingStatus.SENT, send_on=today):
        done = OutboxEntry.objects.filter(key__startswith=f"greeting:{greeting.pk}:", done_at__isnull=False).count()
        if done < greeting.recipients:
            due.append(greeting.pk)
    return due


def greeting_deliver(greeting_id: int) -> int:
    """Email every active contact of the centre's current tenants, once each:
    every address is a message of its own (tenants must not see each other's
    emails), claimed before it is sent (portal.outbox), so a redelivered task
    or a second run on the day sends only what was not handed over yet."""
    from django.core.mail import EmailMessage

    from portal.outbox import send_once
    from tenants.models import Contact

    today = timezone.localdate()
    with transaction.atomic():
        greeting = HolidayGreeting.objects.select_for_update().select_related("centre").filter(pk=greeting_id).first()
        if greeting is None or greeting.send_on > today:
            return 0
        if not (greeting.status == GreetingStatus.APPROVED or greeting.status == GreetingStatus.SENT and greeting.send_on == today):
            return 0
        emails = sorted(set(
            Contact.objects.active().filter(tenant__centre=greeting.centre, tenant__in=greeting.centre.tenants.current())
            .exclude(email="").values_list("email", flat=True)
        ))
        if greeting.status == GreetingStatus.APPROVED:
            greeting.status, greeting.sent_at, greeting.recipients = GreetingStatus.SENT, timezone.now(), len(emails)
            greeting.save(update_fields=["status", "sent_at", "recipients"])
            audit_record(actor=None, action="greeting.sent", obj=greeting, details={"recipients": len(emails)})
    sent = 0
    for email in emails:
        message = EmailMessage(greeting.title, greeting.message, None, [email])
        sent += send_once(greeting_key(greeting.pk, email), emails=[message])
    return sent
