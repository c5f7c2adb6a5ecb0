from cryptography import x509
from cryptography.hazmat.primitives import serialization
from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from notices.admin.recipient_choosers import UnitsChooser
from notices.models import LetterTemplate
from notices.pdf.sanitize import TextLoss, text_losses
from notices.selectors import TEMPLATE_ROLES
from portal.access import centres_for
from portal.admin_scoping import ScopedAdminForm
from portal.models.accounts import Role, StaffMembership
from tenants.models import Category, Tenant, Tier, Unit

MAX_IMAGE_BYTES = 2 * 1024 * 1024
MAX_PDF_BYTES = 20 * 1024 * 1024


def _loss_message(loss: TextLoss) -> str:
    """Name the element and the words, so that the drafter can find them."""
    text = loss.text if len(loss.text) <= 60 else loss.text[:60] + "…"
    if loss.unclosed:
        return _(
            "The body has a <%(tag)s> tag that is never closed: the text after it would be missing from the "
            "sealed letter: “%(text)s”. Close or delete the tag."
        ) % {"tag": loss.unclosed[0], "text": text}
    if loss.tags:
        return _(
            "Text inside <%(tag)s> would be missing from the sealed letter: “%(text)s”. "
            "Move the text out of the tag, or delete the tag."
        ) % {"tag": loss.tags[0], "text": text}
    return _("Part of the text would be missing from the sealed letter: “%(text)s”. Remove the markup around it.") % {
        "text": text
    }


class _AttachmentLink:
    """What ClearableFileInput shows as the current file: the uploader's
    name, linked to the letter page's access-checked download."""

    def __init__(self, file):
        attachment = file.instance
        self.url = reverse("notices_letters:attachment", args=[attachment.letter_id, attachment.pk])
        self.name = attachment.original_name or attachment.title

    def __str__(self):
        return self.name


class AttachmentFileInput(forms.ClearableFileInput):
    """Attachments live in private storage: the default widget links the
    file's storage URL (/media/…), which nothing serves — a 404 in the
    editor. The link goes through the same view as the letter page's."""

    def format_value(self, value):
        value = super().format_value(value)
        if value is not None and getattr(getattr(value, "instance", None), "pk", None):
            return _AttachmentLink(value)
        return value


def floor_label(floor: int) -> str:
    return f"B{-floor}" if floor < 0 else f"{floor}F"


def _drafter_centres(user):
    return centres_for(user, [Role.DRAFTER])


def _drafter_tenants(user):
    return Tenant.objects.filter(centre__in=_drafter_centres(user)).current()


def _drafter_units(user):
    return Unit.objects.filter(centre__in=_drafter_centres(user)).select_related("tenant")


# A chosen id outside the queryset: another centre's record (or one gone).
NOT_THIS_CENTRE_TENANT = _("The tenant with id %(value)s is not a current tenant of a centre you draft letters for: "
                           "choose the recipients again with “Choose tenants”.")
NOT_THIS_CENTRE_UNIT = _("The unit with id %(value)s is not in a centre you draft letters for: "
                         "choose the units again with “Choose units”.")


