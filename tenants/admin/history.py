"""A tenant archive's whole change history (R2), field by field: the card
shows the latest changes, this page all of them. Confidential values are
masked for readers without access; the opening is audited like the card's."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

from portal.audit import audit_record
from tenants.admin.archive_screen import archive_screen
from tenants.selectors.archive import may_see_confidential
from tenants.selectors.directory import tenants_visible_to
from tenants.selectors.history import archive_changes


@archive_screen.route("tenant/<int:tenant_pk>/history/", "history")
def tenant_history(request, tenant_pk):
    tenant = get_object_or_404(
        tenants_visible_to(request.user).select_related("centre"), pk=tenant_pk
    )
    shown = may_see_confidential(request.user, tenant)
    page = Paginator(archive_changes(tenant, shown=shown), 50).get_page(
        request.GET.get("p")
    )
    audit_record(
        actor=request.user,
        action="archive.history_viewed",
        obj=tenant,
        request=request,
        details={"confidential_shown": shown},
    )
    return TemplateResponse(
        request,
        "tenants/admin/history.html",
        {
            "tenant": tenant,
            "page": page,
            "may_see_confidential": shown,
            "page_title": _("Changes to %(tenant)s") % {"tenant": tenant.trading_name},
            "header_icon": "history",
        },
    )
