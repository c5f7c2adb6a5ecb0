"""The service desk's requests: who sees which, and what a reader sees of
one."""

from __future__ import annotations

from django.db.models import Q

from portal.access import centres_for
from portal.models.accounts import Role
from tenants.models import RequestPhoto, ServiceRequest
from tenants.selectors.contacts import tenants_of_contact
from tenants.selectors.directory import centres_visible_to

# Who handles requests (records, replies, assigns, closes): the operations
# service staff and managers. Other archive roles read the log of their centre.
REQUEST_HANDLE_ROLES = (Role.OPERATIONS, Role.MANAGER)


def requests_visible_to_staff(user):
    return ServiceRequest.objects.filter(centre__in=centres_visible_to(user))


def request_centres_handled_by(user):
    return centres_for(user, REQUEST_HANDLE_ROLES)


def requests_of_tenant_user(user):
    """Requests a tenant-side user may follow: their own tenants' only."""
    return ServiceRequest.objects.filter(tenant__in=tenants_of_contact(user))


def requests_visible_to(user):
    return ServiceRequest.objects.filter(
        Q(centre__in=centres_visible_to(user)) | Q(tenant__in=tenants_of_contact(user))
    )


def request_photos_visible_to(user):
    return RequestPhoto.objects.filter(request__in=requests_visible_to(user).values("pk"))


def request_timeline_for(service_request, *, staff: bool):
    """The timeline a reader sees: tenants never see internal notes."""
    entries = service_request.entries.select_related("author").prefetch_related("photos")
    return entries if staff else entries.filter(public=True)
