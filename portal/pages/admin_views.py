"""Staff screens for handbook editions: issue one, follow acknowledgements."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.access import reaches_centres
from portal.admin_menu import AdminScreen, MenuEntry
from portal.form_actions import form_action
from portal.models.handbook import HandbookEdition
from portal.request_memo import remember

from .forms import EditionForm
from .handbook import (
    EDITION_ROLES,
    HandbookError,
    attach_centre_homes,
    edition_pending_tenants,
    handbook_edition_issue,
    handbooks_for_staff,
)


def may_follow_editions(user) -> bool:
    # Most staff hold no editing role: they are answered without a query;
    # the others once per request (the menu and the screen's guard both ask).
    return reaches_centres(user, EDITION_ROLES) and remember(
        ("follows_editions", user.pk), lambda: handbooks_for_staff(user).exists()
    )


screen = AdminScreen("handbook-editions/", "portal_editions",
                     MenuEntry(gettext_lazy("Handbook editions"), "index", may_follow_editions, "doc-full", 310))


@screen.route("", "index")
def edition_index(request):
    if not may_follow_editions(request.user):  # answered for the menu already
        raise PermissionDenied
    editions = (
        HandbookEdition.objects.filter(handbook__in=handbooks_for_staff(request.user))
        .select_related("handbook", "issued_by")
        .annotate(ack_count=Count("acknowledgements"))
    )
    rows = [(e, e.ack_count) for e in editions]
    attach_centre_homes([e.handbook for e in editions])
    return TemplateResponse(request, "portal/admin/edition_index.html", {
        "rows": rows, "page_title": _("Handbook editions"), "header_icon": "doc-full",
    })


@screen.route("new/", "new")
def edition_new(request):
    handbooks = handbooks_for_staff(request.user)
    if not handbooks.exists():
        raise PermissionDenied
    form = EditionForm(request.POST or None, handbooks=handbooks)
    edition = form_action(request, form, lambda data: handbook_edition_issue(
        actor=request.user, handbook=data["handbook"], changes=data["changes"],
        requires_ack=data["requires_ack"], ack_due=data["ack_due"],
    ), (HandbookError, PermissionDenied))
    if edition is not None:
        messages.success(request, _("%(edition)s issued; its PDF is being prepared.") % {"edition": edition})
        return redirect("portal_editions:detail", edition.pk)
    return TemplateResponse(request, "portal/admin/edition_new.html", {
        "form": form, "page_title": _("Issue a new edition"), "header_icon": "doc-full",
    })


@screen.route("<int:edition_id>/", "detail")
def edition_detail(request, edition_id: int):
    edition = HandbookEdition.objects.filter(pk=edition_id, handbook__in=handbooks_for_staff(request.user)).first()
    if edition is None:
        raise Http404
    acks = edition.acknowledgements.select_related("tenant", "contact").order_by("tenant__code")
    pending = edition_pending_tenants(edition) if edition.requires_ack else []
    # Each language's file with its hash (the Chinese one is what tenants acknowledge).
    downloads = edition.downloads(reverse("pages:handbook_pdf", args=[edition.pk]))
    return TemplateResponse(request, "portal/admin/edition_detail.html", {
        "edition": edition, "acks": acks, "pending": pending, "downloads": downloads, "header_title": str(edition),
        "page_title": edition.label, "page_subtitle": edition.handbook.title, "header_icon": "doc-full",
    })
