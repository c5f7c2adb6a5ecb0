"""PDFs a record keeps once per language (R27: every PDF in Chinese and in
English): the handbook's editions and the fee-schedule notices.

One file per language, each rendered by its own Celery task when the record
is made, as the other PDFs are: a download is then a file read, never a
WeasyPrint render (seconds of CPU) inside a web request, and each task stays
within the time limit of one render. Both languages are made at once rather
than on a reader's first request: editions and notices are few (a handful a
year per centre), so the second render costs little, nobody meets "being
prepared" for reading in the other language, and no GET queues work.

The Chinese file is the record's own — its SHA-256 is the one staff see and
the audit records, the document tenants acknowledge. The English one holds the
same content: what staff typed stays as typed, only the document's own words
(headings, labels, numbering, dates) are translated."""

from __future__ import annotations

import functools
import hashlib
import operator

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.utils import translation

# Each language of settings.LANGUAGES, Chinese first, and the record's fields
# holding its file and that file's SHA-256.
PDF_FIELDS = {"zh-hans": ("pdf", "pdf_sha256"), "en": ("pdf_en", "pdf_en_sha256")}


def pdf_language(code: str | None) -> str:
    """The kept language for a language code ('en-gb' is 'en', 'zh-cn'
    'zh-hans'); the site's default, Chinese, for none or any other."""
    base = (code or "").lower().split("-")[0]
    return next((language for language in PDF_FIELDS if language.split("-")[0] == base), settings.LANGUAGE_CODE)


def reader_pdf_language(request) -> str:
    """The language a download is in: the one a link asked for
    (`?language=`, where both are offered), else the language the reader
    reads the portal in (the tenant side's switch, the admin's preference);
    Chinese by default. An unknown value is not an error: it is ignored."""
    asked = request.GET.get("language", "")
    return asked if asked in PDF_FIELDS else pdf_language(translation.get_language())


def missing_a_language() -> Q:
    """Records without the file of at least one language."""
    return functools.reduce(operator.or_, (Q(**{field: ""}) for field, _sha in PDF_FIELDS.values()))


def kept_name(stem: str, language: str) -> str:
    """The file's name: the Chinese one as before, the others marked."""
    return f"{stem}.pdf" if language == settings.LANGUAGE_CODE else f"{stem}-{language}.pdf"


class KeptInEachLanguage:
    """For a model with the fields of PDF_FIELDS."""

    def pdf_in(self, language: str):
        return getattr(self, PDF_FIELDS[language][0])

    def sha256_in(self, language: str) -> str:
        return getattr(self, PDF_FIELDS[language][1])

    def languages_missing(self) -> list[str]:
        return [language for language in PDF_FIELDS if not self.pdf_in(language)]

    def downloads(self, url: str) -> list[tuple[str, str, str]]:
        """(language's name, `url` asking for it, SHA-256) for each file made."""
        return [(name, f"{url}?language={code}", self.sha256_in(code)) for code, name in settings.LANGUAGES
                if code in PDF_FIELDS and self.pdf_in(code)]


def queue_each_language(task, pk: int, languages: list[str]) -> None:
    """Queue `task(pk, language)` once per language: one render per task, so
    each stays within the time limit of one render. The caller imports its
    task inside its own function (tasks import the services that queue them)."""
    for language in languages:
        task.delay(pk, language)


def keep_pdf(model, pk: int, *, language: str, pdf: bytes, name: str, done: dict):
    """Keep `pdf` as the record's file in `language`, under the row's lock: a
    second run that finds one kept keeps the first. Once every language is
    there the record takes the `done` values (its ready status). Returns the
    record as it now is."""
    with transaction.atomic():
        record = model.objects.select_for_update().get(pk=pk)
        field, sha_field = PDF_FIELDS[language]
        if getattr(record, field):
            return record
        getattr(record, field).save(name, ContentFile(pdf), save=False)
        setattr(record, sha_field, hashlib.sha256(pdf).hexdigest())
        changed = [field, sha_field]
        if not record.languages_missing():
            for key, value in done.items():
                setattr(record, key, value)
            changed += list(done)
        record.save(update_fields=changed)
    return record
