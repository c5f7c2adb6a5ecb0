"""Settings shared by every environment. Everything deployment-specific comes
from the environment (see README, "Configuration"); the defaults are the
embedded setup that `make run` starts with no servers at all."""

from pathlib import Path

from django.utils.translation import gettext_lazy as _

from .env import (
    env_bool,
    env_clock,
    env_database,
    env_int,
    env_list,
    env_optional_url,
    env_str,
    env_url,
)
from .paths import BASE_DIR, VAR_DIR

SECRET_KEY = env_str("SECRET_KEY", "dev-only-insecure-key-do-not-use-in-production")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "portal",
    "tenants",
    "notices",
    "notices.fire",
    "visits",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "django_celery_beat",
    "import_export",
    "simple_history",
    "csp",
    "health_check",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
]

MIDDLEWARE = [
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "portal.operations.request_id.RequestIDMiddleware",
    "portal.request_memo.RequestMemoMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "portal.middleware.AtriumCSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "portal.pages.cache.PublicPageCacheMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # Who made a change to the tenant archive, for its field history (R2).
    "simple_history.middleware.HistoryRequestMiddleware",
    "portal.middleware.StaffMFAMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "portal.middleware.AdminEntranceMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "portal" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "portal.context_processors.portal",
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------
VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {"default": env_database("DATABASE_URL", f"sqlite:///{VAR_DIR / 'atrium.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web server read while the worker writes; the busy timeout
    # turns brief lock contention into a wait instead of "database is locked";
    # IMMEDIATE transactions take the write lock when they begin, so two
    # transactions that read-then-write queue up instead of deadlocking.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache ------------------------------------------------------------------
REDIS_URL = env_str("REDIS_URL", "")
from .caches import *  # noqa: E402 - after the section heading, on purpose

CACHES = cache_settings(REDIS_URL, VAR_DIR)

# --- Accounts ---------------------------------------------------------------
AUTH_USER_MODEL = "portal.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "portal:landing"
ACCOUNT_ADAPTER = "portal.adapters.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_REAUTHENTICATION_REQUIRED = False
ACCOUNT_RATE_LIMITS = {
    "login_failed": "10/m/ip,5/5m/key",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "confirm_email": "1/3m/key",
    # Wagtail page/document shared passwords (portal/login_paths.py): failed
    # attempts per address and per restriction.
    "page_password": "10/m/ip,5/5m/key",
    # The feedback board's posts from the public (tenants/feedback/ratelimit.py):
    # per address and per session, instead of a captcha.
    "feedback_public_post": "10/h/ip,3/h/key",
}
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Atrium] "
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Atrium"
# Staff roles must enrol a TOTP device before they can work (off in the demo).
ATRIUM_STAFF_MFA_REQUIRED = env_bool("ATRIUM_STAFF_MFA_REQUIRED", False)
ATRIUM_INVITATION_DAYS = env_int("ATRIUM_INVITATION_DAYS", 7)
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 60 * 60 * 12)

# --- Internationalisation ---------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True
WAGTAIL_I18N_ENABLED = False
WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES
WAGTAIL_CONTENT_LANGUAGES = LANGUAGES

# --- Static and media files -------------------------------------------------
from .storage import *  # noqa: E402 - after the section heading, on purpose

DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- Email ------------------------------------------------------------------
EMAIL_BACKEND = {
    "console": "django.core.mail.backends.console.EmailBackend",
    "file": "django.core.mail.backends.filebased.EmailBackend",
    "smtp": "portal.mail_smtp.EmailBackend",  # Django's, with cheaper address checks
}.get(env_str("EMAIL_BACKEND", "console"))
if EMAIL_BACKEND is None:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("Environment variable EMAIL_BACKEND must be one of console, file, smtp.")
EMAIL_FILE_PATH = VAR_DIR / "mail"
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 587)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
EMAIL_TIMEOUT = 20
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Atrium <noreply@atrium.local>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Celery -----------------------------------------------------------------
# Acknowledgement, time limits, the broker's visibility timeout and every
# "stuck" threshold of the sweeps: what happens when a worker dies.
from .recovery import *  # noqa: E402 - after the section heading, on purpose

