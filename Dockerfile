# Atrium's production image: gunicorn, Celery worker and beat all run from it
# (compose.yaml, deploy/). Debian-based so that the Debian packages of
# scripts/system-deps.sh install as they do on a host.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app

# WeasyPrint's libraries, CJK fonts, poppler (letter page images), gettext,
# pg_dump for backups — the same list as `make run`, less the test browser.
COPY scripts/system-deps.sh scripts/system-deps.sh
RUN ATRIUM_SYSTEM_DEPS=runtime bash scripts/system-deps.sh && rm -rf /var/lib/apt/lists/*

# Exactly the locked versions, each checked against its hash; the runtime
# lock, without the dev extra (pytest, Playwright, moto…): tests/operations/
# test_locks.py keeps it in step with requirements.lock.
COPY requirements.prod.lock .
RUN python -m venv /venv && /venv/bin/pip install --require-hashes --no-deps -r requirements.prod.lock
ENV PATH=/venv/bin:$PATH \
    DJANGO_SETTINGS_MODULE=portal.settings.production \
    ATRIUM_VAR_DIR=/var/lib/atrium \
    STATIC_ROOT=/app/static

COPY . .
# Translations, and the static files with hashed names (production uses
# ManifestStaticFilesStorage). Production settings refuse to load without
# their secrets: these throw-away values exist for this step only.
RUN python manage.py compilemessages -l zh_Hans --ignore=var -v0 \
 && SECRET_KEY="$(python -c 'import secrets; print(secrets.token_urlsafe(64))')" \
    ATRIUM_AUDIT_KEY="$(python -c 'import secrets; print(secrets.token_urlsafe(48))')" \
    ALLOWED_HOSTS=build WAGTAILADMIN_BASE_URL=https://build.invalid ATRIUM_AUDIT_ANCHOR_DIR=/tmp/anchors \
    python manage.py collectstatic --noinput -v0 \
 && rm -rf /var/lib/atrium /tmp/anchors

RUN useradd --system --uid 1000 --home-dir /var/lib/atrium atrium \
 && mkdir -p /var/lib/atrium/backups /var/lib/atrium-audit /run/atrium-metrics \
 && chown -R atrium /var/lib/atrium /var/lib/atrium-audit /run/atrium-metrics
USER atrium
EXPOSE 8000
CMD ["gunicorn", "--config", "deploy/gunicorn.conf.py", "portal.wsgi"]
