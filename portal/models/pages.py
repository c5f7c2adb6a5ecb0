"""The pages a centre publishes (R16–R18): its home page, the notices bulletin,
the tenant service handbook and the fee schedules.

Every page lives under a centre's home page, which carries that centre's
review workflow and editor/reviewer permissions (portal.pages.site); who may
read a page is Wagtail's page privacy, set from the page's audience
(portal.pages.privacy)."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Orderable, Page, PageViewRestriction
from wagtail.search import index

from portal.search import segment

# No images or document links: both would be served by Wagtail from URLs that
# ignore page privacy; attachments go through the notice (pages:notice_attachment).
RICH_FEATURES = ["h2", "h3", "h4", "bold", "italic", "ol", "ul", "link", "hr"]


class Audience(models.TextChoices):
    PUBLIC = "public", _("Everyone (public)")
    TENANTS = "tenants", _("Tenants of this centre only")


def _plain(html: str) -> str:
    from django.utils.html import strip_tags

    return strip_tags(html or "")


class CentrePageMixin:
    """Pages below a centre's home page know their centre."""

    @cached_property
    def centre_home(self) -> CentreHomePage | None:
        return CentreHomePage.objects.ancestor_of(self, inclusive=True).select_related("centre").first()

    @property
    def centre(self):
        home = self.centre_home
        return home.centre if home else None

    @cached_property
    def ancestors(self) -> list[Page]:
        return list(self.get_ancestors())

    def get_view_restrictions(self):
        # Serving a page asks three times (Wagtail's own check, the refusal of
        # signed-in readers, the page cache); a page instance lives for one
        # request, so it asks the database once, with the groups. Callers that
        # refine the result (.order_by in the admin) get a fresh query.
        # The ancestors are the ones the breadcrumbs show; an alias answers to
        # its source page's restrictions, as in Wagtail's own method.
        restrictions = self.__dict__.get("_view_restrictions")
        if restrictions is None:
            page_ids = {page.alias_of_id or page.pk for page in (self, *self.ancestors)}
            restrictions = PageViewRestriction.objects.filter(page_id__in=page_ids).prefetch_related("groups")
            self._view_restrictions = restrictions
        return restrictions

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["centre_home"] = self.centre_home
        context["ancestors"] = self.ancestors
        return context


class IntroPage(Page):
    """A page whose own text is a rich-text introduction above what it lists."""

    intro = RichTextField(_("introduction"), blank=True, features=RICH_FEATURES)

    content_panels = [*Page.content_panels, FieldPanel("intro")]

    class Meta:
        abstract = True


class PortalIndexPage(IntroPage):
    """The root of the published site (/pages/): one card per centre."""

    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["portal.CentreHomePage"]
    max_count = 1
    template = "portal/pages/portal_index_page.html"

    class Meta:
        verbose_name = _("portal home page")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["centre_homes"] = CentreHomePage.objects.child_of(self).live().select_related("centre")
        return context


class CentreHomePage(CentrePageMixin, IntroPage):
    centre = models.OneToOneField(
        "portal.Centre", on_delete=models.PROTECT, related_name="home_page", verbose_name=_("centre")
    )

    parent_page_types = ["portal.PortalIndexPage"]
    subpage_types = ["portal.NoticeIndexPage", "portal.HandbookPage", "portal.FeeScheduleIndexPage"]
    template = "portal/pages/centre_home_page.html"

    class Meta:
        verbose_name = _("centre home page")

    def get_context(self, request, *args, **kwargs):
        from portal.pages.privacy import latest_notices_for

        context = super().get_context(request, *args, **kwargs)
        context["notices"] = latest_notices_for(request.user, [self], limit=5)
        context["sections"] = self.get_children().live().specific()
        return context


class NoticeCategory(models.TextChoices):
    GENERAL = "general", _("General notice")
    OPERATIONS = "operations", _("Operations")
    SAFETY = "safety", _("Fire and safety")
    WORKS = "works", _("Works and maintenance")
    EVENT = "event", _("Events and promotions")
    FEES = "fees", _("Fees and payments")


