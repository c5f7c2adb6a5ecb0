"""When a worker goes away: every setting that decides how soon its work comes
back, in one place (README, "What happens when a worker or the database goes
away"). Star-imported by base.py.

A worker can be killed at any moment: a deploy, the OOM killer, a lost host.
Two things bring its work back:

- the broker. A task is acknowledged only after it ran, so the message of a
  task whose worker died is handed to another worker: at once by RabbitMQ,
  after ATRIUM_BROKER_VISIBILITY_TIMEOUT by Redis, never by the embedded
  filesystem broker (it hands a message out once);
- the sweeps, run by beat every ATRIUM_RECOVERY_SWEEP_MINUTES: each re-queues
  the work that has been left half done for longer than its threshold below.

Every task is therefore written to be safe to run twice. Each threshold is
longer than the hard time limit of the task it watches, so a sweep never takes
a task still running for a dead one; and threshold + sweep interval stays
within 5 minutes, so a killed stamping, delivery or receipt certificate is
running again within 5 minutes (tests/portal/test_recovery_settings.py checks
both; tests/faults/ kills real workers).
"""

from .env import env_int, env_minutes

CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# One message at a time per worker process: a long task does not keep the next
# message reserved (and unavailable to idle workers) while it runs.
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Hard (the process is killed) and soft (an exception in the task) limits of
# every task that sets none of its own. The longest is the nightly backup's
# (portal/tasks.py, 15 minutes hard).
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
ATRIUM_LONGEST_TASK_SECONDS = 900

# Seconds after which Redis hands an unacknowledged message to another worker.
# Longer than the longest task, or a task still running would be started a
# second time; this is how late a killed worker's message comes back for the
# tasks no sweep watches (emails, renders, imports).
ATRIUM_BROKER_VISIBILITY_TIMEOUT = env_int("ATRIUM_BROKER_VISIBILITY_TIMEOUT", 1200)
if ATRIUM_BROKER_VISIBILITY_TIMEOUT <= ATRIUM_LONGEST_TASK_SECONDS:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(
        f"Environment variable ATRIUM_BROKER_VISIBILITY_TIMEOUT must be above the longest task's time limit "
        f"({ATRIUM_LONGEST_TASK_SECONDS} s), got {ATRIUM_BROKER_VISIBILITY_TIMEOUT}."
    )

# How often beat runs the stamping, delivery and receipt-certificate sweeps.
ATRIUM_RECOVERY_SWEEP_MINUTES = env_int("ATRIUM_RECOVERY_SWEEP_MINUTES", 1)
# Thresholds, in minutes after the work was claimed or queued:
# a letter approved or claimed for stamping (stamp task: 2 minutes hard limit);
ATRIUM_STAMPING_STUCK_MINUTES = env_minutes("ATRIUM_STAMPING_STUCK_MINUTES", 3)
# a letter stamped but not fully delivered (notification chunks: 4 minutes);
ATRIUM_DELIVERY_STUCK_MINUTES = env_minutes("ATRIUM_DELIVERY_STUCK_MINUTES", 4)
# a notification claimed by a worker that has not handed it to the mail or
# SMS backend (portal/outbox.py) may then be taken by another worker: the
# first one died, or lost the claim and stops before its next hand-over. One
# handed over but never confirmed is not sent again: staff see
# "notification outcome unknown". Shorter than the delivery threshold, so
# the sweep's re-queue finds a dead worker's claims expired;
ATRIUM_NOTIFY_CLAIM_MINUTES = env_minutes("ATRIUM_NOTIFY_CLAIM_MINUTES", 3)
# a receipt recorded without its sealed certificate (2 minutes), failed ones too;
ATRIUM_CERTIFICATE_STUCK_MINUTES = env_minutes("ATRIUM_CERTIFICATE_STUCK_MINUTES", 3)
# a handbook edition issued without its PDF (4 minutes; swept every 5 minutes).
ATRIUM_HANDBOOK_PDF_STUCK_MINUTES = env_minutes("ATRIUM_HANDBOOK_PDF_STUCK_MINUTES", 5)
# a receipts ZIP whose worker has gone silent. Judged by silence, not by
# length (its hard limit is 10 minutes, for thousands of receipts on S3): a
# worker packing it reports every few receipts, long within this.
ATRIUM_RECEIPTS_ZIP_STUCK_MINUTES = env_minutes("ATRIUM_RECEIPTS_ZIP_STUCK_MINUTES", 3)
# The request-deadline sweep has no threshold: each alert is written once, so
# a sweep killed half-way is finished by the next run, this many minutes later.
ATRIUM_DEADLINE_SWEEP_MINUTES = env_int("ATRIUM_DEADLINE_SWEEP_MINUTES", 5)