CELERY_BROKER_URL = env_url(
    "CELERY_BROKER_URL", "filesystem://", schemes=("filesystem", "redis", "rediss", "amqp", "pyamqp", "memory")
)
if CELERY_BROKER_URL.startswith("filesystem://"):
    _broker_dir = VAR_DIR / "celery"
    for _sub in ("queue", "processed", "control"):
        (_broker_dir / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        # Without this, kombu writes its broadcast exchange to ./control.
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": ATRIUM_BROKER_VISIBILITY_TIMEOUT}
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_IGNORE_RESULT = True
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True

# --- Wagtail ----------------------------------------------------------------
# The brand alone: Wagtail shows it where no Site names itself, in either language.
WAGTAIL_SITE_NAME = "Atrium"
WAGTAILADMIN_BASE_URL = env_str("WAGTAILADMIN_BASE_URL", "http://127.0.0.1:8000")
WAGTAILADMIN_LOGIN_URL = "account_login"
WAGTAIL_FRONTEND_LOGIN_URL = "account_login"
WAGTAIL_PASSWORD_MANAGEMENT_ENABLED = False
WAGTAIL_PASSWORD_RESET_ENABLED = False
WAGTAILUSERS_PASSWORD_ENABLED = False
WAGTAIL_ENABLE_UPDATE_CHECK = False
WAGTAIL_ENABLE_WHATS_NEW_BANNER = False
# No Gravatar: it would send a hash of every staff email abroad, is blocked in
# mainland China, and breaks the strict img-src policy.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
# Approvers are notified by Atrium (notices/notifications.py) by role and centre;
# Wagtail's own moderation mails would also go to every superuser.
WAGTAILADMIN_NOTIFICATION_INCLUDE_SUPERUSERS = False
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILDOCS_SERVE_METHOD = "serve_view"
# Private pages and documents are opened by signing in (groups, portal/pages/
# privacy.py), never by a shared password that anyone can pass on or guess.
WAGTAIL_PRIVATE_PAGE_OPTIONS = {"SHARED_PASSWORD": False}
WAGTAILDOCS_PRIVATE_COLLECTION_OPTIONS = {"SHARED_PASSWORD": False}

# --- Import / export --------------------------------------------------------
# Off: every export cell goes through portal.spreadsheets.escape_formula,
# which marks "=", "+", "-" and "@" cells as text. import-export's own
# escaping deletes a leading "=" instead ("=A1" is exported as "A1"),
# altering what the tenant typed before ours could mark it.
IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT = False
IMPORT_EXPORT_USE_TRANSACTIONS = True
IMPORT_EXPORT_SKIP_ADMIN_LOG = False

# --- Security headers (every environment; production adds HTTPS-only parts) --
from .headers import *  # noqa: E402 - after the section heading, on purpose

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "jieba": {"level": "WARNING"},
        "django_tasks": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        "weasyprint": {"level": "ERROR"},
    },
}
if CELERY_BROKER_URL.startswith("filesystem://"):
    # A folder has no host name; kombu warns about it on every connection.
    LOGGING["loggers"]["kombu.connection"] = {"level": "ERROR"}

from .operations import *  # noqa: E402 - health, metrics, Sentry, request ids

ATRIUM_DEMO_PASSWORD = "atrium-demo"  # noqa: S105 - only used by seed_demo; documented in the README
ATRIUM_NAME = _("Atrium tenant portal")

# --- Backups (R29) ------------------------------------------------------------
# Where the nightly archive of the database and media goes, and how many are kept.
ATRIUM_BACKUP_DIR = Path(env_str("ATRIUM_BACKUP_DIR", str(VAR_DIR / "backups")))
ATRIUM_BACKUP_KEEP = env_int("ATRIUM_BACKUP_KEEP", 14)
# Local time (Asia/Shanghai) of the nightly backup, "HH:MM".
ATRIUM_BACKUP_AT = env_clock("ATRIUM_BACKUP_AT", "02:30")

