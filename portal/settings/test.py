"""Test settings. The database and broker still come from the environment, so
the same suite runs on the embedded default and on PostgreSQL + Redis."""

import os

# Each test run gets its own folder (database file, broker, media), so that two
# runs on one machine never share state; tests/conftest.py removes it after.
os.environ.setdefault(
    "ATRIUM_VAR_DIR", str(__import__("pathlib").Path(__file__).resolve().parents[2] / "var" / "test" / str(os.getpid()))
)
# pytest-xdist's workers inherit the controller's environment, this folder
# included: each gets one of its own inside it, or the first worker to finish
# would remove the files (and the SQLite database) of the others.
if os.environ.get("PYTEST_XDIST_WORKER"):
    os.environ["ATRIUM_VAR_DIR"] = os.path.join(os.environ["ATRIUM_VAR_DIR"], os.environ["PYTEST_XDIST_WORKER"])

from .base import *

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "pages": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "pages"},
}
MEDIA_ROOT = VAR_DIR / "media"
STORAGES["default"] = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
# make test-s3: media (and backups) on the S3-compatible server that CI starts
# on 127.0.0.1 (moto's standalone server), one bucket per test process; the
# tests' conftest creates it. Unset, media stays in this run's folder.
ATRIUM_S3_ENDPOINT_URL = os.environ.get("ATRIUM_S3_ENDPOINT_URL", "")
if ATRIUM_S3_ENDPOINT_URL:
    AWS_S3_ENDPOINT_URL = ATRIUM_S3_ENDPOINT_URL
    AWS_S3_REGION_NAME = "us-east-1"
    AWS_ACCESS_KEY_ID = AWS_SECRET_ACCESS_KEY = "atrium-test"  # noqa: S105 - moto accepts any key
    # Named after the run's folder, which a worker process started by a test
    # is handed too: it then reads and writes the same bucket.
    AWS_STORAGE_BUCKET_NAME = "atrium-test-" + __import__("hashlib").sha256(str(VAR_DIR).encode()).hexdigest()[:16]
    AWS_DEFAULT_ACL = None
    AWS_QUERYSTRING_AUTH = True
    AWS_QUERYSTRING_EXPIRE = 300
    STORAGES["default"] = {"BACKEND": "storages.backends.s3.S3Storage"}
    STORAGES["backups"] = {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": {"location": "backups"}}
# Unit tests run tasks in-process; tests marked `worker` start a real worker.
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not memory, so that a worker process started by a test sees the
    # same database as the test.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}
WAGTAILADMIN_BASE_URL = "http://testserver"
LOGGING["root"]["level"] = "WARNING"
ATRIUM_SMS_BACKEND = "locmem"
# Anchoring writes a file outside the database, which the per-test database
# rollback would not undo; the tests that need it point it at tmp_path.
ATRIUM_AUDIT_ANCHOR_DIR = None
