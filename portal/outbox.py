"""Notifications at most once to the person, at least once in the database.

Every fan-out (letters, reminders, alerts, greetings, surveys, handbook
requests) sends through these steps, on a model with the `NotifyClaim`
fields (portal.models.outbox):

1. `claim`: in a short transaction of its own, committed before anything is
   sent, rows not done and not claimed — or claimed longer ago than
   ATRIUM_NOTIFY_CLAIM_MINUTES — get a fresh token. `skip_locked` lets two
   workers share a batch without waiting on each other (SQLite ignores it
   and serialises writers instead).
2. `send_claimed`: per row and channel, "handed" is written and committed
   before the backend call, on condition that this worker still holds the
   claim and that the channel was never handed; "accepted" right after it,
   in the same statement as the next channel's "handed" (or alone after the
   row's last channel), so it is always committed before the next backend
   call: a kill leaves at most one channel unconfirmed. Only one worker can ever hand a given channel of a given row. A server
   that refuses the channel for good (an SMTP 5xx for the address, a number
   the SMS gateway rejects) gets it recorded instead (`<channel>_refused_at`,
   `notify_refusal`): the row goes on with its other channel and is done, so
   one bad address never holds back a letter. Any other refusal (server
   unreachable, SMTP 4xx, a rate limit) releases the channel and stops the
   batch, to be tried again later.
3. the rows' own "done" mark (`notified_at`, …), still under the claim, in
   one statement for the batch once it ends: by then each of their channels
   is recorded, so a row a killed worker did not mark done is finished by
   the next claim without sending anything.

A worker killed after 1 leaves a claim that expires, and the row is taken
again. One killed during a backend call leaves a channel handed and never
accepted: the message may or may not have arrived, so it is not sent again
(at most once) and `outcome_unknown` shows it to staff instead."""

from __future__ import annotations

import functools
import hashlib
import logging
import smtplib
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import get_connection
from django.db import IntegrityError, connections, router, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from portal.models.outbox import CHANNELS, NotifyClaim, OutboxEntry
from portal.sms import SmsMessage, SmsNotSent, SmsRefused, get_sms_backend

log = logging.getLogger(__name__)

# The server answered "no" (or an SMS gateway was not reached): nothing was
# accepted, the channel may be tried again — or, if `permanent_refusal` says
# so, is recorded as refused.
REFUSED = (smtplib.SMTPResponseException, smtplib.SMTPRecipientsRefused, SmsNotSent)
# 5xx answers about the server or our account, not the recipient: every row would get them.
_SERVER_LEVEL = (smtplib.SMTPSenderRefused, smtplib.SMTPAuthenticationError, smtplib.SMTPHeloError)


def _text(value) -> str:
    return (value.decode(errors="replace") if isinstance(value, bytes) else str(value)).strip()


def permanent_refusal(error: Exception) -> str | None:
    """The server's code and message if `error` refuses this recipient for
    good (SMTP 5xx for every recipient or for the message, a permanent
    `SmsRefused`); None if trying again later may work."""
    if isinstance(error, SmsRefused):
        return f"{error.code} {error.message}".strip() if error.permanent else None
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        answers = list(error.recipients.values())
        if answers and all(code >= 500 for code, _ in answers):
            return "; ".join(dict.fromkeys(f"{code} {_text(msg)}" for code, msg in answers))
        return None
    if isinstance(error, smtplib.SMTPResponseException) and not isinstance(error, _SERVER_LEVEL):
        return f"{error.smtp_code} {_text(error.smtp_error)}" if error.smtp_code >= 500 else None
    return None


# What `send_claimed` reads of a row besides its id: a caller loading many
# rows may load only these (`.only(*ROW_FIELDS)`).
ROW_FIELDS = ("notify_refusal", *(f"{c}_handed_at" for c in CHANNELS))


@dataclass
class Outgoing:
    """The messages of one claimed row, as loaded after the claim."""

    row: NotifyClaim
    emails: list = field(default_factory=list)
    texts: list[SmsMessage] = field(default_factory=list)


def claim_cutoff(now: datetime | None = None) -> datetime:
    return (now or timezone.now()) - timedelta(minutes=settings.ATRIUM_NOTIFY_CLAIM_MINUTES)


def claimable(qs: QuerySet, now: datetime | None = None) -> QuerySet:
    return qs.filter(Q(notify_claimed_at__isnull=True) | Q(notify_claimed_at__lt=claim_cutoff(now)))


