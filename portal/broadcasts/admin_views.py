"""Staff screens (Wagtail admin): alerts and holiday greetings."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from portal.access import centres_for, reaches_centres
from portal.admin_home import WorkItem
from portal.admin_menu import AdminScreen, MenuEntry, reaches_any
from portal.form_actions import form_action, form_status
from portal.models import Centre

from .calendar import unknown_holiday_years
from .forms import AlertForm, GreetingForm, NewGreetingForm
from .greetings import (
    APPROVE_ROLES,
    EDIT_ROLES,
    greeting_create,
    greeting_decide,
    greeting_edit,
    greetings_visible_to,
    may_approve_text,
)
from .services import (
    ALERT_ROLES,
    AlertError,
    alert_centres_for,
    alert_chase,
    alert_close,
    alert_create,
    alert_figures,
    alert_send,
    alerts_visible_to_staff,
)

may_send_alerts = reaches_any(ALERT_ROLES)


alert_screen = AdminScreen("alerts/", "portal_alerts",
                           MenuEntry(gettext_lazy("Weather and urgent alerts"), "index", may_send_alerts, "warning", 320))


@alert_screen.route("", "index", allow=may_send_alerts)
def alert_index(request):
    alerts = alerts_visible_to_staff(request.user).prefetch_related("centres")[:100]
    rows = [(a, alert_figures(a)) for a in alerts]
    return TemplateResponse(request, "portal/admin/alert_index.html", {
        "rows": rows, "page_title": _("Weather and urgent alerts"), "header_icon": "warning",
    })


@alert_screen.route("new/", "new", allow=may_send_alerts)
def alert_new(request):
    form = AlertForm(request.POST or None, centres=alert_centres_for(request.user))

    def create_and_send(data):
        alert = alert_create(
            actor=request.user, kind=data["kind"], level=data["level"] or "", title=data["title"],
            message=data["message"], centres=list(data["centres"]), send_sms=data["send_sms"],
        )
        return alert, alert_send(actor=request.user, alert=alert)

    sent = form_action(request, form, create_and_send, (AlertError, PermissionDenied))
    if sent is not None:
        alert, count = sent
        messages.success(request, _("Alert sent to %(count)s tenants.") % {"count": count})
        return redirect("portal_alerts:detail", alert.pk)
    return TemplateResponse(request, "portal/admin/alert_new.html", {
        "form": form, "page_title": _("Send an alert"), "header_icon": "warning",
    })


def _alert_or_404(request, alert_id):
    alert = alerts_visible_to_staff(request.user).filter(pk=alert_id).first()
    if alert is None:
        raise Http404
    return alert


@alert_screen.route("<int:alert_id>/", "detail")
def alert_detail(request, alert_id: int):
    alert = _alert_or_404(request, alert_id)
    recipients = alert.recipients.select_related("tenant", "tenant__centre", "confirmed_by").order_by("confirmed_at", "tenant__code")
    show = request.GET.get("show", "pending")
    if show == "pending":
        recipients = recipients.filter(confirmed_at__isnull=True)
    return TemplateResponse(request, "portal/admin/alert_detail.html", {
        "alert": alert, "recipients": recipients[:1000], "figures": alert_figures(alert), "show": show,
        "page_title": alert.title, "page_subtitle": alert.get_kind_display(), "header_icon": "warning",
    })


@alert_screen.route("<int:alert_id>/<str:action>/", "action")
@require_POST
def alert_action(request, alert_id: int, action: str):
    alert = _alert_or_404(request, alert_id)
    try:
        if action == "chase":
            count = alert_chase(actor=request.user, alert=alert)
            messages.success(request, _("Reminded %(count)s tenants that have not confirmed.") % {"count": count})
        elif action == "close":
            alert_close(actor=request.user, alert=alert)
            messages.success(request, _("Alert closed: tenants no longer see its banner."))
        else:
            raise Http404
    except (AlertError, PermissionDenied) as exc:
        messages.error(request, str(exc))
    return redirect("portal_alerts:detail", alert.pk)


# --- greetings -----------------------------------------------------------------

def may_see_greetings(user) -> bool:
    return reaches_centres(user, EDIT_ROLES + APPROVE_ROLES)


may_prepare_greetings = reaches_any(EDIT_ROLES)


greeting_screen = AdminScreen("greetings/", "portal_greetings",
                              MenuEntry(gettext_lazy("Holiday greetings"), "index", may_see_greetings, "calendar", 330))


@greeting_screen.route("", "index", allow=may_see_greetings)
def greeting_index(request):
    greetings = greetings_visible_to(request.user).select_related("centre", "approved_by")[:200]
    return TemplateResponse(request, "portal/admin/greeting_index.html", {
        "greetings": greetings, "page_title": _("Holiday greetings"), "header_icon": "calendar",
        "unknown_years": [str(year) for year in unknown_holiday_years()], "may_add": may_prepare_greetings(request.user),
    })


@greeting_screen.route("new/", "new", allow=may_prepare_greetings)
def greeting_new(request):
    """A greeting added by hand, for any day to come (a holiday the calendar
    does not know yet)."""
    centres = centres_for(request.user, EDIT_ROLES)
    initial = {"centre": centres.first()} if len(centres[:2]) == 1 else {}
    form = NewGreetingForm(request.POST or None, centres=centres, initial=initial)
    greeting = form_action(request, form, lambda d: greeting_create(
        actor=request.user, centre=d["centre"], holiday=d["holiday"], send_on=d["send_on"], title=d["title"],
        message=d["message"],
    ), (ValueError,), denied=_("You may not do that for this centre."))
    if greeting is not None:
        messages.success(request, _("Greeting added; it needs approving before it is sent."))
        return redirect("portal_greetings:detail", greeting.pk)
    return TemplateResponse(request, "portal/admin/greeting_new.html", {
        "form": form, "page_title": _("Add a greeting"), "header_icon": "calendar",
    }, status=form_status(form))


@greeting_screen.route("<int:greeting_id>/", "detail")
def greeting_detail(request, greeting_id: int):
    greeting = greetings_visible_to(request.user).filter(pk=greeting_id).select_related("centre").first()
    if greeting is None:
        raise Http404
    form = GreetingForm(request.POST or None, initial={"title": greeting.title, "message": greeting.message})
    if request.method == "POST":
        try:
            if "approve" in request.POST or "cancel" in request.POST:
                greeting_decide(actor=request.user, greeting=greeting, approve="approve" in request.POST)
                messages.success(request, _("Greeting updated."))
                return redirect("portal_greetings:index")
            if form.is_valid():
                greeting_edit(actor=request.user, greeting=greeting, title=form.cleaned_data["title"], message=form.cleaned_data["message"])
                messages.success(request, _("Greeting saved; it needs approving again."))
                return redirect("portal_greetings:detail", greeting.pk)
        except PermissionDenied:
            messages.error(request, _("You may not do that for this centre."))
        except ValueError as exc:
            messages.error(request, str(exc))
    return TemplateResponse(request, "portal/admin/greeting_detail.html", {
        "greeting": greeting, "form": form, "header_title": str(greeting),
        "page_title": greeting.holiday, "page_subtitle": greeting.centre.name, "header_icon": "calendar",
        "may_approve": may_approve_text(request.user, greeting),
    })


def greeting_work_items(user):
    """An `atrium_work_items` provider: while the holiday calendar does not
    know a coming year, the people who prepare greetings are told, counted
    as the centres whose greetings of moving holidays they must add by hand.
    The calendar is the installed package's: no query when it knows."""
    years = unknown_holiday_years()
    centres = centres_for(user, EDIT_ROLES) if years else Centre.objects.none()
    label = _("centres: the official holiday dates for %(years)s are not known yet, add their greetings by hand") % {
        "years": "、".join(str(year) for year in years)}
    return [WorkItem(label, centres, reverse("portal_greetings:index"), urgent=True)]
