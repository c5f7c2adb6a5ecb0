#!/usr/bin/env bash
# `make run`: the embedded default — SQLite and a filesystem broker under var/,
# the web server on $HOST:$PORT (127.0.0.1:8000 unless set) and a Celery worker
# with beat. Ctrl-C stops all. `make run PORT=8001 HOST=0.0.0.0` to change them.
set -euo pipefail

# Exit non-zero with a sentence when HOST:PORT cannot be listened on, before
# anything starts: runserver's own message comes after migrate and the demo
# data, buried among the worker's lines.
check_port() {
  local host=$1 port=$2 python=${3:-python3}
  if ! [[ $port =~ ^[0-9]+$ ]] || ((port < 1 || port > 65535)); then
    echo "PORT=$port is not a port number: choose one from 1 to 65535, e.g. make run PORT=8001." >&2
    return 2
  fi
  # Bind as runserver will (SO_REUSEADDR, so a port in TIME_WAIT counts as free).
  local status=0
  "$python" - "$host" "$port" <<'PY' 2>/dev/null || status=$?
import errno, socket, sys
host, port = sys.argv[1], int(sys.argv[2])
try:
    family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
except socket.gaierror:
    sys.exit(3)
with socket.socket(family, kind, proto) as s:
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        s.bind(address)
    except OSError as error:
        sys.exit({errno.EADDRINUSE: 1, errno.EACCES: 4}.get(error.errno, 3))
PY
  case $status in
    0) return 0 ;;
    1) echo "Port $port on $host is already in use (is Atrium already running?). Stop that program, or choose another port: make run PORT=$((port % 65535 + 1))" >&2 ;;
    4) echo "Port $port needs root on this machine: choose one above 1023, e.g. make run PORT=8000." >&2 ;;
    *) echo "HOST=$host is not an address of this machine: use 127.0.0.1 (this machine only) or 0.0.0.0 (every interface), e.g. make run HOST=0.0.0.0." >&2 ;;
  esac
  return "$status"
}

# Where a browser on this machine reaches the portal: what the banner prints
# and where links in emails (letters to sign, invitations, approvals) point,
# rather than the settings' default port.
portal_url() {
  local host=$1 port=$2 shown=$1
  [[ $host == *:* ]] && shown="[$host]"
  [[ $host == 0.0.0.0 ]] && shown=127.0.0.1
  echo "http://$shown:$port"
}

main() {
  cd "$(dirname "$0")/.."
  local PY=.venv/bin/python host=${HOST:-127.0.0.1} port=${PORT:-8000}
  export DJANGO_SETTINGS_MODULE=${DJANGO_SETTINGS_MODULE:-portal.settings.dev}
  check_port "$host" "$port" "$PY" || exit $?
  local address=$host:$port url
  [[ $host == *:* ]] && address="[$host]:$port"
  url=$(portal_url "$host" "$port")
  export WAGTAILADMIN_BASE_URL=${WAGTAILADMIN_BASE_URL:-$url}

  $PY manage.py migrate --noinput -v0
  # The demo's rows now; its PDFs (stamped letters, receipts, the handbook)
  # are queued for the worker, which renders them once the portal is up.
  LOG_LEVEL=WARNING $PY manage.py seed_demo --quiet --render-later
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
  $PY manage.py runserver "$address" --noreload &
  pids+=($!)
  sleep 2
  echo
  echo "Atrium is running: $url/   (staff admin: $url/admin/)"
  $PY manage.py seed_demo --logins-only
  echo "Emails (invitations, password resets) are printed in this terminal. Press Ctrl-C to stop."
  wait -n "${pids[@]}"
}

if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
  main "$@"
fi
