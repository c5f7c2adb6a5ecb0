#!/usr/bin/env bash
# `make run`: the embedded default — SQLite and a filesystem broker under var/,
# the web server on 127.0.0.1:8000 and a Celery worker with beat. Ctrl-C stops all.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
export DJANGO_SETTINGS_MODULE=${DJANGO_SETTINGS_MODULE:-portal.settings.dev}

$PY manage.py migrate --noinput -v0
LOG_LEVEL=WARNING $PY manage.py seed_demo --quiet
pids=()
cleanup() {
  trap - INT TERM EXIT
  echo; echo "Stopping Atrium…"
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup INT TERM EXIT

.venv/bin/celery -A portal worker --beat --pool=solo --loglevel=WARNING \
  --schedule=var/celerybeat-schedule &
pids+=($!)
$PY manage.py runserver 127.0.0.1:8000 --noreload &
pids+=($!)
sleep 2
echo
echo "Atrium is running: http://127.0.0.1:8000/   (staff admin: http://127.0.0.1:8000/admin/)"
$PY manage.py seed_demo --logins-only
echo "Emails (invitations, password resets) are printed in this terminal. Press Ctrl-C to stop."
wait -n "${pids[@]}"