class LetterForm(ScopedAdminForm):
    scoped_fields = {"centre": _drafter_centres, "recipient_tenants": _drafter_tenants,
                     "recipient_units": _drafter_units}
    recipient_tiers = forms.MultipleChoiceField(
        label=_("tiers"), choices=Tier.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    recipient_categories = forms.MultipleChoiceField(
        label=_("categories"), choices=Category.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    recipient_floors = forms.TypedMultipleChoiceField(
        label=_("floors"), coerce=int, required=False, widget=forms.CheckboxSelectMultiple,
        help_text=_("The tenants of every unit on the ticked floors receive the letter."),
    )
    recipient_units = forms.ModelMultipleChoiceField(
        label=_("affected units"), required=False, queryset=Unit.objects.none(), widget=UnitsChooser,
        help_text=_("The tenants trading in the chosen units receive the letter. Search by unit number or tenant."),
        error_messages={"invalid_choice": NOT_THIS_CENTRE_UNIT},
    )

    class Media:
        js = ["notices/letter_form.js"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            # An approver editing during their step works within the letter's
            # own centre, which is not among their drafting centres.
            self.fields["centre"].queryset = self.fields["centre"].queryset.model.objects.filter(pk=self.instance.centre_id)
            self.fields["recipient_tenants"].queryset = Tenant.objects.filter(centre_id=self.instance.centre_id).current()
            self.fields["recipient_units"].queryset = Unit.objects.filter(
                centre_id=self.instance.centre_id).select_related("tenant")
            self.initial["recipient_units"] = self._unit_ids(self.instance.recipient_units)
        tenants = self.fields["recipient_tenants"]
        tenants.error_messages["invalid_choice"] = NOT_THIS_CENTRE_TENANT
        tenants.help_text = _("Search by tenant code or any part of a name: only the current tenants of the "
                              "letter's centre can be chosen.")
        self._offer_floors()
        self.fields["recipient_mode"].widget.attrs["data-recipient-count-url"] = reverse(
            "notices_letters:recipient_count", args=[0])
        if not self.instance.pk and self.for_user is not None:
            membership = StaffMembership.objects.active().filter(user=self.for_user, role=Role.DRAFTER).first()
            if membership:
                self.initial.setdefault("department", membership.department)
                self.initial.setdefault("centre", membership.centre_id)
                # The 印发 line names the signing organisation unless the drafter changes it.
                template = LetterTemplate.objects.filter(centre_id=membership.centre_id).first()
                if template is not None:
                    self.initial.setdefault("printed_by", template.signatory_name)

    def clean_body(self):
        from django.utils.html import strip_tags

        body = self.cleaned_data.get("body") or ""
        # Draftail leaves an empty paragraph behind; a letter needs words.
        if not strip_tags(body).strip():
            raise forms.ValidationError(_("The letter has no text."))
        # The PDF gets the sanitised body: refuse a body whose words would
        # not all reach it, rather than seal a letter that lacks them.
        loss = text_losses(body)
        if loss is not None:
            raise forms.ValidationError(_loss_message(loss))
        return body

    def _offer_floors(self):
        """The floors of the letter's centre (or the drafter's centres), as
        B1 / 1F; a floor the letter already names stays, even if no unit is
        left on it, so that saving does not fail on it."""
        centre = self.fields["centre"].queryset
        floors = set(Unit.objects.filter(centre__in=centre).values_list("floor", flat=True))
        floors.update(f for f in self.instance.recipient_floors or [] if isinstance(f, int))
        self.fields["recipient_floors"].choices = [(f, floor_label(f)) for f in sorted(floors)]

    def _unit_ids(self, numbers) -> list[int]:
        """The letter keeps unit numbers (what it prints); the chooser works
        with the units of the letter's centre."""
        if not isinstance(numbers, list) or not numbers:
            return []
        units = Unit.objects.filter(centre_id=self.instance.centre_id, number__in=numbers)
        return list(units.values_list("pk", flat=True))

    def clean_recipient_units(self):
        return [unit.number for unit in self.cleaned_data.get("recipient_units") or []]

    def clean(self):
        cleaned = super().clean()
        mode = cleaned.get("recipient_mode")
        needed = {"tier": "recipient_tiers", "floor": "recipient_floors", "category": "recipient_categories",
                  "named": "recipient_tenants", "units": "recipient_units"}
        if mode in needed and not cleaned.get(needed[mode]):
            self.add_error(needed[mode], _("Choose at least one for these recipients."))
        centre = cleaned.get("centre")
        units = cleaned.get("recipient_units") or []
        if centre and units:
            known = set(Unit.objects.filter(centre=centre, number__in=units).values_list("number", flat=True))
            unknown = [u for u in units if u not in known]
            if unknown:
                self.add_error("recipient_units", _("No such unit in this centre: %(units)s") % {"units": "、".join(unknown)})
        for tenant in cleaned.get("recipient_tenants") or []:
            if centre and tenant.centre_id != centre.pk:
                self.add_error("recipient_tenants", _("%(tenant)s trades in another centre.") % {"tenant": tenant})
        return cleaned

    def save(self, commit=True):
        letter = super().save(commit=False)
        if letter.drafter_id is None and self.for_user is not None:
            letter.drafter = self.for_user
        if commit:
            letter.save()
            self.save_m2m()
        return letter


class LetterTemplateForm(ScopedAdminForm):
    """Uploads go into the database; nothing here ever shows the key again."""

    scoped_fields = {"centre": lambda user: centres_for(user, TEMPLATE_ROLES)}
    seal_upload = forms.FileField(label=_("seal picture (PNG, transparent background)"), required=False)
    logo_upload = forms.FileField(label=_("logo (PNG)"), required=False)
    certificate_upload = forms.FileField(label=_("seal certificate (PEM)"), required=False)
    key_upload = forms.FileField(
        label=_("seal private key (PEM, unencrypted)"), required=False,
        help_text=_("Stored encrypted. It can be replaced but never downloaded."),
    )

    def _read(self, name, limit):
        upload = self.cleaned_data.get(name)
        if not upload:
            return None
        if upload.size > limit:
            raise forms.ValidationError(_("The file is too large."))
        return upload.read()

    def clean_seal_upload(self):
        data = self._read("seal_upload", MAX_IMAGE_BYTES)
        if data is not None and not data.startswith(b"\x89PNG\r\n\x1a\n"):
            raise forms.ValidationError(_("The seal picture must be a PNG file."))
        return data

    def clean_logo_upload(self):
        data = self._read("logo_upload", MAX_IMAGE_BYTES)
        if data is not None and not data.startswith(b"\x89PNG\r\n\x1a\n"):
            raise forms.ValidationError(_("The logo must be a PNG file."))
        return data

    def clean_certificate_upload(self):
        data = self._read("certificate_upload", 64 * 1024)
        if data is not None:
            try:
                x509.load_pem_x509_certificate(data)
            except ValueError:
                raise forms.ValidationError(_("This is not a PEM certificate.")) from None
        return data

    def clean_key_upload(self):
        data = self._read("key_upload", 64 * 1024)
        if data is not None:
            try:
                serialization.load_pem_private_key(data, password=None)
            except (ValueError, TypeError):
                raise forms.ValidationError(_("This is not an unencrypted PEM private key.")) from None
        return data

    def clean(self):
        cleaned = super().clean()
        cert, key = cleaned.get("certificate_upload"), cleaned.get("key_upload")
        if (cert is None) != (key is None):
            raise forms.ValidationError(_("Upload the certificate and its private key together."))
        if cert and key:
            public = serialization.load_pem_private_key(key, password=None).public_key()
            if public.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo) != x509.load_pem_x509_certificate(cert).public_key().public_bytes(
                serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
            ):
                raise forms.ValidationError(_("The private key does not belong to the certificate."))
        return cleaned

    def save(self, commit=True):
        template = super().save(commit=False)
        data = self.cleaned_data
        if data.get("seal_upload"):
            template.seal_png = data["seal_upload"]
        if data.get("logo_upload"):
            template.logo_png = data["logo_upload"]
        if data.get("certificate_upload"):
            template.seal_certificate_pem = data["certificate_upload"].decode()
            template.set_seal_key(data["key_upload"])
        if commit:
            template.save()
        return template


class VerifyForm(forms.Form):
    pdf = forms.FileField(label=_("The letter's PDF"), required=False)
    sha256 = forms.RegexField(
        label=_("…or its SHA-256"), regex=r"^\s*[0-9a-fA-F]{64}\s*$", required=False,
        error_messages={"invalid": _("A SHA-256 is 64 hexadecimal characters.")},
    )

    def clean(self):
        cleaned = super().clean()
        # A mistyped hash already has its own message: say it once, not twice.
        if not cleaned.get("pdf") and not cleaned.get("sha256") and not self.errors:
            raise forms.ValidationError(_("Upload the PDF or paste its SHA-256."))
        upload = cleaned.get("pdf")
        if upload and upload.size > MAX_PDF_BYTES:
            raise forms.ValidationError(_("The file is too large (at most 20 MB)."))
        return cleaned


# --- tenant inbox and staff follow-up (issue 5) -----------------------------------


class SignCodeRequestForm(forms.Form):
    channel = forms.ChoiceField(label=_("Send the code by"), choices=[("email", _("email")), ("sms", _("SMS"))])


class SignForm(forms.Form):
    """The hash of the PDF shown on the page travels with the form, so the
    receipt names the exact document the signer saw."""

    pdf_sha256 = forms.CharField(widget=forms.HiddenInput, max_length=64)
    code = forms.CharField(label=_("One-time code"), max_length=12, required=False,
                           widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}))
    password = forms.CharField(label=_("or your password"), required=False, strip=False,
                               widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("code") and not cleaned.get("password"):
            raise forms.ValidationError(_("Enter the code we sent you, or your password."))
        return cleaned


class LetterQuestionForm(forms.Form):
    subject = forms.CharField(label=_("Subject"), max_length=200, required=False)
    description = forms.CharField(label=_("Your question"), widget=forms.Textarea(attrs={"rows": 4}), max_length=4000)


class PaperReceiptForm(forms.Form):
    signer_name = forms.CharField(label=_("Signed by"), max_length=100)
    signed_at = forms.DateTimeField(label=_("Signed at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    scan = forms.FileField(label=_("Scanned receipt (PDF or picture)"))