class NoticeIndexPage(CentrePageMixin, IntroPage):
    """The centre's notices bulletin (公告栏)."""

    parent_page_types = ["portal.CentreHomePage"]
    subpage_types = ["portal.NoticePage"]
    max_count_per_parent = 1
    template = "portal/pages/notice_index_page.html"

    class Meta:
        verbose_name = _("notices bulletin")

    def get_context(self, request, *args, **kwargs):
        from portal.pages.privacy import pages_visible_to

        context = super().get_context(request, *args, **kwargs)
        category = request.GET.get("category", "")
        notices = NoticePage.objects.child_of(self).live()
        if category in NoticeCategory.values:
            notices = notices.filter(category=category)
        else:
            category = ""
        context["notices"] = pages_visible_to(request.user, notices).order_by("-first_published_at")[:100]
        context["categories"] = NoticeCategory.choices
        context["category"] = category
        return context


class NoticePage(CentrePageMixin, Page):
    category = models.CharField(_("category"), max_length=20, choices=NoticeCategory.choices, default=NoticeCategory.GENERAL)
    audience = models.CharField(
        _("who may read it"), max_length=10, choices=Audience.choices, default=Audience.TENANTS,
        help_text=_("Tenant-only notices are private to the accounts of this centre's tenants."),
    )
    summary = models.CharField(_("summary"), max_length=300, blank=True)
    body = RichTextField(_("body"), features=RICH_FEATURES)

    content_panels = [
        *Page.content_panels,
        MultiFieldPanel([FieldPanel("category"), FieldPanel("audience")], heading=_("Notice")),
        FieldPanel("summary"),
        FieldPanel("body"),
        InlinePanel("attachments", label=_("Attachments")),
    ]
    search_fields = [*Page.search_fields, index.SearchField("search_text"), index.FilterField("category")]
    parent_page_types = ["portal.NoticeIndexPage"]
    subpage_types: list[str] = []
    template = "portal/pages/notice_page.html"

    class Meta:
        verbose_name = _("notice")
        verbose_name_plural = _("notices")

    def search_text(self) -> str:
        return segment(self.title, self.summary, _plain(self.body))

    @property
    def published_on(self):
        return self.first_published_at or self.go_live_at or timezone.now()


class NoticeAttachment(Orderable):
    page = ParentalKey(NoticePage, on_delete=models.CASCADE, related_name="attachments")
    document = models.ForeignKey(
        "wagtaildocs.Document", on_delete=models.PROTECT, related_name="+", verbose_name=_("document")
    )
    title = models.CharField(_("title"), max_length=200, blank=True, help_text=_("Shown instead of the file name."))

    panels = [FieldPanel("document"), FieldPanel("title")]

    class Meta(Orderable.Meta):
        verbose_name = _("attachment")

    def __str__(self):
        return self.label

    @property
    def label(self) -> str:
        return self.title or self.document.title


class HandbookPage(CentrePageMixin, Page):
    """The tenant service handbook (《租户服务管理手册》, 4.6): chapters are its children."""

    audience = models.CharField(
        _("who may read it"), max_length=10, choices=Audience.choices, default=Audience.TENANTS
    )
    intro = RichTextField(_("foreword"), blank=True, features=RICH_FEATURES)

    content_panels = [*Page.content_panels, FieldPanel("audience"), FieldPanel("intro")]
    search_fields = [*Page.search_fields, index.SearchField("search_text")]
    parent_page_types = ["portal.CentreHomePage"]
    subpage_types = ["portal.HandbookChapterPage"]
    max_count_per_parent = 1
    template = "portal/pages/handbook_page.html"

    class Meta:
        verbose_name = _("tenant service handbook")

    def search_text(self) -> str:
        return segment(self.title, _plain(self.intro))

    def chapters(self):
        return HandbookChapterPage.objects.child_of(self).live().order_by("path")

    def get_context(self, request, *args, **kwargs):
        from portal.pages.handbook import handbook_state_for

        context = super().get_context(request, *args, **kwargs)
        context["chapters"] = self.chapters()
        context.update(handbook_state_for(self, request.user))
        return context


