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


# The longest task (settings ATRIUM_LONGEST_TASK_SECONDS, below the broker's
# visibility timeout): pg_dump and the media archive of a large site take minutes.
@shared_task(acks_late=True, time_limit=900, soft_time_limit=840)
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


@shared_task(acks_late=True)
def audit_checkpoint_task() -> str:
    """The periodic checkpoint of the evidence chain: verify it, anchor its
    head outside the database, timestamp it when ATRIUM_AUDIT_TSA_URL is set.
    Safe to run twice (an anchored, timestamped head is left alone). A chain
    that does not verify is logged as an error and not anchored."""
    from .audit_verify import audit_checkpoint

    result = audit_checkpoint()
    return result.report.verdict + (f" {result.error}" if result.error else "")


# Celery's autodiscovery imports portal.tasks; the published site's and the
# broadcasts' tasks live in their own packages.
from .broadcasts import tasks as _broadcasts_tasks  # noqa: E402, F401
from .pages import tasks as _pages_tasks  # noqa: E402, F401
