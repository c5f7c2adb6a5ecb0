"""How long each Celery task runs, for /metrics (Celery's own signals: no
change to any task). The histogram lives in the worker process; it reaches
/metrics when web and workers share PROMETHEUS_MULTIPROC_DIR on the host
(portal/operations/metrics.py)."""

import time

from celery.signals import task_postrun, task_prerun
from prometheus_client import Histogram

TASK_SECONDS = Histogram(
    "atrium_task_duration_seconds", "Time a Celery task took to run, by task and outcome.", ["task", "state"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, float("inf")),
)
# task id -> start; a worker process runs one task at a time per thread, so
# this holds a handful of entries at most.
_started: dict[str, float] = {}


@task_prerun.connect
def _task_started(task_id=None, **kwargs):
    if task_id:
        _started[task_id] = time.monotonic()


@task_postrun.connect
def _task_finished(task_id=None, task=None, state=None, **kwargs):
    start = _started.pop(task_id, None)
    if start is not None and task is not None:
        TASK_SECONDS.labels(task=task.name, state=state or "UNKNOWN").observe(time.monotonic() - start)
