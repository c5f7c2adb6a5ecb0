"""Staff screen for the printable fee-schedule notices (4.14): the notices
of the centres a person works at, each downloaded through an access-checked,
audited view (media is never public), in the reader's language or the one a
link names."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.access import centres_for, is_staff_member
from portal.admin_menu import AdminScreen, MenuEntry
from portal.audit import audit_record
from portal.files import private_file_response
from portal.models import FeeNotice
from portal.pdf.kept import kept_name, reader_pdf_language

screen = AdminScreen("fee-notices/", "portal_fee_notices",
                     MenuEntry(gettext_lazy("Fee notices to print"), "index", is_staff_member, "doc-full", 312))


def _notices(user):
    return FeeNotice.objects.filter(centre__in=centres_for(user))


@screen.route("", "index")
def fee_notice_index(request):
    if not is_staff_member(request.user):
        raise PermissionDenied
    notices = list(_notices(request.user).select_related("centre", "schedule").order_by("centre__name", "-created_at")[:200])
    # A notice to print may be wanted in either language whatever the admin
    # is read in (the windows' copy is usually Chinese): a link per file made.
    for notice in notices:
        notice.links = notice.downloads(reverse("portal_fee_notices:pdf", args=[notice.pk]))
    return TemplateResponse(request, "portal/admin/fee_notice_index.html", {
        "notices": notices, "page_title": _("Fee notices to print"), "header_icon": "doc-full",
    })


@screen.route("<int:notice_id>/pdf/", "pdf")
def fee_notice_pdf(request, notice_id: int):
    notice = _notices(request.user).filter(pk=notice_id).select_related("centre", "schedule").first()
    if notice is None:
        raise Http404
    language = reader_pdf_language(request)
    if not notice.pdf_in(language):
        messages.info(request, _("This notice is being prepared. Please try again in a minute."))
        return redirect("portal_fee_notices:index")
    audit_record(actor=request.user, action="fee_notice.downloaded", obj=notice.schedule, request=request,
                 details={"notice": notice.pk, "language": language, "sha256": notice.sha256_in(language)})
    name = kept_name(f"fees-{notice.centre.code}-{notice.schedule.effective_from:%Y%m%d}", language)
    return private_file_response(notice.pdf_in(language), download_name=name, content_type="application/pdf")
