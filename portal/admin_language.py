"""The admin's language switch: a menu entry on every admin page leading to
a page with one button per language.

Wagtail reads the admin language from the user's profile (account →
preferences) before the session's cookie, so the switch sets both: the
profile for the admin, the cookie for the tenant side and the login pages."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.users.models import UserProfile

from .admin_menu import AdminScreen, MenuEntry


def anyone(user) -> bool:
    return True  # the admin itself already admits only staff


screen = AdminScreen("language/", "portal_language",
                     MenuEntry(gettext_lazy("Language"), "switch", anyone, "site", 10000))


class LanguageForm(forms.Form):
    language = forms.ChoiceField(choices=settings.LANGUAGES)
    next = forms.CharField(required=False)


@screen.route("", "switch")
def language_switch(request):
    form = LanguageForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        language = form.cleaned_data["language"]
        profile = UserProfile.get_for_user(request.user)
        profile.preferred_language = language
        profile.save(update_fields=["preferred_language"])
        translation.activate(language)
        target = form.cleaned_data["next"]
        if not url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
            target = "wagtailadmin_home"
        response = redirect(target)
        response.set_cookie(settings.LANGUAGE_COOKIE_NAME, language, max_age=settings.LANGUAGE_COOKIE_AGE,
                            samesite="Lax", secure=request.is_secure())
        return response
    return TemplateResponse(request, "portal/admin/language.html", {
        "page_title": _("Language"), "header_icon": "site", "languages": settings.LANGUAGES,
        "current": translation.get_language(),
        # Back to the page the menu was opened on.
        "next": request.GET.get("next") or request.headers.get("referer", ""),
    }, status=400 if request.method == "POST" else 200)
