"""Mail backends standing in for what happens at the mail server while a
worker is sending (Django's locmem outbox underneath, so messages are counted
where the tests count them).

- `SecondWorkerBackend`: while the first worker is in the middle of its SMTP
  conversation, a second worker runs the same batch (a re-queued task, the
  sweep), as happens with two workers and a slow mail server.
- `DiesAfterAcceptBackend`: the server accepts the message, then the worker
  process dies before it can record anything."""

from __future__ import annotations

from django.core.mail.backends import locmem


class WorkerDied(BaseException):
    """SIGKILL, as far as the code under test can tell: nothing after it runs."""


class SecondWorkerBackend(locmem.EmailBackend):
    second_worker = None  # set by the test: a callable run once, mid-send

    def send_messages(self, messages):
        run, type(self).second_worker = type(self).second_worker, None
        if run is not None:
            run()
        return super().send_messages(messages)


class DiesAfterAcceptBackend(locmem.EmailBackend):
    def send_messages(self, messages):
        super().send_messages(messages)
        raise WorkerDied