def outcome_unknown_q(prefix: str = "", now: datetime | None = None, done: str = "notified_at") -> Q:
    """Rows with a channel handed over and never confirmed, finished (`done`)
    or that nobody is working on any more (`prefix` to filter from a related model)."""
    handed = Q()
    for c in CHANNELS:
        handed |= Q(**{f"{prefix}{c}_handed_at__isnull": False, f"{prefix}{c}_sent_at__isnull": True,
                       f"{prefix}{c}_refused_at__isnull": True})
    return handed & (Q(**{f"{prefix}{done}__isnull": False}) | Q(**{f"{prefix}notify_claimed_at__lt": claim_cutoff(now)}))


def refused_q(prefix: str = "") -> Q:
    """Rows with a channel the server refused for good."""
    refused = Q()
    for c in CHANNELS:
        refused |= Q(**{f"{prefix}{c}_refused_at__isnull": False})
    return refused


def claim(qs: QuerySet, *, limit: int | None = None) -> tuple[str, list[int]]:
    """Take the rows of `qs` nobody holds. `qs` must already leave out rows
    that are done. Returns the token and the ids taken."""
    token, now = uuid.uuid4().hex, timezone.now()
    with transaction.atomic():
        locked = claimable(qs, now).select_for_update(skip_locked=True, of=("self",)).order_by("pk")
        pks = list(locked.values_list("pk", flat=True)[:limit])
        if pks:
            qs.model.objects.filter(pk__in=pks).update(notify_claimed_at=now, notify_claim=token)
    return token, pks


@functools.cache
def _mark_sql(model, vendor: str, hand: str | None, accepted: str | None) -> str:
    """The one statement that hands `hand` under the claim (and records
    `accepted` accepted), or only records `accepted`. Written once per model
    and shape: the ORM compiles an UPDATE anew each time (about 0.2 ms of
    CPU), and these run once per recipient and channel."""
    meta, quote = model._meta, connections[router.db_for_write(model)].ops.quote_name

    def column(name: str) -> str:
        return quote(meta.get_field(name).column)

    sets = [f"{column(hand + '_handed_at')} = %s", f"{column('notify_claimed_at')} = %s"] if hand else []
    if accepted:
        sets.append(f"{column(accepted + '_sent_at')} = %s")
    where = f"{quote(meta.pk.column)} = %s"
    if hand:
        where += f" AND {column('notify_claim')} = %s AND {column(hand + '_handed_at')} IS NULL"
    # Only names from the model's own fields go into the text; values are parameters.
    return f"UPDATE {quote(meta.db_table)} SET {', '.join(sets)} WHERE {where}"  # noqa: S608


def _mark(model, pk: int, token: str, *, hand: str | None, accepted: str | None) -> bool:
    """Hand `hand` to its backend, still under this worker's claim, and
    record `accepted` (the row's previous channel) accepted, in one commit;
    or, without `hand`, record `accepted` alone. False if another worker has
    taken the claim (the acceptance is still recorded)."""
    connection = connections[router.db_for_write(model)]
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    params = [now, now] if hand else []
    params += [now] if accepted else []
    params += [pk, token] if hand else [pk]
    if _execute_counted(connection, _mark_sql(model, connection.vendor, hand, accepted), params) == 1:
        return True
    if hand and accepted:
        _mark(model, pk, token, hand=None, accepted=accepted)
    return False


def _execute_counted(connection, sql: str, params: list) -> int:
    """Run one statement of `_mark` and return the rows it changed.

    On PostgreSQL it is bound and prepared by the server, once per connection:
    Django's cursors bind client-side, formatting every value into the SQL
    text anew — about half of this statement's CPU, and it runs two or three
    times per recipient. (Behind PgBouncer in transaction mode, prepared
    statements need its `max_prepared_statements`, 1.21 and later.)"""
    if connection.vendor == "postgresql":
        import psycopg

        connection.ensure_connection()
        with psycopg.Cursor(connection.connection) as cursor:
            cursor.execute(sql, params, prepare=True)
            changed = cursor.rowcount  # read before the cursor closes (then it is -1)
        if connection.queries_logged:  # DEBUG and tests' query counts see it as any other
            connection.queries_log.append({"sql": sql % tuple(map(repr, params)), "time": "0.000"})
        return changed
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def _call(channel: str, messages: list, mailer) -> int:
    if channel == "email":
        return mailer.send_messages(messages) or 0
    return get_sms_backend().send_messages(messages) or 0


