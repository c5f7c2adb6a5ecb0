"""The centre's unified template (统一对外发文模版) and its number sequence."""

import hashlib

from cryptography.hazmat.primitives import serialization
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


def _key_passphrase() -> bytes:
    # The seal key is stored encrypted; the passphrase never sits in the
    # database. Rotating it requires re-installing the key (README).
    secret = getattr(settings, "ATRIUM_SEAL_KEY_PASSPHRASE", "") or settings.SECRET_KEY
    return hashlib.sha256(b"atrium-seal-key:" + secret.encode()).digest()


class LetterTemplate(models.Model):
    """One per centre. Holds the letterhead, the numbering pattern and the seal.

    The seal picture, certificate and key are stored in the database, not as
    media files: they are never reachable by URL, and only the stamping
    service reads them."""

    centre = models.OneToOneField(
        "portal.Centre", on_delete=models.CASCADE, related_name="letter_template", verbose_name=_("centre")
    )
    letterhead_title = models.CharField(
        _("letterhead title"), max_length=200, help_text=_("The red heading, e.g. the company's full name.")
    )
    number_pattern = models.CharField(
        _("document number pattern"),
        max_length=100,
        default="{code}商管〔{year}〕{seq:03d}号",
        help_text=_("Placeholders: {code} centre code, {year}, {seq} the number within the year."),
    )
    signatory_name = models.CharField(_("signing organisation"), max_length=200)
    footer_text = models.CharField(_("footer"), max_length=300, blank=True)
    logo_png = models.BinaryField(_("logo (PNG)"), null=True, blank=True, editable=False)
    seal_png = models.BinaryField(_("seal picture (PNG)"), null=True, blank=True, editable=False)
    seal_certificate_pem = models.TextField(_("seal certificate (PEM)"), blank=True, editable=False)
    seal_key_encrypted = models.BinaryField(null=True, blank=True, editable=False)
    timestamp_url = models.URLField(_("timestamp server (RFC 3161)"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("letter template")
        verbose_name_plural = _("letter templates")

    def __str__(self):
        return f"{self.centre} · {self.letterhead_title}"

    def format_number(self, *, year: int, seq: int) -> str:
        return self.number_pattern.format(code=self.centre.code, year=year, seq=seq)

    @property
    def has_seal(self) -> bool:
        return bool(self.seal_png and self.seal_certificate_pem and self.seal_key_encrypted)

    def set_seal_key(self, key_pem: bytes) -> None:
        key = serialization.load_pem_private_key(key_pem, password=None)
        self.seal_key_encrypted = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(_key_passphrase()),
        )

    def seal_key_pem(self) -> bytes:
        """Decrypted key, for the stamping service only."""
        key = serialization.load_pem_private_key(bytes(self.seal_key_encrypted), password=_key_passphrase())
        return key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )


class DocumentSequence(models.Model):
    """The last number issued per centre and year. Numbers are taken under a
    row lock, so two letters approved at the same moment never share one and
    none is skipped."""

    centre = models.ForeignKey("portal.Centre", on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("document number sequence")
        constraints = [models.UniqueConstraint(fields=["centre", "year"], name="docseq_unique_centre_year")]

    def __str__(self):
        return f"{self.centre} {self.year}: {self.last}"
