"""What the service desk puts on the staff's to-do panel. (The archive
screens declare their URLs and menu entries in tenants/admin/archive_screen.py,
the recording archive log beside its views, tenants/admin/recordings.py.)"""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.access import centres_for
from portal.admin_home import WorkItem
from portal.models.accounts import Role
from tenants.models import AccessGrantStatus, ArchiveAccessGrant, RequestStatus
from tenants.selectors.recordings import recording_holds_visible_to
from tenants.selectors.requests import (
    requests_visible_to_staff,
)


def service_desk_work_items(user) -> list[WorkItem]:
    """Requests assigned to me (and those past a deadline), new requests nobody
    has taken in my centres, recording holds whose date passed on a request
    still open, and confidential-access requests a manager decides."""
    log = reverse("wagtailsnippets_tenants_servicerequest:list")
    visible = requests_visible_to_staff(user)
    mine = visible.open().filter(assignee=user)
    pending_access = ArchiveAccessGrant.objects.filter(
        status=AccessGrantStatus.PENDING, tenant__centre__in=centres_for(user, (Role.MANAGER,))
    )
    return [
        WorkItem(_("requests past a deadline, assigned to you"), mine.overdue(),
                 f"{log}?assigned_to_me=true&overdue=true", urgent=True),
        WorkItem(_("open requests assigned to you"), mine, f"{log}?assigned_to_me=true"),
        WorkItem(_("new requests nobody has taken"), visible.filter(status=RequestStatus.NEW, assignee__isnull=True),
                 f"{log}?status=new"),
        WorkItem(_("recording holds past their date on open requests, to review"),
                 recording_holds_visible_to(user).to_review(timezone.localdate()),
                 f"{reverse('tenants_recordings:log')}?state=review"),
        WorkItem(_("confidential access requests to decide"), pending_access, reverse("tenants_archive:access")),
    ]