def _release(model, pk: int, token: str, channel: str) -> None:
    model.objects.filter(pk=pk, notify_claim=token).update(**{f"{channel}_handed_at": None})


def _refuse(model, item: Outgoing, token: str, channel: str, reason: str) -> None:
    """Record that the server refused `channel` for good; the channel stays
    handed, so it is never sent again."""
    log.warning("notification %s:%s: the %s was refused: %s", model.__name__, item.row.pk, channel, reason)
    text = "; ".join(t for t in (item.row.notify_refusal, f"{channel}: {reason}") if t)
    item.row.notify_refusal = text[:model._meta.get_field("notify_refusal").max_length]
    model.objects.filter(pk=item.row.pk, notify_claim=token).update(
        **{f"{channel}_refused_at": timezone.now(), "notify_refusal": item.row.notify_refusal})


def _send_row(model, token: str, item: Outgoing, mailer) -> bool:
    """Send the row's channels, each handed (committed) before its backend
    call. True when every channel is accepted, refused or was handed before."""
    ref = f"{model._meta.model_name}:{item.row.pk}"  # the gateway's OutId, to match its records to this row
    texts = [replace(t, ref=t.ref or ref) for t in item.texts if t.to]
    pending = [(c, m) for c, m in (("email", item.emails), ("sms", texts)) if m]
    # A channel handed by an earlier attempt is sent, refused or unknown: never again.
    pending = [(c, m) for c, m in pending if getattr(item.row, f"{c}_handed_at") is None]
    accepted = None
    for channel, messages in pending:
        if not _mark(model, item.row.pk, token, hand=channel, accepted=accepted):
            log.info("notification %s:%s was taken over by another worker", model.__name__, item.row.pk)
            return False
        try:
            count = _call(channel, messages, mailer)
        except REFUSED as error:
            reason = permanent_refusal(error)
            if reason is None:
                _release(model, item.row.pk, token, channel)
                raise
            _refuse(model, item, token, channel, reason[:200])
            accepted = None
            continue
        if not count:
            # The backend took nothing: the channel can be tried again.
            _release(model, item.row.pk, token, channel)
            raise RuntimeError(f"the {channel} backend accepted none of {len(messages)} messages")
        accepted = channel
    if accepted:
        _mark(model, item.row.pk, token, hand=None, accepted=accepted)
    return True


def send_claimed(model, token: str, items: list[Outgoing], *, done: Callable[[], dict]) -> int:
    """Send the messages of rows claimed with `token`, one row and channel at
    a time, and mark the rows done with `done()`. Returns the rows finished.
    The mail connection is opened first, so a mail server that cannot be
    reached fails the batch before anything is handed over, and is used for
    the whole batch.

    The "done" marks are written together, once the batch ends (also when it
    fails half-way): every channel of those rows is already recorded as
    accepted or refused, so a worker killed before that leaves rows that the
    next claim finishes without sending anything."""
    if not items:
        return 0
    finished = []
    try:
        with get_connection() as mailer:
            for item in items:
                if _send_row(model, token, item, mailer):
                    finished.append(item.row.pk)
    finally:
        count = model.objects.filter(pk__in=finished, notify_claim=token).update(**done()) if finished else 0
    return count


def send_once(key: str, *, emails: list | None = None, texts: list[SmsMessage] | None = None) -> bool:
    """Send these messages once, ever, for `key`. A rerun sends what a killed
    worker had not handed over yet, and nothing that it had. True if this
    call finished the entry."""
    if len(key) > 200:
        key = "sha256:" + hashlib.sha256(key.encode()).hexdigest()
    try:
        with transaction.atomic():
            OutboxEntry.objects.get_or_create(key=key)
    except IntegrityError:
        pass  # created by a concurrent call at the same moment
    token, pks = claim(OutboxEntry.objects.filter(key=key, done_at__isnull=True))
    if not pks:
        return False
    row = OutboxEntry.objects.get(pk=pks[0])
    item = Outgoing(row, list(emails or []), list(texts or []))
    return send_claimed(OutboxEntry, token, [item], done=lambda: {"done_at": timezone.now()}) == 1


def reset_claim_fields() -> dict:
    """The update that makes a row notifiable again (a chased alert)."""
    return {"notify_claimed_at": None, "notify_claim": "",
            **{f"{c}_{s}_at": None for c in CHANNELS for s in ("handed", "sent", "refused")}, "notify_refusal": ""}
