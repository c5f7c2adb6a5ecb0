from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .services import alert_confirm


@login_required
@require_POST
def confirm(request, recipient_id: int):
    try:
        recorded = alert_confirm(user=request.user, recipient_id=recipient_id, request=request)
    except PermissionDenied:
        raise Http404 from None
    if recorded:
        messages.success(request, _("Thank you: we have recorded that your shop received this alert."))
    else:
        messages.info(request, _("Your shop had already confirmed this alert."))
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        target = "portal:tenant_home"
    return redirect(target)
