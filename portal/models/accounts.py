"""Who may log in, and in which capacity.

A person is one `User` (email login). What they may do comes from:
- `StaffMembership` rows: user × centre × role. A manager/auditor may hold a
  membership with no centre, which means every centre of the operator.
- `tenants.Contact.user`: a tenant contact's account; `may_sign` on the contact
  decides whether they can sign for letters.
"""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Role(models.TextChoices):
    OPERATIONS = "operations", _("Operations service staff")
    DRAFTER = "drafter", _("Department drafter")
    LEADER = "leader", _("Leader (approver)")
    SEAL_KEEPER = "seal_keeper", _("Seal keeper (GM office)")
    MANAGER = "manager", _("Manager / auditor")
    WEB_EDITOR = "web_editor", _("Web editor")
    WEB_REVIEWER = "web_reviewer", _("Web reviewer")
    WEB_FOLLOWUP = "web_followup", _("Web follow-up officer")


class Department(models.TextChoices):
    OPERATIONS = "operations", _("Operations department")
    SAFETY = "safety", _("Safety department")
    ENGINEERING = "engineering", _("Engineering department")
    FINANCE = "finance", _("Finance department")
    GM_OFFICE = "gm_office", _("General manager's office")
    MARKETING = "marketing", _("Marketing department")
    PROPERTY = "property", _("Property management department")


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    """Email is the login; there is no username."""

    username = None
    first_name = None
    last_name = None
    email = models.EmailField(_("email"), unique=True)
    full_name = models.CharField(_("full name"), max_length=100, blank=True)
    phone = models.CharField(_("mobile phone"), max_length=30, blank=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["email"]

    def __str__(self):
        return self.full_name or self.email

    def get_full_name(self):
        return self.full_name or self.email

    def get_short_name(self):
        return self.full_name or self.email.split("@")[0]

    # Wagtail's admin shows first/last names; we keep one field, as Chinese names are.
    @property
    def first_name_display(self):
        return self.full_name

    def save(self, *args, **kwargs):
        self.email = (self.email or "").strip().lower()
        super().save(*args, **kwargs)


class MembershipQuerySet(models.QuerySet):
    def active(self):
        return self.filter(active=True, user__is_active=True)

    def for_role(self, *roles):
        return self.filter(role__in=roles)


class StaffMembership(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    operator = models.ForeignKey("portal.Operator", on_delete=models.CASCADE, related_name="memberships")
    centre = models.ForeignKey(
        "portal.Centre",
        on_delete=models.CASCADE,
        related_name="memberships",
        null=True,
        blank=True,
        help_text=_("Leave empty for an operator-wide manager/auditor."),
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    department = models.CharField(_("department"), max_length=20, choices=Department.choices, blank=True)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("staff membership")
        verbose_name_plural = _("staff memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "centre", "role"], name="membership_unique_per_centre_role"),
            models.UniqueConstraint(
                fields=["user", "operator", "role"],
                condition=Q(centre__isnull=True),
                name="membership_unique_operator_wide",
            ),
            # Only a manager/auditor can be operator-wide; everyone else works for a centre.
            models.CheckConstraint(
                condition=Q(centre__isnull=False) | Q(role="manager"),
                name="membership_operator_wide_only_manager",
            ),
            models.CheckConstraint(
                condition=~Q(role="drafter") | ~Q(department=""),
                name="membership_drafter_has_department",
            ),
        ]

    def __str__(self):
        where = self.centre or _("all centres")
        return f"{self.user} · {self.get_role_display()} · {where}"


class InvitationQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now())


class Invitation(models.Model):
    """An invitation to set a password and join: there is no open sign-up.

    Only the SHA-256 of the token is stored; the token itself exists only in
    the email, so a database leak does not hand out accounts."""

    class Kind(models.TextChoices):
        STAFF = "staff", _("Staff member")
        CONTACT = "contact", _("Tenant contact")

    class State(models.TextChoices):
        # Derived from the dates below, never stored: see `state`.
        PENDING = "pending", pgettext_lazy("invitation state", "Pending")
        ACCEPTED = "accepted", pgettext_lazy("invitation state", "Accepted")
        REVOKED = "revoked", pgettext_lazy("invitation state", "Withdrawn")
        EXPIRED = "expired", pgettext_lazy("invitation state", "Expired")

    email = models.EmailField(_("email"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    full_name = models.CharField(_("full name"), max_length=100, blank=True)
    # For staff:
    operator = models.ForeignKey("portal.Operator", on_delete=models.CASCADE, null=True, blank=True)
    centre = models.ForeignKey(
        "portal.Centre", on_delete=models.CASCADE, null=True, blank=True, verbose_name=_("centre")
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, blank=True)
    department = models.CharField(_("department"), max_length=20, choices=Department.choices, blank=True)
    # For tenant contacts:
    contact = models.ForeignKey(
        "tenants.Contact", on_delete=models.CASCADE, null=True, blank=True, verbose_name=_("contact")
    )

    token_hash = models.CharField(_("token hash"), max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("invited by")
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("accepted by"),
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="staff") & ~Q(role="") & Q(operator__isnull=False) & Q(contact__isnull=True))
                | (Q(kind="contact") & Q(contact__isnull=False) & Q(role="")),
                name="invitation_kind_matches_fields",
            ),
        ]

    def __str__(self):
        return f"{self.email} ({self.get_kind_display()})"

    @staticmethod
    def hash_token(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    @staticmethod
    def new_token() -> str:
        return secrets.token_urlsafe(32)

    @staticmethod
    def default_expiry():
        return timezone.now() + timedelta(days=settings.ATRIUM_INVITATION_DAYS)

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @property
    def state(self) -> str:
        if self.accepted_at:
            return self.State.ACCEPTED
        if self.revoked_at:
            return self.State.REVOKED
        if self.is_expired:
            return self.State.EXPIRED
        return self.State.PENDING

    def get_state_display(self) -> str:
        return self.State(self.state).label
