"""Staff screens in the Wagtail admin: the monthly status, a round's table,
the inspection form (made for a phone), a case and the report PDF. Every
object is fetched through the selectors, so another centre's is a 404."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from notices.fire.forms import InspectionFormForm, ReinspectForm
from notices.fire.models import ChecklistItem, RectificationCase
from notices.fire.selectors import (
    cases_visible_to,
    fire_centres_for,
    forms_visible_to,
    inspection_centres_for,
    may_inspect,
    month_start,
    monthly_status,
    monthly_statuses_for,
    round_table,
    round_tenants,
    rounds_visible_to,
    works_on_fire_safety,
)
from notices.fire.services.inspections import form_record
from notices.fire.services.rectification import case_reinspect, case_retry_letter
from notices.fire.services.rounds import (
    NO_DRAFTER,
    FireError,
    round_draft_notice,
    round_ensure,
    round_notice_now,
    round_request_report,
)
from portal.admin_menu import AdminScreen, MenuEntry
from portal.audit import audit_record
from portal.files import private_file_response

screen = AdminScreen("fire/", "fire_admin",
                     MenuEntry(gettext_lazy("Fire safety"), "overview", works_on_fire_safety, "warning", 201))


def _errors(exc) -> list[str]:
    return exc.messages if isinstance(exc, ValidationError) else [str(exc)]


@screen.route("", "overview")
def overview(request):
    centres = fire_centres_for(request.user)
    if not centres.exists():
        raise PermissionDenied
    this_month = month_start()
    return TemplateResponse(request, "fire/admin/overview.html", {
        "statuses": monthly_statuses_for(request.user),
        "open_centres": inspection_centres_for(request.user).exclude(
            fire_rounds__month=this_month).order_by("code"),
        "this_month": this_month,
        "cases": cases_visible_to(request.user).unresolved()[:100],  # by deadline, those awaiting their letter last
        "today": timezone.localdate(),
        "no_drafter": NO_DRAFTER,
    })


@screen.route("centres/<int:centre_pk>/open/", "round_open")
@require_POST
def round_open(request, centre_pk):
    centre = get_object_or_404(inspection_centres_for(request.user), pk=centre_pk)
    round_ = round_ensure(centre=centre, month=month_start(), actor=request.user, request=request)
    if round_.notice_letter_id is None and round_draft_notice(round_id=round_.pk) is None:
        messages.warning(request, _("The round is open, but the centre has no safety-department drafter to draft the inspection notice."))
    return redirect("fire_admin:round", pk=round_.pk)


@screen.route("rounds/<int:pk>/notice/", "round_notice")
@require_POST
def round_notice(request, pk):
    round_ = get_object_or_404(rounds_visible_to(request.user), pk=pk)
    try:
        round_notice_now(actor=request.user, round_=round_, request=request)
    except FireError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The inspection notice was drafted and submitted for approval."))
    return redirect("fire_admin:round", pk=round_.pk)


@screen.route("rounds/<int:pk>/", "round")
def round_detail(request, pk):
    round_ = get_object_or_404(rounds_visible_to(request.user), pk=pk)
    rows = round_table(round_)
    status = monthly_status(round_.centre, round_.month)
    todo_only = request.GET.get("todo") == "1"
    if todo_only:
        rows = [row for row in rows if row.form is None]
    return TemplateResponse(request, "fire/admin/round.html", {
        "round": round_, "rows": rows, "todo_only": todo_only, "status": status, "no_drafter": NO_DRAFTER,
        "can_inspect": may_inspect(request.user, round_.centre),
    })


@screen.route("rounds/<int:pk>/tenants/<int:tenant_pk>/", "form_new")
def form_new(request, pk, tenant_pk):
    round_ = get_object_or_404(rounds_visible_to(request.user), pk=pk)
    if not may_inspect(request.user, round_.centre):
        raise PermissionDenied
    tenant = get_object_or_404(round_tenants(round_), pk=tenant_pk)
    existing = round_.forms.filter(tenant=tenant).first()
    if existing is not None:
        return redirect("fire_admin:form", pk=existing.pk)
    items = ChecklistItem.objects.filter(centre=round_.centre, active=True)
    form = InspectionFormForm(request.POST or None, request.FILES or None, items=items)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            recorded = form_record(
                actor=request.user, round_=round_, tenant=tenant, answers=form.answers(), notes=data["notes"],
                photos=data["photos"], rectify_days=data["rectify_days"], request=request,
            )
        except (FireError, ValidationError) as exc:
            for message in _errors(exc):
                form.add_error(None, message)
        else:
            if recorded.failed_count:
                messages.warning(request, _("Recorded with %(n)s failed items; a rectification letter was drafted.") % {
                    "n": recorded.failed_count})
            else:
                messages.success(request, _("Recorded: everything passed."))
            if "next" in request.POST:
                following = _next_uninspected(round_, after=tenant)
                if following is not None:
                    return redirect("fire_admin:form_new", pk=round_.pk, tenant_pk=following.pk)
            return redirect("fire_admin:round", pk=round_.pk)
    return TemplateResponse(request, "fire/admin/form_new.html", {"round": round_, "tenant": tenant, "form": form},
                            status=400 if form.errors else 200)


def _next_uninspected(round_, *, after):
    """The next shop (by code) still without a form, so an inspector walking
    the mall goes from one shop to the next without the table."""
    todo = round_tenants(round_).exclude(fire_forms__round=round_)
    return todo.filter(code__gt=after.code).first() or todo.first()


@screen.route("forms/<int:pk>/", "form")
def form_detail(request, pk):
    record = get_object_or_404(forms_visible_to(request.user), pk=pk)
    return TemplateResponse(request, "fire/admin/form_detail.html", {
        "record": record, "results": record.results.all(), "photos": record.photos.all(),
        "case": RectificationCase.objects.filter(form=record).first(),
    })


@screen.route("cases/<int:pk>/", "case")
def case_detail(request, pk):
    case = get_object_or_404(cases_visible_to(request.user), pk=pk)
    form = ReinspectForm(request.POST or None, request.FILES or None)
    can_inspect = may_inspect(request.user, case.centre)
    if request.method == "POST":
        if not can_inspect:
            raise PermissionDenied
        if form.is_valid():
            data = form.cleaned_data
            try:
                case_reinspect(actor=request.user, case=case, rectified=data["rectified"], note=data["note"],
                               photos=data["photos"], rectify_days=data["rectify_days"], request=request)
            except (FireError, ValidationError) as exc:
                for message in _errors(exc):
                    form.add_error(None, message)
            else:
                messages.success(request, _("Case closed.") if data["rectified"] else
                                 _("A new rectification letter was drafted."))
                return redirect("fire_admin:case", pk=case.pk)
    return TemplateResponse(request, "fire/admin/case.html", {
        "case": case, "events": case.events.select_related("actor", "letter").prefetch_related("photos"),
        "failed": case.form.results.filter(passed=False), "form": form, "can_inspect": can_inspect,
        "form_photos": case.form.photos.all(),
    }, status=400 if form.errors else 200)


@screen.route("cases/<int:pk>/letter/", "case_letter_retry")
@require_POST
def case_letter_retry(request, pk):
    case = get_object_or_404(cases_visible_to(request.user), pk=pk)
    try:
        case_retry_letter(actor=request.user, case=case, request=request)
    except FireError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The rectification letter was drafted."))
    return redirect("fire_admin:case", pk=case.pk)


@screen.route("rounds/<int:pk>/report/", "report_request")
@require_POST
def report_request(request, pk):
    round_ = get_object_or_404(rounds_visible_to(request.user), pk=pk)
    round_request_report(actor=request.user, round_=round_, request=request)
    messages.success(request, _("The report PDF is being prepared; reload this page in a moment."))
    return redirect("fire_admin:round", pk=round_.pk)


@screen.route("rounds/<int:pk>/report.pdf", "report_pdf")
def report_pdf(request, pk):
    round_ = get_object_or_404(rounds_visible_to(request.user), pk=pk)
    response = private_file_response(round_.report_pdf, content_type="application/pdf",
                                     inline_name=f"fire-{round_.centre.code}-{round_.month:%Y-%m}.pdf")
    audit_record(actor=request.user, action="fire.report_downloaded", obj=round_, request=request)
    return response
