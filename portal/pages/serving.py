"""What the published site serves to whom, beyond Wagtail's own page
privacy: a plain refusal for signed-in readers, documents for staff only."""

from django.http import Http404
from django.template.response import TemplateResponse
from wagtail.models import PageViewRestriction

from portal.access import is_staff_member

from .privacy import page_visible_to
from .scoping import documents_visible_to


def refuse_signed_in_readers(callback):
    """An `on_serve_page` hook: a signed-in user who may not read a private
    page gets a plain refusal: Wagtail would send them to the login page they
    have already passed."""

    def inner(page, request, serve_args, serve_kwargs):
        if request.user.is_authenticated:
            restricted = [r for r in page.get_view_restrictions() if r.restriction_type != PageViewRestriction.PASSWORD]
            if restricted and not page_visible_to(page, request.user):
                response = TemplateResponse(request, "portal/pages/refused.html", {"page": page}, status=403)
                response["Cache-Control"] = "private, no-store"
                return response
        return callback(page, request, serve_args, serve_kwargs)

    return inner


def documents_for_staff_only(document, request):
    # Wagtail's /documents/ URLs ignore page privacy. Tenants and the public
    # download attachments through pages:notice_attachment, which asks the
    # notice's privacy; the raw document URL answers staff only, and only
    # staff of the centre whose collection holds the document.
    if not is_staff_member(request.user) or not documents_visible_to(request.user).filter(pk=document.pk).exists():
        raise Http404
