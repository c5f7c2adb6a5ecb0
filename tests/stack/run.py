"""`make test-stack`: the production stack on this machine, driven over HTTP.

PostgreSQL (a fresh database), Redis (broker and cache, databases of their
own), media and backups on the S3 server at STACK_S3_ENDPOINT when given
(moto in CI), `portal.settings.production` with MFA on; then two gunicorn
processes on two ports, two Celery workers and one beat. tests/stack/drive.py
walks the letter journey through them; at the end every process is stopped
and its log must hold no ERROR and no traceback.

Environment: STACK_PG (server URL without a database), STACK_REDIS (a URL
without a database number), STACK_S3_ENDPOINT (optional), STACK_PORT (the
first of the two web ports)."""

import json
import os
import re
import secrets
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import drive

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
VAR = ROOT / "var" / "stack"
PG = os.environ.get("STACK_PG", "postgres://postgres@127.0.0.1:5432").rstrip("/")
REDIS = os.environ.get("STACK_REDIS", "redis://127.0.0.1:6379").rstrip("/")
S3 = os.environ.get("STACK_S3_ENDPOINT", "")
PORT = int(os.environ.get("STACK_PORT", "8711"))
DATABASE = "atrium_stack"
BUCKET = "atrium-stack"
# Lines that are errors whatever the log format: Django's JSON lines, Celery's
# "ERROR/MainProcess", gunicorn's "[ERROR]", and any traceback.
ERROR_LINE = re.compile(r'Traceback \(most recent call last\)|"level(name)?": "(ERROR|CRITICAL)"|\b(ERROR|CRITICAL)/|\[(ERROR|CRITICAL)\]')


def _keys() -> dict:
    """This run's secrets; with STACK_REUSE, the seeded template's (the seal
    key is stored encrypted with the passphrase, the chain MAC'd with the
    audit key)."""
    saved = ROOT / "var" / "stack-keys.json"
    if os.environ.get("STACK_REUSE") and saved.exists():
        return json.loads(saved.read_text())
    keys = {"SECRET_KEY": secrets.token_urlsafe(60), "ATRIUM_AUDIT_KEY": secrets.token_urlsafe(40),
            "ATRIUM_SEAL_KEY_PASSPHRASE": secrets.token_urlsafe(30)}
    saved.parent.mkdir(exist_ok=True)
    saved.write_text(json.dumps(keys))
    return keys


def _environment() -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CELERY_", "ATRIUM_", "AWS_"))}
    env.update({
        "DJANGO_SETTINGS_MODULE": "portal.settings.production",
        **_keys(),
        "ALLOWED_HOSTS": "127.0.0.1,localhost", "WAGTAILADMIN_BASE_URL": f"https://127.0.0.1:{PORT}",
        "SECURE_SSL_REDIRECT": "0", "ATRIUM_STAFF_MFA_REQUIRED": "1", "ATRIUM_TRUSTED_PROXY_COUNT": "1",
        "DATABASE_URL": f"{PG}/{DATABASE}", "CELERY_BROKER_URL": f"{REDIS}/11", "REDIS_URL": f"{REDIS}/12",
        "ATRIUM_VAR_DIR": str(VAR), "ATRIUM_AUDIT_ANCHOR_DIR": str(VAR / "audit"), "STATIC_ROOT": str(VAR / "static"),
        "EMAIL_BACKEND": "file", "ATRIUM_SMS_BACKEND": "console", "LOG_LEVEL": "INFO",
        "PROMETHEUS_MULTIPROC_DIR": str(VAR / "metrics"),
    })
    if S3:
        env.update({"AWS_STORAGE_BUCKET_NAME": BUCKET, "AWS_S3_ENDPOINT_URL": S3, "AWS_S3_REGION_NAME": "us-east-1",
                    "AWS_ACCESS_KEY_ID": "atrium-stack", "AWS_SECRET_ACCESS_KEY": "atrium-stack"})
    return env


def _fresh_services(env: dict, template: str = "template1") -> None:
    subprocess.run(["psql", PG + "/postgres", "-q", "-c", f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)",
                    "-c", f"CREATE DATABASE {DATABASE} TEMPLATE {template}"], check=True)
    for db in ("11", "12"):
        subprocess.run(["redis-cli", "-u", f"{REDIS}/{db}", "flushdb"], check=True, stdout=subprocess.DEVNULL)
    if S3:
        import boto3

        bucket = boto3.resource("s3", endpoint_url=S3, region_name="us-east-1", aws_access_key_id="atrium-stack",
                                aws_secret_access_key="atrium-stack").Bucket(BUCKET)
        if bucket.creation_date is None:
            bucket.create()
        bucket.Versioning().enable()
        if template == "template1":  # else the seeded template's files are in the bucket
            bucket.object_versions.delete()
    for folder in ("audit", "metrics", "logs"):
        subprocess.run(["rm", "-rf", str(VAR / folder)], check=True)
        (VAR / folder).mkdir(parents=True)


