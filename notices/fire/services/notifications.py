"""Emails of the fire-safety cycle, in Chinese."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from notices.fire.models import CaseStatus, RectificationCase
from notices.fire.selectors import safety_drafters
from portal.access import users_with_role
from portal.models.accounts import Role


def _case_url(case: RectificationCase) -> str:
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + reverse("fire_admin:case", args=[case.pk])


def send_escalation(case_id: int) -> int:
    """Tell the centre's leaders and managers that a rectification is overdue."""
    case = RectificationCase.objects.select_related("centre", "tenant").filter(pk=case_id).first()
    if case is None or case.status != CaseStatus.OPEN or case.deadline is None:
        # Reported, closed or given a new letter since the sweep: nothing to tell.
        return 0
    recipients = sorted({u.email for u in users_with_role(case.centre, Role.LEADER, Role.MANAGER)})
    if not recipients:
        return 0
    with translation.override("zh-hans"):
        subject = _("[Atrium] Fire-safety rectification overdue: %(tenant)s") % {"tenant": case.tenant.trading_name}
        body = _("%(tenant)s (%(centre)s) has not rectified the failed fire-safety items by %(deadline)s.\n\nOpen the case: %(url)s") % {
            "tenant": case.tenant.trading_name, "centre": case.centre, "deadline": case.deadline, "url": _case_url(case),
        }
    send_mail(subject, body, None, recipients)
    return len(recipients)


def send_reported(case_id: int) -> int:
    """Tell the inspectors that a tenant reported a rectification to re-inspect."""
    case = RectificationCase.objects.select_related("centre", "tenant", "form__inspector").filter(pk=case_id).first()
    if case is None or case.status != CaseStatus.REPORTED:
        return 0
    people = {case.form.inspector} | set(safety_drafters(case.centre))
    recipients = sorted({u.email for u in people if u.is_active})
    with translation.override("zh-hans"):
        subject = _("[Atrium] Rectification reported, please re-inspect: %(tenant)s") % {"tenant": case.tenant.trading_name}
        body = _("%(tenant)s reported the fire-safety rectification done.\n\nRe-inspect: %(url)s") % {
            "tenant": case.tenant.trading_name, "url": _case_url(case),
        }
    send_mail(subject, body, None, recipients)
    return len(recipients)
