"""The S3 lane (`make test-s3`) really runs on S3: with ATRIUM_S3_ENDPOINT_URL
set, media is in the bucket on the server CI started, and a stamped PDF is
stored there and goes out only through Atrium's access-checked view (the
bytes streamed, never a redirect to a bucket URL). Without it, media is in
the run's folder: nothing here is skipped either way."""

import time
from urllib.parse import parse_qs, urlparse

import pytest
from django.conf import settings
from django.core.files.storage import default_storage, storages
from django.urls import reverse
from django.utils.module_loading import import_string

from notices.models import LetterStatus
from tests.base import ANONYMOUS, assert_access
from tests.fixtures.s3 import s3_object_names
from tests.notices.letters import decide, draft_letter, make_template, submit

pytestmark = pytest.mark.django_db

S3 = "storages.backends.s3.S3Storage"


def _on_s3() -> bool:
    return bool(getattr(settings, "ATRIUM_S3_ENDPOINT_URL", ""))


def test_media_is_on_s3_exactly_when_the_s3_lane_asks_for_it():
    backend = settings.STORAGES["default"]["BACKEND"]
    assert (backend == S3) is _on_s3()
    assert isinstance(storages["default"], import_string(backend))


def test_a_stamped_pdf_is_stored_in_the_bucket_and_streamed_through_the_checked_view(client, world):
    make_template(world.centre_a)
    letter = submit(draft_letter(world.drafter_a, world.centre_a), world.drafter_a)
    decide(letter, world.leader_a, comment="同意")
    letter = decide(letter, world.seal_a)
    assert letter.status == LetterStatus.STAMPED
    if _on_s3():
        assert letter.pdf.name in s3_object_names("letters/")
        # A URL the storage would hand out is signed and short-lived, never a public one.
        query = parse_qs(urlparse(default_storage.url(letter.pdf.name)).query)
        assert "Signature" in query or "X-Amz-Signature" in query
        lifetime = int(query["X-Amz-Expires"][0]) if "X-Amz-Expires" in query else int(query["Expires"][0]) - time.time()
        assert 0 < lifetime <= 300
    else:
        assert (settings.MEDIA_ROOT / letter.pdf.name).is_file()

    url = reverse("notices_letters:pdf", args=[letter.pk])
    client.force_login(world.ops_a)
    response = client.get(url)
    assert response.status_code == 200 and "Location" not in response
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert response["Cache-Control"].startswith("private, no-store")
    assert_access(url, refused=[ANONYMOUS, world.ops_b, world.signer_a])