def _manage(env: dict, *args: str) -> None:
    subprocess.run([str(BIN / "python"), "manage.py", *args], cwd=ROOT, env=env, check=True)


class Processes:
    def __init__(self, env: dict):
        self.env, self.running = env, {}

    def start(self, name: str, *command: str) -> None:
        log = open(VAR / "logs" / f"{name}.log", "w")  # noqa: SIM115 - closed with the process
        self.running[name] = (subprocess.Popen(command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                                               start_new_session=True), log)

    def stop(self) -> None:
        for process, _ in self.running.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for name, (process, log) in self.running.items():
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                print(f"{name} did not stop within 30 s: killed")
            log.close()

    def dead(self) -> list[str]:
        return [name for name, (process, _) in self.running.items() if process.poll() is not None]


def _start(processes: Processes) -> list[str]:
    urls = []
    for n, port in enumerate((PORT, PORT + 1), start=1):
        processes.start(f"web{n}", str(BIN / "gunicorn"), "portal.wsgi", "-c", "deploy/gunicorn.conf.py",
                        "--bind", f"127.0.0.1:{port}", "--workers", "2",
                        # Two servers of one user: each its own control socket (deploy/gunicorn.conf.py).
                        "--control-socket", str(VAR / f"web{n}.ctl"))
        urls.append(f"http://127.0.0.1:{port}")
    for n in (1, 2):
        processes.start(f"worker{n}", str(BIN / "celery"), "-A", "portal", "worker", "-n", f"stack{n}@%h",
                        "--concurrency=1", "--loglevel=INFO")
    processes.start("beat", str(BIN / "celery"), "-A", "portal", "beat", "--loglevel=INFO",
                    f"--schedule={VAR / 'celerybeat-schedule'}")
    deadline = time.monotonic() + 90
    for url in urls:
        while True:
            try:
                urllib.request.urlopen(urllib.request.Request(url + "/accounts/login/", headers={
                    "X-Forwarded-Proto": "https"}), timeout=5)
                break
            except OSError:
                if time.monotonic() > deadline or processes.dead():
                    raise SystemExit(f"{url} did not answer (dead: {processes.dead()})") from None
                time.sleep(0.5)
    return urls


def _errors_logged() -> list[str]:
    found = []
    for log in sorted((VAR / "logs").glob("*.log")):
        found += [f"{log.name}: {line.strip()[:300]}" for line in log.read_text(errors="replace").splitlines()
                  if ERROR_LINE.search(line)]
    return found


def _prepare(env: dict) -> dict:
    """Migrate, collect the static files and seed; with STACK_REUSE=1 (while
    working on the driver) start again from the database the last full run
    left as a template, instead of minutes of migrations."""
    saved = ROOT / "var" / "stack-world.json"
    if os.environ.get("STACK_REUSE") and saved.exists():
        _fresh_services(env, template=f"{DATABASE}_seeded")
        return json.loads(saved.read_text())
    _fresh_services(env)
    _manage(env, "migrate", "--noinput", "-v0")
    _manage(env, "collectstatic", "--noinput", "-v0")
    seeded = subprocess.run([str(BIN / "python"), "tests/stack/seed.py"], cwd=ROOT, env=env, check=True,
                            capture_output=True, text=True)
    subprocess.run(["psql", PG + "/postgres", "-q", "-c", f"DROP DATABASE IF EXISTS {DATABASE}_seeded",
                    "-c", f"CREATE DATABASE {DATABASE}_seeded TEMPLATE {DATABASE}"], check=True)
    saved.write_text(seeded.stdout.strip().splitlines()[-1])
    return json.loads(saved.read_text())


def main() -> int:
    env = _environment()
    began = time.monotonic()
    world = _prepare(env)
    print(f"stack: database, static files and {world['tenants']} tenants ready in {time.monotonic() - began:.0f} s")
    processes = Processes(env)
    try:
        urls = _start(processes)
        print(f"stack: 2 web, 2 workers and beat answering after {time.monotonic() - began:.0f} s")
        drive.journey(urls, world, check_alive=processes.dead)
    finally:
        processes.stop()
    errors = _errors_logged()
    print(f"stack: done in {time.monotonic() - began:.0f} s; {len(errors)} error lines in the logs")
    for line in errors[:40]:
        print("  " + line)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
