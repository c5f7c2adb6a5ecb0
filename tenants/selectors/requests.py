"""The service desk's requests: who sees which, what a reader sees of one,
and who may act on one — the one rule that services (which refuse) and
admin screens (which show or hide the forms) both ask."""

from __future__ import annotations

from django.db.models import Q

from portal.access import centres_for, has_role
from portal.models.accounts import Role
from tenants.models import RequestPhoto, ServiceRequest
from tenants.selectors.contacts import tenants_of_contact
from tenants.selectors.directory import centres_visible_to

# Who handles requests (records, replies, assigns, closes): the operations
# service staff and managers. Other archive roles read the log of their centre.
REQUEST_HANDLE_ROLES = (Role.OPERATIONS, Role.MANAGER)


def requests_visible_to_staff(user):
    return ServiceRequest.objects.filter(centre__in=centres_visible_to(user))


def requests_listing_for(user):
    """requests_visible_to_staff for the request log's listing: the centre ids
    read first, so its newest-first page comes from the (centre, -created_at,
    -id) index instead of a sort of every request of a centre subquery."""
    return ServiceRequest.objects.filter(centre__in=list(centres_visible_to(user).values_list("pk", flat=True)))


def requests_of_tenant_user(user):
    """Requests a tenant-side user may follow: their own tenants' only. A
    request without a tenant (a member of the public's board post) is
    nobody's: `tenant IN (…)` never matches NULL, so no tenant lists it."""
    return ServiceRequest.objects.filter(tenant__in=tenants_of_contact(user))


def requests_visible_to(user):
    # Staff: their centres' requests, with or without a tenant; a tenant
    # contact: their tenants' only (never a public post's, which has none).
    return ServiceRequest.objects.filter(
        Q(centre__in=centres_visible_to(user)) | Q(tenant__in=tenants_of_contact(user))
    )


def request_photos_visible_to(user):
    return RequestPhoto.objects.filter(request__in=requests_visible_to(user).values("pk"))


def request_timeline_for(service_request, *, staff: bool):
    """The timeline a reader sees: tenants never see internal notes."""
    entries = service_request.entries.select_related("actor").prefetch_related("photos")
    return entries if staff else entries.filter(public=True)


# --- who may act on a request -------------------------------------------------------
# The centre's handlers act on any of its requests, and on the desk's other
# records (call recordings, the storage log); the person a request is assigned
# to works on that one request while they still work at its centre; only
# handlers record and assign.


def request_centres_handled_by(user):
    """The centres whose requests, recordings and storage log `user` handles."""
    return centres_for(user, REQUEST_HANDLE_ROLES)


def handles_requests(user, centre) -> bool:
    return has_role(user, centre, *REQUEST_HANDLE_ROLES)


def may_work_on(user, service_request: ServiceRequest) -> bool:
    """Reply, write an internal note, close: a handler of the request's
    centre, or the person it is assigned to."""
    if handles_requests(user, service_request.centre):
        return True
    return (
        service_request.assignee_id is not None
        and service_request.assignee_id == getattr(user, "pk", None)
        and requests_visible_to_staff(user).filter(pk=service_request.pk).exists()
    )


def may_assign(user, service_request: ServiceRequest) -> bool:
    """Assign, or reopen a closed request on the staff side: a handler of
    the request's centre only."""
    return handles_requests(user, service_request.centre)


def may_reclassify(user, service_request: ServiceRequest) -> bool:
    """Correct the category and severity: a handler of the request's centre,
    like assigning. Not the assignee who is not a handler: the class sets the
    deadlines the managers hold that person to, so they do not re-label
    their own request out of one."""
    return handles_requests(user, service_request.centre)
