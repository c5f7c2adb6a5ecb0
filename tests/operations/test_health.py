"""/health/ for load balancers: each dependency reported, 503 when one fails,
JSON for monitoring, nothing secret in the answer."""

import json

import pytest
from django.test import override_settings

from portal.celery import app as celery_app
from portal.operations import health

pytestmark = pytest.mark.django_db

CHECKS = ("Database(alias='default')", "Cache(alias='default')", "Cache(alias='pages')",
          "Storage(alias='default')", "Broker()", "Migrations(alias='default')")


@pytest.fixture(autouse=True)
def _fresh_migration_check():
    health._migrations_ok_until = 0.0
    yield
    health._migrations_ok_until = 0.0


def test_it_reports_every_dependency_as_json(client):
    response = client.get("/health/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    assert response.json() == dict.fromkeys(CHECKS, "OK")


def test_format_json_in_the_query_answers_json_to_a_browser(client):
    response = client.get("/health/?format=json", HTTP_ACCEPT="text/html")
    assert response["Content-Type"] == "application/json"
    assert set(response.json()) == set(CHECKS)


def test_a_person_gets_a_page_that_is_never_cached(client):
    response = client.get("/health/", HTTP_ACCEPT="text/html")
    assert response.status_code == 200
    assert "text/html" in response["Content-Type"]
    assert "数据库迁移" in response.content.decode()
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.parametrize(("language", "words", "foreign"), [
    ("zh-hans", ["系统状态：全部检查通过", "服务", "数据库", "页面缓存", "文件存储", "任务队列", "正常"], "Service"),
    ("en", ["System status: all checks passed", "Service", "Database", "Page cache", "File storage", "Task queue",
            "OK"], "服务"),
])
def test_the_page_is_in_the_readers_language_and_the_json_stays_machine_words(client, language, words, foreign):
    page = client.get("/health/", HTTP_ACCEPT="text/html", HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert all(word in page for word in words) and foreign not in page
    assert f'lang="{language}"' in page
    answer = client.get("/health/", HTTP_ACCEPT="application/json", HTTP_ACCEPT_LANGUAGE=language).json()
    assert answer == dict.fromkeys(CHECKS, "OK")


def test_an_unreachable_broker_gives_503_and_names_the_failing_check(client, monkeypatch):
    # A port nothing listens on: the connection is refused at once.
    monkeypatch.setitem(celery_app.conf, "broker_url", "redis://127.0.0.1:9/0")
    # Celery reads CELERY_BROKER_URL from the environment before its own
    # setting (as the PostgreSQL + Redis run sets it).
    monkeypatch.setenv("CELERY_BROKER_URL", "redis://127.0.0.1:9/0")
    monkeypatch.setitem(celery_app.conf, "broker_transport_options", {})
    response = client.get("/health/", HTTP_ACCEPT="application/json")
    assert response.status_code == 503
    body = response.json()
    assert body["Broker()"] == "Unavailable: The broker does not accept connections"
    assert body["Database(alias='default')"] == "OK"
    assert "127.0.0.1:9" not in response.content.decode()


def test_an_unreachable_cache_gives_503(client):
    caches = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://:s3cret@127.0.0.1:9/0"},
        "pages": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "pages"},
    }
    with override_settings(CACHES=caches):
        response = client.get("/health/?format=json")
    assert response.status_code == 503
    assert response.json()["Cache(alias='default')"] != "OK"
    assert "s3cret" not in response.content.decode()


def test_an_unapplied_migration_gives_503(client, monkeypatch):
    from django.db.migrations.executor import MigrationExecutor

    monkeypatch.setattr(MigrationExecutor, "migration_plan", lambda self, targets: [("portal.0999_new", False)])
    response = client.get("/health/?format=json")
    assert response.status_code == 503
    assert response.json()["Migrations(alias='default')"] == "Unavailable: 1 migration(s) not applied"


@override_settings(ATRIUM_HEALTH_WORKER_TIMEOUT=1)
def test_the_worker_check_says_so_when_no_worker_answers(client):
    response = client.get("/health/workers/?format=json")
    assert response.status_code == 503
    # No ping answer, or none within the budget: either way, unavailable.
    (name, verdict), = json.loads(response.content).items()
    assert name == "Workers()"
    assert verdict.startswith("Unavailable: ")


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
@override_settings(ATRIUM_HEALTH_WORKER_TIMEOUT=3)
def test_the_worker_check_passes_when_a_real_worker_answers(client, worker):
    answers = []

    def healthy():
        answers[:] = [client.get("/health/workers/?format=json")]
        return answers[0].status_code == 200

    worker.wait_for(healthy, timeout=90, what="a worker answering /health/workers/")
    assert answers[0].json() == {"Workers()": "OK"}
