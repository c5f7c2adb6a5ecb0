from celery import shared_task
from django.conf import settings


@shared_task(acks_late=True)
def send_invitation_email(invitation_id: int, token: str) -> bool:
    from .services import invitation_send_email

    return invitation_send_email(invitation_id, token)


# The longest task (settings ATRIUM_LONGEST_TASK_SECONDS, below the broker's
# visibility timeout): pg_dump and the media archive of a large site take minutes.
@shared_task(acks_late=True, time_limit=settings.ATRIUM_LONGEST_TASK_SECONDS,
             soft_time_limit=settings.ATRIUM_LONGEST_TASK_SECONDS - 60)
def backup_nightly() -> str:
    """The scheduled backup. Running it twice only makes one more archive,
    and the oldest beyond ATRIUM_BACKUP_KEEP are pruned."""
    from .backup import backup_create

    return str(backup_create().path)


@shared_task(acks_late=True, time_limit=settings.ATRIUM_LONGEST_TASK_SECONDS)
def seed_demo_render() -> None:
    """The demo's PDFs, after `seed_demo --render-later` (make run): rendered
    here, once the portal is up, rather than before it starts."""
    from .demo.later import seed_demo_render as render

    render()


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