class HandbookChapterPage(CentrePageMixin, Page):
    body = RichTextField(_("text"), features=RICH_FEATURES)

    content_panels = [*Page.content_panels, FieldPanel("body")]
    search_fields = [*Page.search_fields, index.SearchField("search_text")]
    parent_page_types = ["portal.HandbookPage"]
    subpage_types: list[str] = []
    template = "portal/pages/handbook_chapter_page.html"

    class Meta:
        verbose_name = _("handbook chapter")

    def search_text(self) -> str:
        return segment(self.title, _plain(self.body))

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        siblings = list(HandbookChapterPage.objects.sibling_of(self).live().order_by("path").only("id", "title", "path", "url_path", "slug", "depth"))
        index_of = next((i for i, p in enumerate(siblings) if p.pk == self.pk), 0)
        context["chapter_number"] = index_of + 1
        context["previous_chapter"] = siblings[index_of - 1] if index_of > 0 else None
        context["next_chapter"] = siblings[index_of + 1] if index_of + 1 < len(siblings) else None
        context["handbook"] = self.ancestors[-1]
        return context


class FeeKind(models.TextChoices):
    SERVICE = "service", _("Service charges")
    COLLECTED = "collected", _("Charges collected on behalf of others")
    PAID = "paid", _("Paid services")


class FeeScheduleIndexPage(CentrePageMixin, Page):
    """Fee schedules (4.14). The one in force is the latest whose effective
    date has come; earlier ones stay readable."""

    audience = models.CharField(_("who may read it"), max_length=10, choices=Audience.choices, default=Audience.PUBLIC)
    intro = RichTextField(_("introduction"), blank=True, features=RICH_FEATURES)

    content_panels = [*Page.content_panels, FieldPanel("audience"), FieldPanel("intro")]
    parent_page_types = ["portal.CentreHomePage"]
    subpage_types = ["portal.FeeSchedulePage"]
    max_count_per_parent = 1
    template = "portal/pages/fee_schedule_index_page.html"

    class Meta:
        verbose_name = _("fee schedules")

    def schedules(self):
        return FeeSchedulePage.objects.child_of(self).live().order_by("-effective_from", "-pk")

    def current_schedule(self):
        return self.schedules().filter(effective_from__lte=timezone.localdate()).first()

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        current = self.current_schedule()
        context["current"] = current
        context["others"] = [s for s in self.schedules() if current is None or s.pk != current.pk]
        context["today"] = timezone.localdate()
        return context


class FeeSchedulePage(CentrePageMixin, Page):
    effective_from = models.DateField(_("effective from"))
    notes = RichTextField(_("notes"), blank=True, features=RICH_FEATURES)

    content_panels = [
        *Page.content_panels,
        FieldPanel("effective_from"),
        InlinePanel("items", label=_("Fee items")),
        FieldPanel("notes"),
    ]
    search_fields = [*Page.search_fields, index.SearchField("search_text")]
    parent_page_types = ["portal.FeeScheduleIndexPage"]
    subpage_types: list[str] = []
    template = "portal/pages/fee_schedule_page.html"

    class Meta:
        verbose_name = _("fee schedule")

    def search_text(self) -> str:
        return segment(self.title, " ".join(i.name for i in self.items.all()), _plain(self.notes))

    def tables(self) -> list[tuple[str, list[FeeItem]]]:
        items = list(self.items.all())
        return [(label, [i for i in items if i.kind == kind]) for kind, label in FeeKind.choices if any(i.kind == kind for i in items)]

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        index_page = self.get_parent().specific
        current = index_page.current_schedule()
        context["is_current"] = current is not None and current.pk == self.pk
        context["is_future"] = self.effective_from > timezone.localdate()
        context["current"] = current
        return context


class FeeItem(Orderable):
    page = ParentalKey(FeeSchedulePage, on_delete=models.CASCADE, related_name="items")
    kind = models.CharField(_("kind"), max_length=12, choices=FeeKind.choices)
    name = models.CharField(_("item"), max_length=200)
    price = models.CharField(_("price"), max_length=60, help_text=_("For example 28.00 or 按实际用量"))
    unit = models.CharField(_("unit"), max_length=60, blank=True, help_text=_("For example 元/m²/月"))
    remarks = models.CharField(_("remarks"), max_length=300, blank=True)

    panels = [FieldPanel("kind"), FieldPanel("name"), FieldPanel("price"), FieldPanel("unit"), FieldPanel("remarks")]

    class Meta(Orderable.Meta):
        verbose_name = _("fee item")
