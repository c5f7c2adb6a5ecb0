"""The board's public side: each centre's board (/feedback/<code>/), a post
and its published replies, and the form to post. Thin views: the selectors
decide what a reader sees, the services write."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from portal.form_actions import form_action, form_status
from tenants.feedback import ratelimit
from tenants.feedback.decisions import BoardError
from tenants.feedback.forms import PublicPostForm, TenantPostForm
from tenants.feedback.models import BoardSettings
from tenants.feedback.selectors import board_posts, live_phone_block, published_replies
from tenants.feedback.services import board_post, board_public_post, replies_seen
from tenants.models import Centre, Tenant
from tenants.selectors.contacts import tenants_of_contact
from tenants.services.requests import RequestError


def _centre(code: str) -> Centre:
    return get_object_or_404(Centre.objects.select_related("home_page"), code=code)


def _my_tenants(user, centre):
    if not user.is_authenticated:
        return Tenant.objects.none()
    return tenants_of_contact(user).filter(centre=centre).order_by("trading_name")


@require_GET
def board_index(request):
    """Which centre's board: a tenant of one centre goes straight to it."""
    centres = Centre.objects.order_by("name")
    if request.user.is_authenticated:
        mine = list(tenants_of_contact(request.user).values_list("centre__code", flat=True).distinct())
        if len(mine) == 1:
            return redirect("feedback:board", code=mine[0])
    return render(request, "tenants/feedback/index.html", {"centres": centres})


@require_GET
def board(request, code):
    centre = _centre(code)
    posts = board_posts(centre, request.user)[:100]
    context = {
        "centre": centre, "posts": posts, "phones": live_phone_block(centre),
        "may_post": _my_tenants(request.user, centre).exists() or BoardSettings.public_posting(centre),
    }
    return render(request, "tenants/feedback/board.html", context)


@require_GET
def post_detail(request, code, pk):
    centre = _centre(code)
    post = get_object_or_404(board_posts(centre, request.user), pk=pk)
    if post.reply_unseen and _my_tenants(request.user, centre).filter(pk=post.tenant_id).exists():
        replies_seen(user=request.user, posts=type(post).objects.filter(pk=post.pk))
    return render(request, "tenants/feedback/post.html",
                  {"centre": centre, "post": post, "replies": published_replies(post)})


@never_cache
def post_new(request, code):
    centre = _centre(code)
    tenants = _my_tenants(request.user, centre)
    if tenants.exists():
        return _tenant_post(request, centre, tenants)
    if not BoardSettings.public_posting(centre):
        if not request.user.is_authenticated:
            return redirect(f"{reverse('account_login')}?next={request.path}")
        raise PermissionDenied
    return _public_post(request, centre)


def _tenant_post(request, centre, tenants):
    form = TenantPostForm(request.POST or None, tenants=tenants)
    post = form_action(request, form, lambda data: board_post(
        actor=request.user, tenant=data["tenant"], kind=data["kind"], subject=data["subject"], body=data["body"],
        request=request,
    ), (BoardError, RequestError))
    if post is not None:
        messages.success(request, _("Thank you. Your post is on the board and recorded as request %(number)s.")
                         % {"number": post.service_request.number})
        return redirect("feedback:post", code=centre.code, pk=post.pk)
    return render(request, "tenants/feedback/new.html", {"centre": centre, "form": form}, status=form_status(form))


def _public_post(request, centre):
    form = PublicPostForm(request.POST or None)
    if request.method == "POST" and not ratelimit.may_post(request):
        form.is_valid()
        form.add_error(None, _("Too many posts from here. Please try again later."))
        return render(request, "tenants/feedback/new.html", {"centre": centre, "form": form}, status=429)
    post = form_action(request, form, lambda data: board_public_post(
        centre=centre, kind=data["kind"], subject=data["subject"], body=data["body"], name=data["name"],
        email=data["email"], request=request,
    ), (BoardError,))
    if post is not None:
        ratelimit.count_post(request)
        messages.success(request, _("Thank you. Your post will appear on the board once the centre's staff have "
                                    "read it."))
        return redirect("feedback:board", code=centre.code)
    return render(request, "tenants/feedback/new.html", {"centre": centre, "form": form}, status=form_status(form))
