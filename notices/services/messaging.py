"""Emails and texts to tenants about their letters, in Chinese.

Built in bulk (one contacts query per batch, one SMTP connection per batch),
because a general notice goes to every tenant of a centre at once."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from notices.models import Delivery, Letter
from portal.access import users_with_role
from portal.mail_batch import EmailBatch
from portal.models.accounts import Role
from portal.sms import SmsMessage, send_sms
from tenants.models import Contact


def site_url(path: str) -> str:
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + path


def inbox_url(delivery: Delivery) -> str:
    return site_url(reverse("notices_inbox:letter", args=[delivery.pk]))


def inbox_urls() -> Callable[[int], str]:
    """The inbox link of a delivery by its id, for a batch: `reverse` runs
    once, not once per tenant (it costs about as much as filling in the
    tenant's email)."""
    mark = "9876543210"
    parts = inbox_url(Delivery(pk=int(mark))).split(mark)
    if len(parts) != 2:
        return lambda pk: inbox_url(Delivery(pk=pk))
    head, tail = parts
    return lambda pk: f"{head}{pk}{tail}"


def signatories_by_tenant(tenant_ids) -> dict[int, list[Contact]]:
    found = defaultdict(list)
    # user_id too: a post_init handler (portal.pages.signals) reads it, and a
    # deferred field would cost one query per contact.
    fields = ("tenant_id", "user_id", "name", "email", "phone")
    for contact in Contact.objects.signatories().filter(tenant_id__in=list(tenant_ids)).only(*fields):
        found[contact.tenant_id].append(contact)
    return found


def _letter_email_batch(letter: Letter, kind: str) -> EmailBatch:
    """The letter's notice, rendered once per batch; each tenant's name and
    link are put in per message (portal.mail_batch)."""
    if kind == "new":
        subject = _("[Atrium] New letter from %(centre)s: %(title)s")
    else:
        subject = _("[Atrium] Reminder: please sign for %(title)s")
    subject = subject % {"centre": letter.centre.name, "title": letter.title}

    def render(values: dict) -> tuple[str, str]:
        context = {"letter": letter, "tenant": {"legal_name": values["name"]}, "kind": kind,
                   "url": values["url"], "due": letter.sign_by}
        return (render_to_string("notices/email/letter.txt", context),
                render_to_string("notices/email/letter.html", context))

    return EmailBatch(subject, render, ("name", "url"))


def letter_notifications(letter: Letter, deliveries: list[Delivery], *, kind: str) -> dict[int, tuple[list, list[SmsMessage]]]:
    """The emails and texts for each delivery, by delivery id. `kind` is
    "new" (just delivered) or "reminder" (not signed yet). Sent one delivery
    at a time by portal.outbox, so each can be claimed and recorded."""
    contacts = signatories_by_tenant(d.tenant_id for d in deliveries)
    found = {}
    with translation.override("zh-hans"):
        batch = _letter_email_batch(letter, kind)
        sms = (_("%(centre)s letter “%(title)s” for %(tenant)s: %(url)s") if kind == "new"
               else _("Reminder: please sign for “%(title)s” (%(tenant)s): %(url)s"))
        url_of = inbox_urls()
        for delivery in deliveries:
            people = contacts.get(delivery.tenant_id, [])
            url = url_of(delivery.pk)
            to = [c.email for c in people if c.email]
            emails = [batch.message(to, name=delivery.tenant.legal_name, url=url)] if to else []
            text = sms % {"centre": letter.centre.name, "title": letter.title,
                          "tenant": delivery.tenant.trading_name, "url": url}
            found[delivery.pk] = (emails, [SmsMessage(to=c.phone, text=text) for c in people if c.phone])
    return found


def send_sign_code(*, delivery: Delivery, user, channel: str, code: str, contact: Contact) -> None:
    minutes = settings.ATRIUM_SIGN_CODE_MINUTES
    with translation.override("zh-hans"):
        text = _("Your code to sign for “%(title)s” is %(code)s. It is valid for %(minutes)s minutes. "
                 "Do not tell anyone.") % {"title": delivery.letter.title, "code": code, "minutes": minutes}
        if channel == "sms":
            send_sms([SmsMessage(to=contact.phone, text=text)])
            return
        subject = _("[Atrium] Your signing code: %(code)s") % {"code": code}
        message = EmailMultiAlternatives(subject, text, None, [contact.email or user.email])
        message.attach_alternative(
            render_to_string("notices/email/code.html", {"text": text, "code": code, "letter": delivery.letter}), "text/html"
        )
        message.send()


def send_overdue_to_operations(letter: Letter, deliveries: list[Delivery]) -> int:
    """Hand the tenants who have not signed by the due date to operations
    staff, who deliver the letter by hand."""
    staff = [u.email for u in users_with_role(letter.centre, Role.OPERATIONS) if u.email]
    if not staff or not deliveries:
        return 0
    with translation.override("zh-hans"):
        subject = _("[Atrium] Overdue: %(n)s tenants have not signed for %(title)s") % {
            "n": len(deliveries), "title": letter.title}
        lines = [f"- {d.tenant.trading_name}（{d.tenant.code}）{d.tenant.unit_labels}" for d in deliveries]
        body = _("The letter %(number)s “%(title)s” was due to be signed for by %(due)s. Please deliver it by hand "
                 "to these tenants and record their paper receipts:\n\n%(lines)s\n\nLetter page: %(url)s") % {
            "number": letter.doc_number, "title": letter.title, "due": letter.sign_by, "lines": "\n".join(lines),
            "url": site_url(reverse("notices_letters:detail", args=[letter.pk])) + "?show=overdue",
        }
    EmailMultiAlternatives(subject, body, None, staff).send()
    return len(staff)


def local(dt):
    return timezone.localtime(dt) if dt else None