# --- Evidence outside the database (issue 11) ------------------------------------
# The evidence chain's head, every chain event and each backup manifest carry an
# HMAC-SHA256 keyed by this secret. It must never be stored in the database or
# in a backup archive: whoever can write the database but does not hold it
# cannot rewrite the chain or a manifest unnoticed. Required in production (at
# least 32 characters, not the SECRET_KEY); empty in dev/test means "derived
# from SECRET_KEY" (portal/evidence_key.py), which protects nothing. Keep a copy
# with the operator's other secrets: without it the chain cannot be verified.
ATRIUM_AUDIT_KEY = env_str("ATRIUM_AUDIT_KEY", "")
# Append-only file of chain-head anchors and RFC 3161 timestamp tokens. Put it
# where the database administrator cannot write (another volume or host mount,
# ideally append-only: `chattr +a`); every web and worker process must be able
# to append to it. Empty turns anchoring off (tests only; refused in production).
ATRIUM_AUDIT_ANCHOR_DIR = Path(_anchor) if (_anchor := env_str("ATRIUM_AUDIT_ANCHOR_DIR", str(VAR_DIR / "audit"))) else None
# An RFC 3161 timestamp authority for the chain head (empty: no timestamps),
# the PEM file of the certificate(s) verify_audit trusts for its tokens, and
# how often (minutes) the head is checkpointed and timestamped.
ATRIUM_AUDIT_TSA_URL = env_optional_url("ATRIUM_AUDIT_TSA_URL", schemes=("http", "https"))
ATRIUM_AUDIT_TSA_CA = env_str("ATRIUM_AUDIT_TSA_CA", "")
ATRIUM_AUDIT_CHECKPOINT_MINUTES = env_int("ATRIUM_AUDIT_CHECKPOINT_MINUTES", 60)

# --- Tenants: archive uploads and the service desk (issue 3) -----------------
# Largest file accepted into the archive or attached to a request; checked on
# the bytes received, whatever the browser claims.
ATRIUM_UPLOAD_MAX_BYTES = env_int("ATRIUM_UPLOAD_MAX_BYTES", 10 * 1024 * 1024)
# Photos per request message from the tenant's phone: enough to show a leak,
# not enough to fill the disk.
ATRIUM_REQUEST_MAX_PHOTOS = env_int("ATRIUM_REQUEST_MAX_PHOTOS", 6)
# Call recordings are larger than photos: an hour of phone-quality audio.
ATRIUM_RECORDING_MAX_BYTES = env_int("ATRIUM_RECORDING_MAX_BYTES", 50 * 1024 * 1024)
# Items in the temporary storage log are flagged after this many days.
ATRIUM_STORAGE_FLAG_DAYS = env_int("ATRIUM_STORAGE_FLAG_DAYS", 7)
# Largest spreadsheet accepted for a tenant/unit/contact import, and its rows.
ATRIUM_IMPORT_MAX_BYTES = env_int("ATRIUM_IMPORT_MAX_BYTES", 5 * 1024 * 1024)
ATRIUM_IMPORT_MAX_ROWS = env_int("ATRIUM_IMPORT_MAX_ROWS", 20000)

# --- Official letters -------------------------------------------------------
# Editing a letter during approval restarts its approvals.
WAGTAIL_WORKFLOW_REQUIRE_REAPPROVAL_ON_EDIT = True
WAGTAIL_FINISH_WORKFLOW_ACTION = "notices.services.workflows.finish_workflow"
# Encrypts the seal private keys at rest; defaults to a key derived from SECRET_KEY.
ATRIUM_SEAL_KEY_PASSPHRASE = env_str("ATRIUM_SEAL_KEY_PASSPHRASE", "")

