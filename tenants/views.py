"""Tenant side of the service desk: "my requests". Thin views: find the
request through the selector (which decides who sees what), validate the
form, call the service, redirect."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from portal.files import private_file_response
from portal.form_actions import form_action, form_status, refusal_text
from tenants.forms.requests import RateForm, ReasonForm, ReplyForm, TenantRequestForm
from tenants.selectors.contacts import is_tenant_contact
from tenants.selectors.requests import (
    request_photos_visible_to,
    request_timeline_for,
    requests_of_tenant_user,
)
from tenants.services.request_status import request_rate, request_reopen
from tenants.services.requests import RequestError, request_create, request_reply


def _tenant_only(user):
    if not is_tenant_contact(user):
        raise PermissionDenied


@login_required
@require_GET
def my_requests(request):
    _tenant_only(request.user)
    items = requests_of_tenant_user(request.user).select_related("tenant").only(
        "number", "subject", "status", "category", "created_at", "closed_at", "rating", "tenant__trading_name", "tenant__code"
    )[:200]
    return render(request, "tenants/requests/list.html", {"items": items})


@login_required
@never_cache
def my_request_new(request):
    _tenant_only(request.user)
    form = TenantRequestForm(request.POST or None, request.FILES or None, user=request.user)
    sr = form_action(request, form, lambda data: request_create(
        actor=request.user, tenant=data["tenant"], category=data["category"], subject=data["subject"],
        description=data["description"], photos=data["photos"], request=request,
    ), (RequestError, ValidationError))
    if sr is not None:
        messages.success(request, _("Your request %(number)s was received.") % {"number": sr.number})
        return redirect("tenants:my_request", pk=sr.pk)
    return render(request, "tenants/requests/new.html", {"form": form}, status=form_status(form))


@login_required
@never_cache
def my_request(request, pk):
    sr = get_object_or_404(requests_of_tenant_user(request.user).select_related("tenant", "centre"), pk=pk)
    reply_form = ReplyForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and reply_form.is_valid():
        try:
            request_reply(actor=request.user, service_request=sr, body=reply_form.cleaned_data["body"],
                          photos=reply_form.cleaned_data["photos"], request=request)
        except (RequestError, ValidationError) as exc:
            reply_form.add_error(None, refusal_text(exc))
        else:
            messages.success(request, _("Your message was sent."))
            return redirect("tenants:my_request", pk=sr.pk)
    context = {
        "sr": sr,
        "timeline": request_timeline_for(sr, staff=False),
        "reply_form": reply_form,
        "rate_form": RateForm(),
        "reopen_form": ReasonForm(),
    }
    return render(request, "tenants/requests/detail.html", context, status=400 if reply_form.errors else 200)


def _tenant_action(request, pk, form_class, act, *, invalid: str, done: str):
    """A tenant's one-form action on their request (rate, reopen): the
    service decides; the outcome is a message on the request's page."""
    sr = get_object_or_404(requests_of_tenant_user(request.user), pk=pk)
    form = form_class(request.POST)
    if not form.is_valid():
        messages.error(request, invalid)
        return redirect("tenants:my_request", pk=sr.pk)
    try:
        act(sr, form.cleaned_data)
    except RequestError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, done)
    return redirect("tenants:my_request", pk=sr.pk)


@login_required
@require_POST
def my_request_rate(request, pk):
    def rate(sr, data):
        request_rate(actor=request.user, service_request=sr, rating=data["rating"], comment=data["comment"],
                     request=request)

    return _tenant_action(request, pk, RateForm, rate, invalid=_("Choose a rating from 1 to 5."),
                          done=_("Thank you for your rating."))


@login_required
@require_POST
def my_request_reopen(request, pk):
    def reopen(sr, data):
        request_reopen(actor=request.user, service_request=sr, reason=data["reason"], request=request)

    return _tenant_action(request, pk, ReasonForm, reopen, invalid=_("Say why the request is reopened."),
                          done=_("The request was reopened."))


@login_required
@require_GET
def request_photo(request, pk):
    """Photos are confidential: served only to staff of the centre and the
    tenant's own contacts, never from a public media folder."""
    photo = request_photos_visible_to(request.user).filter(pk=pk).first()
    if photo is None:
        raise Http404
    return private_file_response(photo.file)
