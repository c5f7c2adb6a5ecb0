"""Who the tenants are: operators, centres, units, tenants and their contacts."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords
from wagtail.search import index

from portal.models.organisation import Centre, code_validator, phone_validator
from portal.search import segment


class Tier(models.TextChoices):
    TIER_1 = "1", _("Tier 1")
    TIER_2 = "2", _("Tier 2")
    TIER_3 = "3", _("Tier 3")
    SPECIAL = "special", _("Special")


class Category(models.TextChoices):
    FOOD = "food", _("Food & beverage")
    FASHION = "fashion", _("Fashion & apparel")
    RETAIL = "retail", _("General retail")
    CHILDREN = "children", _("Children & education")
    LIFESTYLE = "lifestyle", _("Lifestyle & services")
    ENTERTAINMENT = "entertainment", _("Entertainment")
    SUPERMARKET = "supermarket", _("Supermarket")
    BEAUTY = "beauty", _("Beauty & health")
    ELECTRONICS = "electronics", _("Digital & electronics")


class TenantStatus(models.TextChoices):
    PREPARING = "preparing", _("Fitting out")
    OPEN = "open", _("Trading")
    LEAVING = "leaving", _("Leaving")
    LEFT = "left", _("Left")


class TenantQuerySet(models.QuerySet):
    def current(self):
        return self.exclude(status=TenantStatus.LEFT)

    def in_centres(self, centres):
        return self.filter(centre__in=centres)


# Fields that only staff with confidential access see (R2, seed 001 篇6).
CONFIDENTIAL_TENANT_FIELDS = ("monthly_rent", "lease_terms")
CONFIDENTIAL_CONTACT_FIELDS = ("personal_phone",)


class Tenant(index.Indexed, models.Model):
    centre = models.ForeignKey(Centre, on_delete=models.PROTECT, related_name="tenants", verbose_name=_("centre"))
    code = models.CharField(_("tenant code"), max_length=30, validators=[code_validator])
    legal_name = models.CharField(_("legal name"), max_length=200)
    trading_name = models.CharField(_("trading name"), max_length=200)
    category = models.CharField(_("business category"), max_length=20, choices=Category.choices)
    tier = models.CharField(_("tier"), max_length=10, choices=Tier.choices, default=Tier.TIER_3)
    lease_start = models.DateField(_("lease start"), null=True, blank=True)
    lease_end = models.DateField(_("lease end"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=TenantStatus.choices, default=TenantStatus.OPEN)
    # Confidential fields (R2): shown and edited only by staff with the
    # confidentiality permission or a live access grant for this tenant.
    monthly_rent = models.DecimalField(_("monthly rent (CNY)"), max_digits=12, decimal_places=2, null=True, blank=True)
    lease_terms = models.TextField(_("lease terms"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = TenantQuerySet.as_manager()
    # What changed, field by field, whoever changed it and however (R2):
    # tenants.selectors.history reads it. The row's own timestamps say nothing.
    history = HistoricalRecords(
        excluded_fields=["created_at", "updated_at"],
        verbose_name=_("historical tenant"), verbose_name_plural=_("historical tenants"),
    )

    # Indexed by tenants.search_index instead, so that imports can batch it.
    search_auto_update = False

    search_fields = [
        index.SearchField("search_text"),
        index.AutocompleteField("search_text"),
        index.FilterField("centre"),
        index.FilterField("tier"),
        index.FilterField("status"),
        index.FilterField("category"),
        index.FilterField("id"),
    ]

    class Meta:
        verbose_name = _("tenant")
        verbose_name_plural = _("tenants")
        ordering = ["centre", "code"]
        constraints = [
            models.UniqueConstraint(fields=["centre", "code"], name="tenant_code_unique_per_centre"),
            models.CheckConstraint(
                condition=Q(lease_end__isnull=True) | Q(lease_start__isnull=True) | Q(lease_end__gte=models.F("lease_start")),
                name="tenant_lease_end_after_start",
            ),
        ]

    def __str__(self):
        return _("%(name)s (%(detail)s)") % {"name": self.trading_name, "detail": self.code}

    def search_text(self) -> str:
        return segment(self.trading_name, self.legal_name, self.code, self.get_category_display())

    @property
    def unit_labels(self) -> str:
        return "、".join(u.label for u in self.units.all())


class Unit(models.Model):
    centre = models.ForeignKey(Centre, on_delete=models.PROTECT, related_name="units", verbose_name=_("centre"))
    floor = models.SmallIntegerField(_("floor"), help_text=_("Negative for basement levels: -1 is B1."))
    number = models.CharField(_("unit number"), max_length=20)
    area = models.DecimalField(_("area (m²)"), max_digits=9, decimal_places=2)
    tenant = models.ForeignKey(
        Tenant, on_delete=models.SET_NULL, null=True, blank=True, related_name="units", verbose_name=_("tenant")
    )

    history = HistoricalRecords(verbose_name=_("historical unit"), verbose_name_plural=_("historical units"))

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["centre", "floor", "number"]
        constraints = [
            models.UniqueConstraint(fields=["centre", "number"], name="unit_number_unique_per_centre"),
            models.CheckConstraint(condition=Q(area__gt=0), name="unit_area_positive"),
            models.CheckConstraint(condition=~Q(floor=0), name="unit_floor_not_zero"),
        ]

    def __str__(self):
        return f"{self.centre.code} {self.label}"

    @property
    def floor_label(self) -> str:
        return f"B{-self.floor}" if self.floor < 0 else f"{self.floor}F"

    @property
    def label(self) -> str:
        return self.number


class ContactQuerySet(models.QuerySet):
    def active(self):
        return self.filter(active=True)

    def signatories(self):
        return self.active().filter(may_sign=True)


class Contact(models.Model):
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="contacts", verbose_name=_("tenant"))
    name = models.CharField(_("name"), max_length=100)
    position = models.CharField(_("position"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True, validators=[phone_validator])
    email = models.EmailField(_("email"), blank=True)
    # Confidential (R2): a private number, unlike the shop phone above.
    personal_phone = models.CharField(_("personal phone"), max_length=30, blank=True, validators=[phone_validator])
    may_sign = models.BooleanField(_("may sign for letters"), default=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="contacts",
        verbose_name=_("portal account"),
    )
    active = models.BooleanField(_("active"), default=True)

    objects = ContactQuerySet.as_manager()
    history = HistoricalRecords(verbose_name=_("historical contact"), verbose_name_plural=_("historical contacts"))

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["tenant", "-may_sign", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "user"], condition=Q(user__isnull=False), name="contact_one_account_per_tenant"
            ),
        ]

    def __str__(self):
        return _("%(name)s (%(detail)s)") % {"name": self.name, "detail": self.tenant.trading_name}

    @property
    def centre(self):
        return self.tenant.centre
