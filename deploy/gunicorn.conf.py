"""gunicorn settings for Atrium (Dockerfile, compose.yaml, deploy/systemd/).
Every value can be overridden from the environment."""

import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
# Letters and exports are rendered by the worker, not in a request: a request
# taking a minute is stuck, not busy.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
# A restarted worker process now and then keeps memory use flat.
max_requests = 2000
max_requests_jitter = 200
accesslog = "-"
# Only the load balancer may say which scheme a request came in on.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# gunicorn (25.1+) opens a control socket for `gunicornc` at one path per user
# ($XDG_RUNTIME_DIR or ~/.gunicorn): a second server of the same user on the
# host (another site, a blue/green switch) would fail to bind it. systemd gives
# the unit its own runtime folder (RuntimeDirectory=, deploy/systemd/).
_runtime = os.environ.get("RUNTIME_DIRECTORY")
_socket = os.environ.get("GUNICORN_CONTROL_SOCKET") or (_runtime and os.path.join(_runtime, "gunicorn.ctl"))
if _socket:  # else gunicorn's own default
    control_socket = _socket


def child_exit(server, worker):
    # prometheus_client's multiprocess mode (portal/operations/metrics.py):
    # a dead worker's live gauges must stop counting.
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
