from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from .models.accounts import Invitation


@shared_task(acks_late=True)
def send_invitation_email(invitation_id: int, token: str) -> bool:
    """Email an invitation link. Safe to run twice: a repeated email carries
    the same link; an invitation no longer pending is not sent."""
    invitation = Invitation.objects.select_related("centre", "contact__tenant__centre", "invited_by").filter(
        pk=invitation_id
    ).first()
    if invitation is None or invitation.state != "pending":
        return False
    link = settings.WAGTAILADMIN_BASE_URL.rstrip("/") + reverse("portal:invitation_accept", args=[token])
    with translation.override("zh-hans"):
        context = {"invitation": invitation, "link": link, "days": settings.ATRIUM_INVITATION_DAYS}
        subject = render_to_string("portal/email/invitation_subject.txt", context).strip()
        text = render_to_string("portal/email/invitation.txt", context)
        html = render_to_string("portal/email/invitation.html", context)
    message = EmailMultiAlternatives(subject, text, to=[invitation.email])
    message.attach_alternative(html, "text/html")
    message.send()
    return True


@shared_task(acks_late=True)
def backup_nightly() -> str:
    """The scheduled backup. Running it twice only makes one more archive,
    and the oldest beyond ATRIUM_BACKUP_KEEP are pruned."""
    from .audit import audit_record
    from .backup import backup_create

    result = backup_create()
    audit_record(actor=None, action="backup.created", details={
        "file": result.path.name, "files": result.manifest["files"], "media": result.manifest["media"],
    })
    return str(result.path)
