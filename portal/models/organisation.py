"""The organisation: the operator (the company) and its shopping centres.

Part of the foundation: every feature is scoped by centre, so the centre is
defined below the domain apps. The tables keep their first names
(tenants_operator, tenants_centre): the models moved here from the tenants app
without moving a row (see migrations portal 0004 and tenants 0005).
"""

from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

phone_validator = RegexValidator(r"^[0-9+\-() ]{5,30}$", _("Enter a valid phone number."))
code_validator = RegexValidator(r"^[A-Za-z0-9\-]{1,20}$", _("Letters, digits and hyphens only."))


class Operator(models.Model):
    """The company that runs one or more shopping centres."""

    name = models.CharField(_("name"), max_length=200)
    code = models.CharField(_("code"), max_length=20, unique=True, validators=[code_validator])

    class Meta:
        db_table = "tenants_operator"
        verbose_name = _("operator")
        verbose_name_plural = _("operators")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Centre(models.Model):
    operator = models.ForeignKey(Operator, on_delete=models.PROTECT, related_name="centres", verbose_name=_("operator"))
    name = models.CharField(_("name"), max_length=200)
    code = models.CharField(
        _("code"), max_length=20, unique=True, validators=[code_validator],
        help_text=_("Short code used in document numbers, e.g. BJ."),
    )
    address = models.CharField(_("address"), max_length=300, blank=True)
    hotline = models.CharField(_("24-hour hotline"), max_length=30, validators=[phone_validator])
    letterhead_name = models.CharField(
        _("letterhead name"), max_length=200, blank=True, help_text=_("Company name printed on letters.")
    )
    letterhead_address = models.CharField(_("letterhead address"), max_length=300, blank=True)
    letterhead_phone = models.CharField(_("letterhead phone"), max_length=30, blank=True)
    email = models.EmailField(_("service email"), blank=True)
    # The Wagtail collection that holds the centre's documents and images
    # (portal.pages.site): held by key, so renaming the centre keeps its
    # editors' files and the scoping of choosers.
    collection = models.OneToOneField(
        "wagtailcore.Collection", on_delete=models.PROTECT, null=True, blank=True, editable=False,
        related_name="+", verbose_name=_("document collection"),
    )

    class Meta:
        db_table = "tenants_centre"
        verbose_name = _("shopping centre")
        verbose_name_plural = _("shopping centres")
        ordering = ["operator__name", "name"]

    def __str__(self):
        return self.name