# --- Letters delivered and signed for (issue 5) --------------------------------
# Deliveries notified per Celery task: 1,000 tenants make 10 tasks.
ATRIUM_DELIVERY_CHUNK = env_int("ATRIUM_DELIVERY_CHUNK", 100)
# Days a letter's receipts ZIP is kept after it was asked for; a nightly task
# deletes older ones (they are copies: the letter and its receipts stay).
ATRIUM_RECEIPTS_ZIP_KEEP_DAYS = env_int("ATRIUM_RECEIPTS_ZIP_KEEP_DAYS", 7)
# One-time signing codes: minutes valid, wrong attempts allowed.
ATRIUM_SIGN_CODE_MINUTES = env_int("ATRIUM_SIGN_CODE_MINUTES", 10)
ATRIUM_SIGN_CODE_ATTEMPTS = env_int("ATRIUM_SIGN_CODE_ATTEMPTS", 5)
# Fire safety (4.8.1): days a shop has to rectify failed items, and to sign
# for the monthly inspection notice.
ATRIUM_FIRE_RECTIFY_DAYS = env_int("ATRIUM_FIRE_RECTIFY_DAYS", 7)
ATRIUM_FIRE_NOTICE_SIGN_DAYS = env_int("ATRIUM_FIRE_NOTICE_SIGN_DAYS", 5)

# --- Published content and broadcasts (issue 6) --------------------------------
# Notice attachments: judged by their bytes (portal.pages.forms), these only.
WAGTAILDOCS_DOCUMENT_FORM_BASE = "portal.pages.forms.DocumentForm"
WAGTAILDOCS_EXTENSIONS = ["pdf", "docx", "xlsx", "pptx", "jpg", "jpeg", "png"]
# Text messages (letters, signing codes, alerts): "console" (prints), "locmem"
# (tests), "aliyun" (Alibaba Cloud SMS, portal/sms_aliyun.py) or the dotted
# path of a gateway class (see portal/sms.py).
ATRIUM_SMS_BACKEND = env_str("ATRIUM_SMS_BACKEND", "console")
# Alibaba Cloud SMS: the API's address, a RAM user's AccessKey, the approved
# signature (签名) and one approved template whose variable ${content} carries
# Atrium's text. Required when the backend is "aliyun".
_ALIYUN_SMS = ATRIUM_SMS_BACKEND == "aliyun"
ATRIUM_SMS_ENDPOINT = env_url("ATRIUM_SMS_ENDPOINT", "https://dysmsapi.aliyuncs.com/", schemes=("https", "http"))
ATRIUM_SMS_ACCESS_KEY_ID = env_str("ATRIUM_SMS_ACCESS_KEY_ID", required=_ALIYUN_SMS)
ATRIUM_SMS_ACCESS_KEY_SECRET = env_str("ATRIUM_SMS_ACCESS_KEY_SECRET", required=_ALIYUN_SMS)
ATRIUM_SMS_SIGN_NAME = env_str("ATRIUM_SMS_SIGN_NAME", required=_ALIYUN_SMS)
ATRIUM_SMS_TEMPLATE_CODE = env_str("ATRIUM_SMS_TEMPLATE_CODE", required=_ALIYUN_SMS)
# Seconds to wait for the gateway to connect, and again for its answer. A
# text whose answer never comes is not sent again (portal/outbox.py).
ATRIUM_SMS_TIMEOUT_SECONDS = env_int("ATRIUM_SMS_TIMEOUT_SECONDS", 5)

# Visits (issue 7): how long a shop-code scan proves an on-site visit, and how
# long before and after a tenant meeting its door code is accepted.
ATRIUM_VISIT_CHECKIN_MINUTES = env_int("ATRIUM_VISIT_CHECKIN_MINUTES", 120)
ATRIUM_MEETING_DOOR_MARGIN_MINUTES = env_int("ATRIUM_MEETING_DOOR_MARGIN_MINUTES", 60)
